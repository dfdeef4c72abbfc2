// SPDX-License-Identifier: Apache-2.0
// bpflab: reading clang-compiled BPF ELF objects into the program model.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/diagnostic.hpp"
#include "core/program.hpp"

namespace bpflab {

/// Loads every program and map of a BPF ELF object. Programs are the functions of executable
/// sections other than `.text`; `.text` subprograms they call are appended and calls relinked;
/// map and global-data relocations are applied (ldimm64 src MapFd / MapValue with imm = map
/// index); BTF line info is attached. Malformed input yields a Diagnostic naming the file.
[[nodiscard]] Expected<Object> load_elf(const std::string& path);
[[nodiscard]] Expected<Object> load_elf_memory(std::span<const std::uint8_t> bytes,
                                               const std::string& name);

}  // namespace bpflab
