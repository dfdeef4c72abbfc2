// SPDX-License-Identifier: Apache-2.0
// bpflab: the concrete semantics of ALU operations and comparisons, written once (decision 2).
#pragma once

#include <bit>
#include <concepts>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "core/isa.hpp"

namespace bpflab::sem {

/// Width-generic definitions: `U` is the unsigned word (uint8_t for exhaustive tests,
/// uint32_t / uint64_t for the ISA's two widths). Results are what RFC 9669 and Linux define:
/// division by zero gives 0, modulo by zero leaves the dividend, shift amounts are masked to
/// the width, signed overflow wraps (INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0), and signed
/// modulo takes the sign of the dividend (truncating division).
template <std::unsigned_integral U>
inline constexpr unsigned kBits = std::numeric_limits<U>::digits;

template <std::unsigned_integral U>
using Signed = std::make_signed_t<U>;

template <std::unsigned_integral U>
[[nodiscard]] constexpr Signed<U> as_signed(U v) {
    return static_cast<Signed<U>>(v);
}

/// Sign-extends the low `from_bits` of `v` to the full width (identity when from_bits is 0 or
/// at least the width).
template <std::unsigned_integral U>
[[nodiscard]] constexpr U sign_extend(U v, unsigned from_bits) {
    if (from_bits == 0 || from_bits >= kBits<U>) return v;
    const U sign = U{1} << (from_bits - 1);
    const U low = static_cast<U>(v & static_cast<U>((U{1} << from_bits) - 1));
    return static_cast<U>((low ^ sign) - sign);
}

template <std::unsigned_integral U>
[[nodiscard]] constexpr U sdiv(U a, U b) {
    if (b == 0) return 0;
    const Signed<U> sa = as_signed(a), sb = as_signed(b);
    if (sa == std::numeric_limits<Signed<U>>::min() && sb == -1) return a;
    return static_cast<U>(static_cast<Signed<U>>(sa / sb));
}

template <std::unsigned_integral U>
[[nodiscard]] constexpr U smod(U a, U b) {
    if (b == 0) return a;
    const Signed<U> sa = as_signed(a), sb = as_signed(b);
    if (sb == -1) return 0;
    return static_cast<U>(static_cast<Signed<U>>(sa % sb));
}

/// Arithmetic shift right by `n & (width - 1)`.
template <std::unsigned_integral U>
[[nodiscard]] constexpr U arsh(U a, U n) {
    const unsigned s = static_cast<unsigned>(n) & (kBits<U> - 1);
    if (s == 0) return a;
    const U shifted = static_cast<U>(a >> s);
    if ((a >> (kBits<U> - 1)) == 0) return shifted;
    return static_cast<U>(shifted | static_cast<U>(~U{0} << (kBits<U> - s)));
}

/// `dst op src` at width U. For Neg `src` is ignored; for MovSx `sx_bits` selects the source
/// width; for Mov the result is `src`.
template <std::unsigned_integral U>
[[nodiscard]] constexpr U alu(AluOp op, U dst, U src, unsigned sx_bits = 0) {
    constexpr unsigned kMask = kBits<U> - 1;
    switch (op) {
        case AluOp::Add: return static_cast<U>(dst + src);
        case AluOp::Sub: return static_cast<U>(dst - src);
        case AluOp::Mul: return static_cast<U>(dst * src);
        case AluOp::Div: return src == 0 ? U{0} : static_cast<U>(dst / src);
        case AluOp::SDiv: return sdiv(dst, src);
        case AluOp::Mod: return src == 0 ? dst : static_cast<U>(dst % src);
        case AluOp::SMod: return smod(dst, src);
        case AluOp::Or: return static_cast<U>(dst | src);
        case AluOp::And: return static_cast<U>(dst & src);
        case AluOp::Xor: return static_cast<U>(dst ^ src);
        case AluOp::Lsh: return static_cast<U>(dst << (static_cast<unsigned>(src) & kMask));
        case AluOp::Rsh: return static_cast<U>(dst >> (static_cast<unsigned>(src) & kMask));
        case AluOp::Arsh: return arsh(dst, src);
        case AluOp::Neg: return static_cast<U>(U{0} - dst);
        case AluOp::Mov: return src;
        case AluOp::MovSx: return sign_extend(src, sx_bits);
    }
    return 0;
}

/// Whether `a cond b` holds at width U.
template <std::unsigned_integral U>
[[nodiscard]] constexpr bool compare(Cond c, U a, U b) {
    switch (c) {
        case Cond::Eq: return a == b;
        case Cond::Ne: return a != b;
        case Cond::Set: return (a & b) != 0;
        case Cond::Gt: return a > b;
        case Cond::Ge: return a >= b;
        case Cond::Lt: return a < b;
        case Cond::Le: return a <= b;
        case Cond::Sgt: return as_signed(a) > as_signed(b);
        case Cond::Sge: return as_signed(a) >= as_signed(b);
        case Cond::Slt: return as_signed(a) < as_signed(b);
        case Cond::Sle: return as_signed(a) <= as_signed(b);
    }
    return false;
}

/// The condition that holds exactly when `c` does not (for the fall-through side of a branch).
[[nodiscard]] constexpr Cond negate(Cond c) {
    switch (c) {
        case Cond::Eq: return Cond::Ne;
        case Cond::Ne: return Cond::Eq;
        case Cond::Gt: return Cond::Le;
        case Cond::Ge: return Cond::Lt;
        case Cond::Lt: return Cond::Ge;
        case Cond::Le: return Cond::Gt;
        case Cond::Sgt: return Cond::Sle;
        case Cond::Sge: return Cond::Slt;
        case Cond::Slt: return Cond::Sge;
        case Cond::Sle: return Cond::Sgt;
        case Cond::Set: return Cond::Set;  // no single-condition negation; callers special-case
    }
    return c;
}

// ---- Register-level semantics of the ISA (64-bit registers) --------------------------------

/// The value of an immediate operand as a 64-bit register operand (sign-extended).
[[nodiscard]] constexpr std::uint64_t imm64(std::int32_t imm) {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(imm));
}

/// Result register of an ALU instruction: 64-bit operations act on the full registers;
/// 32-bit operations act on the low halves and zero-extend (mod by zero keeps the low half).
[[nodiscard]] constexpr std::uint64_t alu_reg(const Alu& a, std::uint64_t dst, std::uint64_t src) {
    if (a.is64) return alu<std::uint64_t>(a.op, dst, src, a.sx_bits);
    return alu<std::uint32_t>(a.op, static_cast<std::uint32_t>(dst),
                              static_cast<std::uint32_t>(src), a.sx_bits);
}

/// Whether a conditional jump is taken, given the register values (src already resolved:
/// an immediate is sign-extended to 64 bits; JMP32 compares the low halves).
[[nodiscard]] constexpr bool jump_taken(const Jmp& j, std::uint64_t dst, std::uint64_t src) {
    if (j.is32)
        return compare<std::uint32_t>(j.cond, static_cast<std::uint32_t>(dst),
                                      static_cast<std::uint32_t>(src));
    return compare<std::uint64_t>(j.cond, dst, src);
}

/// Byte-order conversion on a little-endian machine: ToLe truncates to `bits` (zero-extended),
/// ToBe and Swap reverse the low `bits` bits' bytes.
[[nodiscard]] constexpr std::uint64_t endian(EndianKind k, unsigned bits, std::uint64_t v) {
    const bool swap = k != EndianKind::ToLe;
    switch (bits) {
        case 16: {
            const auto x = static_cast<std::uint16_t>(v);
            return swap ? static_cast<std::uint16_t>((x >> 8) | (x << 8)) : x;
        }
        case 32: {
            const auto x = static_cast<std::uint32_t>(v);
            return swap ? __builtin_bswap32(x) : x;
        }
        default: return swap ? __builtin_bswap64(v) : v;
    }
}

/// Loads of `size` bytes: zero-extended, or sign-extended for MEMSX.
[[nodiscard]] constexpr std::uint64_t extend_load(std::uint64_t raw, Size size, bool sign) {
    const unsigned bits = static_cast<unsigned>(bytes(size)) * 8;
    if (bits == 64) return raw;
    const std::uint64_t low = raw & ((std::uint64_t{1} << bits) - 1);
    return sign ? sign_extend<std::uint64_t>(low, bits) : low;
}

}  // namespace bpflab::sem
