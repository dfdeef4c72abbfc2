// SPDX-License-Identifier: Apache-2.0
// bpflab: printing instructions as text and assembling text into instructions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/isa.hpp"
#include "core/program.hpp"

namespace bpflab {

/// The two assembly dialects: Linux/LLVM (`r0 = 1`, as llvm-objdump prints) and uBPF /
/// bpf_conformance (`mov r0, 1`).
enum class Syntax : std::uint8_t { Linux, Ubpf };

[[nodiscard]] std::optional<Syntax> syntax_from_name(std::string_view name);
[[nodiscard]] std::string_view syntax_name(Syntax s);

/// The text of one instruction at slot `pc`, without any annotation. In Linux syntax this is
/// what `llvm-objdump -d` (LLVM 19) prints for the same bytes, minus the `<sym+off>` suffix,
/// except for the forms objdump garbles (docs/asm-syntax.md). assemble(print(i)) == i for all i.
[[nodiscard]] std::string print_instruction(const Instruction& insn, Syntax syntax);

/// Guesses the dialect of an assembly text; nullopt when nothing tells.
[[nodiscard]] std::optional<Syntax> detect_syntax(std::string_view text);

/// Assembles a whole text (labels, comments with `;`, `#` or `//`, blank lines); directives are
/// accepted as by assemble_unit and only the code is returned. When `syntax` is nullopt it is
/// detected. Errors name `file`, the line number and the reason.
[[nodiscard]] Expected<std::vector<Instruction>> assemble(std::string_view text,
                                                          std::optional<Syntax> syntax,
                                                          const std::string& file = {});

/// A map reference left in the code by `r1 = map[NAME] ll` (or `map_value[NAME] + off`).
struct MapRef {
    std::uint32_t pc = 0;     ///< slot of the ldimm64
    std::size_t map = 0;      ///< index into AssembledUnit::maps
    std::int32_t offset = 0;  ///< byte offset into the value (map_value only)
    bool value = false;       ///< map_value[...] (ldimm64 src 2) rather than map[...] (src 1)
};

/// An assembled file: its code plus what its directives declare (docs/asm-syntax.md).
struct AssembledUnit {
    std::vector<Instruction> insns;
    std::string type;          ///< `.type NAME` (libbpf program type name), empty when absent
    std::vector<MapDef> maps;  ///< `.map` definitions in file order; a reference's imm is the index
    std::vector<MapRef> map_refs;  ///< sorted by pc
};

/// Assembles a whole file with its directives: `.type NAME` and
/// `.map NAME TYPE [key=K] [value=V] [entries=N] [flags=F]`. Map references assemble to
/// ldimm64 with src 1 (map) or 2 (map value) and imm = the map's index, the linked form
/// Program code uses. Errors name `file`, the line number and the reason.
[[nodiscard]] Expected<AssembledUnit> assemble_unit(std::string_view text,
                                                    std::optional<Syntax> syntax,
                                                    const std::string& file = {});

}  // namespace bpflab
