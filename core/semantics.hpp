// SPDX-License-Identifier: Apache-2.0
// bpflab: the concrete semantics of ALU operations and comparisons, written once (decision 2).
#pragma once

#include <bit>
#include <concepts>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "core/isa.hpp"
#include "core/word.hpp"

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

// ---- Word-generic semantics (machine words for running, Z3 words for proving) -------------

/// Sign-extends the low `from_bits` of `v` to the width of W (identity when from_bits is 0 or
/// at least the width). Branch-free, so it also builds Z3 terms.
template <Word W>
[[nodiscard]] constexpr W sign_extend_word(W v, unsigned from_bits) {
    if (from_bits == 0 || from_bits >= W::kBits) return v;
    const unsigned s = W::kBits - from_bits;
    return ashr(v << s, W::constant(s));
}

/// `dst op src` at the full width of W, with the ISA's rules: division by zero gives 0, modulo
/// by zero leaves the dividend, shift amounts are masked to the width, signed overflow wraps
/// (smin / -1 = smin, smin % -1 = 0), signed modulo takes the dividend's sign. For Neg `src` is
/// ignored; for Mov the result is `src`; for MovSx `sx_bits` is the source width.
template <Word W>
[[nodiscard]] constexpr W alu_word(AluOp op, W dst, W src, unsigned sx_bits = 0) {
    const W zero = W::constant(0);
    const W shift = src & W::constant(W::kBits - 1);
    switch (op) {
        case AluOp::Add: return dst + src;
        case AluOp::Sub: return dst - src;
        case AluOp::Mul: return dst * src;
        case AluOp::Div: return select(src == zero, zero, udiv(dst, src));
        case AluOp::SDiv: return select(src == zero, zero, sdiv(dst, src));
        case AluOp::Mod: return urem(dst, src);  // urem(x, 0) = x, as the ISA defines
        case AluOp::SMod: return srem(dst, src);  // srem(x, 0) = x, srem(smin, -1) = 0
        case AluOp::Or: return dst | src;
        case AluOp::And: return dst & src;
        case AluOp::Xor: return dst ^ src;
        case AluOp::Lsh: return shl(dst, shift);
        case AluOp::Rsh: return lshr(dst, shift);
        case AluOp::Arsh: return ashr(dst, shift);
        case AluOp::Neg: return zero - dst;
        case AluOp::Mov: return src;
        case AluOp::MovSx: return sign_extend_word(src, sx_bits);
    }
    return zero;
}

/// Whether `a cond b` holds at the width of W.
template <Word W>
[[nodiscard]] constexpr typename W::Bool compare_word(Cond c, W a, W b) {
    switch (c) {
        case Cond::Eq: return a == b;
        case Cond::Ne: return a != b;
        case Cond::Set: return (a & b) != W::constant(0);
        case Cond::Gt: return b < a;
        case Cond::Ge: return b <= a;
        case Cond::Lt: return a < b;
        case Cond::Le: return a <= b;
        case Cond::Sgt: return slt(b, a);
        case Cond::Sge: return sle(b, a);
        case Cond::Slt: return slt(a, b);
        case Cond::Sle: return sle(a, b);
    }
    return a == b;
}

/// Register-level ALU at word width N: the 64-bit form acts on whole words; the 32-bit form
/// (is64 false) acts on the N/2-bit halves and zero-extends (so at N = 8 it is the 4-bit form).
/// `sx_bits` is given at the register scale (8, 16, 32 for N = 64) and scaled by N / 64.
template <Word W>
[[nodiscard]] constexpr W alu_reg_word(AluOp op, bool is64, W dst, W src, unsigned sx_bits = 0) {
    const unsigned sx = sx_bits * W::kBits / 64;
    if (is64) return alu_word<W>(op, dst, src, sx);
    return zext<W::kBits>(alu_word<Half<W>>(op, trunc<W::kBits / 2>(dst),
                                            trunc<W::kBits / 2>(src), sx));
}

/// Whether a conditional jump is taken at word width N (`is32`: compare the N/2-bit halves).
template <Word W>
[[nodiscard]] constexpr typename W::Bool jump_word(Cond c, bool is32, W a, W b) {
    if (is32) return compare_word<Half<W>>(c, trunc<W::kBits / 2>(a), trunc<W::kBits / 2>(b));
    return compare_word<W>(c, a, b);
}

/// Byte-order conversion at word width N, on a little-endian machine. `bits` is 16, 32 or 64
/// at the register scale; at width N a "byte" is N/8 bits. ToLe truncates (zero-extends the
/// low bits/8 bytes); ToBe and Swap reverse those bytes.
template <Word W>
[[nodiscard]] constexpr W endian_word(EndianKind k, unsigned bits, W v) {
    constexpr unsigned kByte = W::kBits / 8;
    const unsigned nbytes = bits / 8;
    const unsigned width = nbytes * kByte;
    const W low = width >= W::kBits ? v : v & W::constant((std::uint64_t{1} << width) - 1);
    if (k == EndianKind::ToLe) return low;
    const W byte_mask = W::constant((std::uint64_t{1} << kByte) - 1);
    W out = W::constant(0);
    for (unsigned i = 0; i < nbytes; ++i) {
        const W byte = (low >> (i * kByte)) & byte_mask;
        out = out | (byte << ((nbytes - 1 - i) * kByte));
    }
    return out;
}

// ---- Native-integer forms, used by the interpreter (the same definitions) -----------------

template <std::unsigned_integral U>
[[nodiscard]] constexpr U sdiv(U a, U b) {
    return static_cast<U>(alu_word<Bits<kBits<U>>>(AluOp::SDiv, a, b).raw());
}

template <std::unsigned_integral U>
[[nodiscard]] constexpr U smod(U a, U b) {
    return static_cast<U>(alu_word<Bits<kBits<U>>>(AluOp::SMod, a, b).raw());
}

/// Arithmetic shift right by `n & (width - 1)`.
template <std::unsigned_integral U>
[[nodiscard]] constexpr U arsh(U a, U n) {
    return static_cast<U>(alu_word<Bits<kBits<U>>>(AluOp::Arsh, a, n).raw());
}

/// `dst op src` at width U (see alu_word).
template <std::unsigned_integral U>
[[nodiscard]] constexpr U alu(AluOp op, U dst, U src, unsigned sx_bits = 0) {
    return static_cast<U>(alu_word<Bits<kBits<U>>>(op, dst, src, sx_bits).raw());
}

/// Whether `a cond b` holds at width U.
template <std::unsigned_integral U>
[[nodiscard]] constexpr bool compare(Cond c, U a, U b) {
    return compare_word<Bits<kBits<U>>>(c, a, b);
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
