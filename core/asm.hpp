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

/// Assembles a whole text (labels, comments with `;`, `#` or `//`, blank lines). When `syntax`
/// is nullopt it is detected. Errors name `file`, the line number and the reason.
[[nodiscard]] Expected<std::vector<Instruction>> assemble(std::string_view text,
                                                          std::optional<Syntax> syntax,
                                                          const std::string& file = {});

}  // namespace bpflab
