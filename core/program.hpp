// SPDX-License-Identifier: Apache-2.0
// bpflab: the program model every consumer reads — code, maps, program type, source lines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/decode.hpp"

namespace bpflab {

/// Where a map definition came from.
enum class MapOrigin : std::uint8_t { Btf, Legacy, GlobalData };

/// A map as the kernel would create it. Global data sections become single-entry arrays whose
/// value is the section's bytes (`initial_value`); `.rodata*` maps are read-only.
struct MapDef {
    std::string name;
    std::uint32_t type = 0;  ///< enum bpf_map_type
    std::uint32_t key_size = 0;
    std::uint32_t value_size = 0;
    std::uint32_t max_entries = 0;
    std::uint32_t flags = 0;
    MapOrigin origin = MapOrigin::Btf;
    std::string section;                      ///< ELF section the definition lives in
    std::vector<std::uint8_t> initial_value;  ///< global data contents (empty for .bss)
    std::optional<std::uint32_t> inner_map;   ///< map-in-map: index of the inner map template
    [[nodiscard]] bool read_only() const;     ///< `.rodata*` or BPF_F_RDONLY_PROG
};

/// Source position of an instruction, from BTF line info.
struct SourceLine {
    std::uint32_t pc = 0;  ///< first slot this line applies to (within the program)
    std::string file;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::string text;  ///< the C source line, as recorded in BTF
};

/// What a relocated slot refers to, so that printers can name it.
struct RelocNote {
    enum class Kind : std::uint8_t { Map, MapValue, Subprogram, Kfunc, Other };
    std::uint32_t pc = 0;
    Kind kind = Kind::Other;
    std::string symbol;            ///< map, section or function name
    std::int64_t map_index = -1;   ///< index into Object::maps for Map / MapValue
    std::int64_t addend = 0;       ///< offset into the map value / section
};

/// A function inside a program's code (the entry point is the first, at pc 0).
struct Subprogram {
    std::string name;
    std::uint32_t start_pc = 0;
    std::uint32_t end_pc = 0;  ///< one past the last slot
};

/// One loadable program: the entry function and the `.text` subprograms it calls, linked
/// into one Code with relocations applied (maps: ldimm64 src MapFd/MapValue, imm = map index).
struct Program {
    std::string name;     ///< entry function name (or the file stem for raw input)
    std::string section;  ///< ELF section (empty for raw input)
    std::string type;     ///< program type name, e.g. "xdp", "kprobe", "sched_cls"
    std::uint32_t prog_type = 0;          ///< enum bpf_prog_type, 0 when unknown
    std::uint32_t expected_attach_type = 0;
    std::uint32_t section_offset = 0;     ///< slot of the entry function within its section
    Code code;
    std::vector<Subprogram> functions;    ///< entry first, then appended subprograms
    std::vector<RelocNote> relocations;   ///< sorted by pc
    std::vector<SourceLine> lines;        ///< sorted by pc, possibly empty
    std::string license;

    /// The source line covering `pc` (the last line-info record at or before it), if any.
    [[nodiscard]] const SourceLine* line_at(std::uint32_t pc) const;
    /// The relocation note for slot `pc`, if any.
    [[nodiscard]] const RelocNote* relocation_at(std::uint32_t pc) const;
};

/// Everything read from one input file.
struct Object {
    std::string path;
    std::vector<Program> programs;
    std::vector<MapDef> maps;
    std::string license;
};

/// Program type names bpflab knows, mapped to enum bpf_prog_type (libbpf spelling).
[[nodiscard]] std::optional<std::uint32_t> prog_type_from_name(const std::string& name);
[[nodiscard]] std::string prog_type_name(std::uint32_t prog_type);
/// Map type name (libbpf spelling, e.g. "hash", "array", "ringbuf").
[[nodiscard]] std::string map_type_name(std::uint32_t map_type);

}  // namespace bpflab
