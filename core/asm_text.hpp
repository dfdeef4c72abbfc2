// SPDX-License-Identifier: Apache-2.0
// bpflab: internals shared by the printers and assemblers (number spelling, a small text cursor).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/isa.hpp"

namespace bpflab::asm_text {

/// `0x1f` / `-0x1f`: signed hexadecimal, the way llvm-objdump spells immediates.
[[nodiscard]] std::string signed_hex(std::int64_t v);
/// `+0x1f` / `-0x1f`: a signed hexadecimal with an explicit sign (jump offsets).
[[nodiscard]] std::string offset_hex(std::int64_t v);
/// `0x1f`: unsigned hexadecimal.
[[nodiscard]] std::string unsigned_hex(std::uint64_t v);
/// `+31` / `-31`: decimal with an explicit sign.
[[nodiscard]] std::string offset_dec(std::int64_t v);

/// A label reference left for the second pass: the instruction's field gets `label - (pc + 1)`.
struct LabelRef {
    std::string name;
    bool wide = false;  ///< 32-bit field (gotol, local call) rather than a 16-bit offset
};

/// One parsed statement: the instruction plus an unresolved label, if it names one.
struct Parsed {
    Instruction insn;
    std::optional<LabelRef> label;
};

/// A parse failure: the reason, reported with the file and line by the driver.
struct ParseError {
    std::string why;
};

/// A cursor over one statement. Every `accept`/`read` skips leading blanks first.
class Cursor {
  public:
    explicit Cursor(std::string_view s) : s_(s) {}
    /// True at the end of the statement (only blanks left).
    [[nodiscard]] bool done();
    /// Consumes `lit` when the text continues with it.
    bool accept(std::string_view lit);
    /// Consumes `word` only when it is not followed by an identifier character.
    bool accept_word(std::string_view word);
    /// Reads an identifier ([A-Za-z_.$][A-Za-z0-9_.$]*), empty when there is none.
    std::string ident();
    /// Reads an integer: optional sign, decimal or 0x hexadecimal; nullopt when absent or too big.
    std::optional<std::int64_t> number();
    /// Reads a register `rN`/`wN` (optionally `%`-prefixed) with N in 0..10; sets `is32` for `w`.
    std::optional<Reg> reg(bool* is32 = nullptr);
    /// Whether the next token looks like a register (without consuming it).
    [[nodiscard]] bool at_reg();
    /// The unread rest, for messages.
    [[nodiscard]] std::string rest();
    [[nodiscard]] char peek();

  private:
    void skip();
    std::string_view s_;
    std::size_t i_ = 0;
};

/// Range checks used by both assemblers; they return a reason on failure.
[[nodiscard]] std::optional<std::string> check_imm32(std::int64_t v, const char* what);
[[nodiscard]] std::optional<std::string> check_off16(std::int64_t v, const char* what);
/// Truncates a checked immediate to its 32-bit two's complement form.
[[nodiscard]] std::int32_t to_imm32(std::int64_t v);

/// Per-dialect printers and single-statement parsers (print_linux.cpp, asm_linux.cpp, ...).
/// A statement is one instruction without its label or comment.
[[nodiscard]] std::string print_linux(const Instruction& insn);
[[nodiscard]] std::string print_ubpf(const Instruction& insn);
[[nodiscard]] std::variant<Parsed, ParseError> parse_linux(std::string_view stmt);
[[nodiscard]] std::variant<Parsed, ParseError> parse_ubpf(std::string_view stmt);

}  // namespace bpflab::asm_text
