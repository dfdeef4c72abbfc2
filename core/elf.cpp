// SPDX-License-Identifier: Apache-2.0
// bpflab: BPF ELF loader (being written).
#include "core/elf.hpp"

namespace bpflab {
Expected<Object> load_elf(const std::string& path) {
    return Diagnostic{"ELF loading is not available yet", std::nullopt, path};
}
Expected<Object> load_elf_memory(std::span<const std::uint8_t>, const std::string& name) {
    return Diagnostic{"ELF loading is not available yet", std::nullopt, name};
}
}  // namespace bpflab
