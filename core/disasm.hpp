// SPDX-License-Identifier: Apache-2.0
// bpflab: program listings — each instruction with its slot, bytes, text, annotation and source.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/asm.hpp"
#include "core/program.hpp"

namespace bpflab {

/// One listed instruction.
struct ListingLine {
    std::uint32_t index = 0;          ///< slot (pc) of the instruction
    std::string bytes;                ///< raw bytes in hex, space-separated (16 bytes for ldimm64)
    std::string text;                 ///< print_instruction output
    std::string comment;              ///< what a relocation or call refers to, empty when nothing
    std::vector<std::string> source;  ///< C source lines starting here, as `<text>  [file:line]`
    std::string function;             ///< name of the function starting at this slot, if one does
};

/// A whole program, ready to print as text or JSON.
struct Listing {
    std::string name;
    std::string section;
    std::string type;
    std::vector<ListingLine> lines;
};

/// The annotation for a relocation: `map counts`, `.rodata+8`, `call xdp_helper`, `kfunc f`.
[[nodiscard]] std::string relocation_comment(const RelocNote& note);

/// Lists every instruction of `p` in `syntax`; with `with_source`, attaches the BTF line info.
[[nodiscard]] Listing list_program(const Program& p, Syntax syntax, bool with_source);

/// `   12:\tb7 00 ...\tr0 = 0x1  ; map counts`, with source and function headers before it.
[[nodiscard]] std::string format_listing(const Listing& l);

}  // namespace bpflab
