// SPDX-License-Identifier: Apache-2.0
// bpflab: program model queries and type names (libbpf's spelling).
#include "core/program.hpp"

#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include <algorithm>

namespace bpflab {

bool MapDef::read_only() const {
    return section.rfind(".rodata", 0) == 0 || (flags & BPF_F_RDONLY_PROG) != 0;
}

const SourceLine* Program::line_at(std::uint32_t pc) const {
    auto it = std::upper_bound(lines.begin(), lines.end(), pc,
                               [](std::uint32_t p, const SourceLine& l) { return p < l.pc; });
    if (it == lines.begin()) return nullptr;
    return &*std::prev(it);
}

const RelocNote* Program::relocation_at(std::uint32_t pc) const {
    auto it = std::lower_bound(relocations.begin(), relocations.end(), pc,
                               [](const RelocNote& r, std::uint32_t p) { return r.pc < p; });
    if (it == relocations.end() || it->pc != pc) return nullptr;
    return &*it;
}

std::optional<std::uint32_t> prog_type_from_name(const std::string& name) {
    for (std::uint32_t t = 0; t < 64; ++t) {
        const char* s = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(t));
        if (s != nullptr && name == s) return t;
    }
    // Section-style aliases users type: "tc", "xdp", "socket", "kprobe", "tracepoint" ...
    enum bpf_prog_type type {};
    enum bpf_attach_type attach {};
    if (libbpf_prog_type_by_name(name.c_str(), &type, &attach) == 0) return type;
    if (libbpf_prog_type_by_name((name + "/x").c_str(), &type, &attach) == 0) return type;
    return std::nullopt;
}

std::string prog_type_name(std::uint32_t prog_type) {
    const char* s = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(prog_type));
    return s != nullptr ? s : "unknown(" + std::to_string(prog_type) + ")";
}

std::string map_type_name(std::uint32_t map_type) {
    const char* s = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(map_type));
    return s != nullptr ? s : "unknown(" + std::to_string(map_type) + ")";
}

}  // namespace bpflab
