// SPDX-License-Identifier: Apache-2.0
// bpflab: number spelling and the statement cursor shared by both assembly dialects.
#include "core/asm_text.hpp"

#include <cctype>
#include <limits>

namespace bpflab::asm_text {
namespace {

std::string hex_digits(std::uint64_t v) {
    static const char* d = "0123456789abcdef";
    std::string s;
    do {
        s.insert(s.begin(), d[v & 15]);
        v >>= 4;
    } while (v != 0);
    return "0x" + s;
}

// Magnitude of a signed value without overflow at INT64_MIN.
std::uint64_t magnitude(std::int64_t v) {
    return v < 0 ? ~static_cast<std::uint64_t>(v) + 1 : static_cast<std::uint64_t>(v);
}

bool ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$';
}
bool ident_char(char c) {
    return ident_start(c) || std::isdigit(static_cast<unsigned char>(c));
}

}  // namespace

std::string signed_hex(std::int64_t v) {
    return (v < 0 ? "-" : "") + hex_digits(magnitude(v));
}
std::string offset_hex(std::int64_t v) {
    return (v < 0 ? "-" : "+") + hex_digits(magnitude(v));
}
std::string unsigned_hex(std::uint64_t v) {
    return hex_digits(v);
}
std::string offset_dec(std::int64_t v) {
    return (v < 0 ? "-" : "+") + std::to_string(magnitude(v));
}

void Cursor::skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
}

bool Cursor::done() {
    skip();
    return i_ >= s_.size();
}

char Cursor::peek() {
    skip();
    return i_ < s_.size() ? s_[i_] : '\0';
}

bool Cursor::accept(std::string_view lit) {
    skip();
    if (s_.substr(i_, lit.size()) != lit) return false;
    i_ += lit.size();
    return true;
}

bool Cursor::accept_word(std::string_view word) {
    skip();
    if (s_.substr(i_, word.size()) != word) return false;
    const std::size_t end = i_ + word.size();
    if (end < s_.size() && ident_char(s_[end])) return false;
    i_ = end;
    return true;
}

std::string Cursor::ident() {
    skip();
    if (i_ >= s_.size() || !ident_start(s_[i_])) return {};
    const std::size_t b = i_;
    while (i_ < s_.size() && ident_char(s_[i_])) ++i_;
    return std::string(s_.substr(b, i_ - b));
}

std::optional<std::int64_t> Cursor::number() {
    skip();
    std::size_t j = i_;
    bool neg = false;
    if (j < s_.size() && (s_[j] == '+' || s_[j] == '-')) {
        neg = s_[j] == '-';
        ++j;
        while (j < s_.size() && s_[j] == ' ') ++j;
    }
    int base = 10;
    if (j + 1 < s_.size() && s_[j] == '0' && (s_[j + 1] == 'x' || s_[j + 1] == 'X')) {
        base = 16;
        j += 2;
    }
    const std::size_t first = j;
    std::uint64_t v = 0;
    const auto b = static_cast<std::uint64_t>(base);
    while (j < s_.size()) {
        const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s_[j])));
        int d = -1;
        if (c >= '0' && c <= '9') d = c - '0';
        if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
        if (d < 0) break;
        const auto ud = static_cast<std::uint64_t>(d);
        if (v > (std::numeric_limits<std::uint64_t>::max() - ud) / b) return std::nullopt;
        v = v * b + ud;
        ++j;
    }
    if (j == first || (j < s_.size() && ident_char(s_[j]))) return std::nullopt;
    // Accept [-2^63, 2^64): values above INT64_MAX are read as their two's complement.
    if (neg && v > (std::uint64_t{1} << 63)) return std::nullopt;
    i_ = j;
    return neg ? static_cast<std::int64_t>(~v + 1) : static_cast<std::int64_t>(v);
}

std::optional<Reg> Cursor::reg(bool* is32) {
    skip();
    std::size_t j = i_;
    if (j < s_.size() && s_[j] == '%') ++j;
    if (j >= s_.size() || (s_[j] != 'r' && s_[j] != 'w')) return std::nullopt;
    const bool w = s_[j] == 'w';
    ++j;
    const std::size_t first = j;
    unsigned n = 0;
    while (j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j])) && j - first < 3)
        n = n * 10 + static_cast<unsigned>(s_[j++] - '0');
    if (j == first || (j < s_.size() && ident_char(s_[j])) || n > 10) return std::nullopt;
    i_ = j;
    if (is32) *is32 = w;
    return static_cast<Reg>(n);
}

bool Cursor::at_reg() {
    const std::size_t save = i_;
    const bool r = reg().has_value();
    i_ = save;
    return r;
}

std::string Cursor::rest() {
    skip();
    return std::string(s_.substr(i_));
}

std::optional<std::string> check_imm32(std::int64_t v, const char* what) {
    if (v < std::numeric_limits<std::int32_t>::min() ||
        v > static_cast<std::int64_t>(std::numeric_limits<std::uint32_t>::max()))
        return std::string(what) + " " + std::to_string(v) + " does not fit in 32 bits";
    return std::nullopt;
}

std::optional<std::string> check_off16(std::int64_t v, const char* what) {
    if (v < std::numeric_limits<std::int16_t>::min() ||
        v > std::numeric_limits<std::int16_t>::max())
        return std::string(what) + " " + std::to_string(v) + " is out of range [-32768, 32767]";
    return std::nullopt;
}

std::int32_t to_imm32(std::int64_t v) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(v)));
}

}  // namespace bpflab::asm_text
