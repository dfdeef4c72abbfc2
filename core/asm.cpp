// SPDX-License-Identifier: Apache-2.0
// bpflab: assembler and printer (being written).
#include "core/asm.hpp"

namespace bpflab {
std::optional<Syntax> syntax_from_name(std::string_view n) {
    if (n == "linux") return Syntax::Linux;
    if (n == "ubpf") return Syntax::Ubpf;
    return std::nullopt;
}
std::string_view syntax_name(Syntax s) { return s == Syntax::Linux ? "linux" : "ubpf"; }
std::string print_instruction(const Instruction&, Syntax) { return "?"; }
std::optional<Syntax> detect_syntax(std::string_view) { return std::nullopt; }
Expected<std::vector<Instruction>> assemble(std::string_view, std::optional<Syntax>,
                                            const std::string& file) {
    return Diagnostic{"assembler not available yet", std::nullopt, file};
}
}  // namespace bpflab
