// SPDX-License-Identifier: Apache-2.0
// bpflab: tristate numbers (tnums), the known-bits value domain of the Linux verifier, written
// once over a Word so that it runs on machine words and is proved on Z3 bit-vectors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "core/isa.hpp"
#include "core/semantics.hpp"
#include "core/word.hpp"
#include "domains/tnum_detail.hpp"
#include "domains/tnum_mul.hpp"
#include "domains/value.hpp"

namespace bpflab::dom {

/// A tristate number over the word W: bit i is known to equal bit i of `value` where bit i of
/// `mask` is 0, and unknown where it is 1. γ(value, mask) = { x | (x & ~mask) == value }.
///
/// - A default-constructed Tnum is top, (0, ones).
/// - Any pair with `value & mask != 0` denotes the empty set (bottom); the canonical bottom,
///   returned by `bottom()`, is (ones, ones). Every pair is a legal value (`well_formed`).
/// - The lattice has height N + 1; widen jumps (see widen) and narrow is meet.
/// - `M` selects the multiplication `alu` uses; `name()` is the registry name.
/// Operations follow the published definitions (Linux kernel/bpf/tnum.c; Vishwanathan et al.,
/// CGO 2022), written here from those definitions; word-generic code uses `select`/`pick` for
/// every data-dependent choice and loops a structural number of times.
template <Word W, TnumMul M = TnumMul::Cgo2022>
class Tnum {
  public:
    using Word = W;
    using Bool = typename W::Bool;
    using HalfTnum = Tnum<Half<W>, M>;
    static constexpr unsigned kBits = W::kBits;
    static constexpr TnumMul kMul = M;

    W value = W::constant(0);  ///< the known bits (ones where known 1)
    W mask = W::ones();        ///< the unknown bits

    /// Top.
    constexpr Tnum() = default;
    /// The pair (v, m) as given (bottom when v & m != 0).
    constexpr Tnum(W v, W m) : value(std::move(v)), mask(std::move(m)) {}

    /// The registry name: `tnum`, `tnum-mul2017`, `tnum-mul2025`.
    [[nodiscard]] static constexpr std::string_view name() { return tnum_name(M); }

    // ---- lattice -----------------------------------------------------------------------------

    /// Every value: (0, ones).
    [[nodiscard]] static constexpr Tnum top() { return {W::constant(0), W::ones()}; }
    /// The canonical empty value: (ones, ones).
    [[nodiscard]] static constexpr Tnum bottom() { return {W::ones(), W::ones()}; }
    /// Exactly c: (c, 0).
    [[nodiscard]] static constexpr Tnum constant(W c) { return {std::move(c), W::constant(0)}; }
    /// `c ? a : b` on tnums (a `select` on each component).
    [[nodiscard]] static constexpr Tnum pick(const Bool& c, const Tnum& a, const Tnum& b) {
        return {select(c, a.value, b.value), select(c, a.mask, b.mask)};
    }

    /// Whether γ is empty: some bit is both known and unknown.
    [[nodiscard]] constexpr Bool is_bottom() const { return (value & mask) != W::constant(0); }
    /// Whether γ is every word.
    [[nodiscard]] constexpr Bool is_top() const {
        return value == W::constant(0) && mask == W::ones();
    }
    /// Always true: every pair is a value (bottom included).
    [[nodiscard]] constexpr Bool well_formed() const { return Bool(true); }
    /// Whether x ∈ γ (false for every bottom pair: x & ~mask has no bit in mask, value has).
    [[nodiscard]] constexpr Bool contains(const W& x) const { return (x & ~mask) == value; }
    /// Whether the value is a single known word (mask 0; never bottom).
    [[nodiscard]] constexpr Bool is_const() const { return mask == W::constant(0); }
    /// Whether the value is exactly the constant c.
    [[nodiscard]] constexpr Bool equals_const(const W& c) const { return is_const() && value == c; }

    /// Containment γ(this) ⊆ γ(b), exact: bottom is below everything; otherwise b may not know
    /// a bit this leaves unknown, and must agree with this on the bits b knows.
    [[nodiscard]] constexpr Bool leq(const Tnum& b) const {
        return is_bottom() || (!b.is_bottom() && (mask & ~b.mask) == W::constant(0) &&
                               (value & ~b.mask) == b.value);
    }
    /// The least tnum above both (kernel tnum_union): a bit stays known where both know it
    /// with the same value. Bottom is the identity.
    [[nodiscard]] constexpr Tnum join(const Tnum& b) const {
        const W mu = (value ^ b.value) | mask | b.mask;
        const Tnum u(value & b.value & ~mu, mu);
        return pick(is_bottom(), b, pick(b.is_bottom(), *this, u));
    }
    /// The exact intersection: bits known in either; bottom when known bits conflict.
    [[nodiscard]] constexpr Tnum meet(const Tnum& b) const {
        const W mu = mask & b.mask;
        const Bool conflict = ((value ^ b.value) & ~mask & ~b.mask) != W::constant(0);
        return pick(is_bottom() || b.is_bottom() || conflict, bottom(),
                    Tnum((value | b.value) & ~mu, mu));
    }
    /// The join, with every bit from the lowest newly unknown one upwards unknown too: a
    /// counter loses its changing bits in one step instead of one bit per iteration (the
    /// lattice has finite height N + 1, so plain join chains stabilise too, but slowly).
    /// Bits below the lowest change (an alignment) stay known. Contains both arguments.
    [[nodiscard]] constexpr Tnum widen(const Tnum& b) const {
        const Tnum j = join(b);
        const W fresh = j.mask & ~mask;
        const W from = W::constant(0) - (fresh & (W::constant(0) - fresh));  // bits >= lowest
        const W mu = j.mask | from;
        return pick(is_bottom() || b.is_bottom(), j, Tnum(j.value & ~mu, mu));
    }
    /// Meet (exact, so decreasing chains are finite).
    [[nodiscard]] constexpr Tnum narrow(const Tnum& b) const { return meet(b); }
    constexpr void join_with(const Tnum& b) { *this = join(b); }
    constexpr void meet_with(const Tnum& b) { *this = meet(b); }
    constexpr void widen_with(const Tnum& b) { *this = widen(b); }
    constexpr void narrow_with(const Tnum& b) { *this = narrow(b); }

    // ---- the kernel's operations --------------------------------------------------------------

    /// The least tnum containing [lo, hi] (unsigned); assumes lo <= hi. The bits above the
    /// highest bit where lo and hi differ are common to the whole range.
    [[nodiscard]] static constexpr Tnum range(const W& lo, const W& hi) {
        const W delta = smear_right(lo ^ hi);
        return {lo & ~delta, delta};
    }
    /// a << k, a >> k (logical), a >> k (arithmetic) for a structural k < N: exact.
    [[nodiscard]] static constexpr Tnum lshift(const Tnum& a, unsigned k) {
        return {a.value << k, a.mask << k};
    }
    [[nodiscard]] static constexpr Tnum rshift(const Tnum& a, unsigned k) {
        return {a.value >> k, a.mask >> k};
    }
    /// An unknown sign bit shifts in unknown bits (mask), a known one its value.
    [[nodiscard]] static constexpr Tnum arshift(const Tnum& a, unsigned k) {
        return {ashr(a.value, W::constant(k)), ashr(a.mask, W::constant(k))};
    }
    /// Arithmetic shift at `bits` = N (whole word) or N/2 (low half, zero-extended), as the
    /// kernel's insn_bitness.
    [[nodiscard]] static constexpr Tnum arshift(const Tnum& a, unsigned k, unsigned bits) {
        if (bits == kBits) return arshift(a, k);
        return zext_half(HalfTnum::arshift(a.low(), k));
    }
    /// a + b, sound and optimal (CGO 2022): the carries that may differ between the smallest
    /// and largest sums, plus the unknown input bits, are unknown.
    [[nodiscard]] static constexpr Tnum add(const Tnum& a, const Tnum& b) {
        const W sv = a.value + b.value;
        const W sm = a.mask + b.mask;
        const W mu = ((sv + sm) ^ sv) | a.mask | b.mask;
        return {sv & ~mu, mu};
    }
    /// a - b, sound and optimal (CGO 2022): the borrows that may differ are unknown.
    [[nodiscard]] static constexpr Tnum sub(const Tnum& a, const Tnum& b) {
        const W dv = a.value - b.value;
        const W mu = ((dv + a.mask) ^ (dv - b.mask)) | a.mask | b.mask;
        return {dv & ~mu, mu};
    }
    /// -a = 0 - a.
    [[nodiscard]] static constexpr Tnum neg(const Tnum& a) {
        return sub(constant(W::constant(0)), a);
    }
    /// Bitwise and/or/xor, exact per bit.
    [[nodiscard]] static constexpr Tnum bit_and(const Tnum& a, const Tnum& b) {
        const W v = a.value & b.value;
        return {v, (a.value | a.mask) & (b.value | b.mask) & ~v};
    }
    [[nodiscard]] static constexpr Tnum bit_or(const Tnum& a, const Tnum& b) {
        const W v = a.value | b.value;
        return {v, (a.mask | b.mask) & ~v};
    }
    [[nodiscard]] static constexpr Tnum bit_xor(const Tnum& a, const Tnum& b) {
        const W mu = a.mask | b.mask;
        return {(a.value ^ b.value) & ~mu, mu};
    }
    /// a * b with the multiplication M (domains/tnum_mul.hpp).
    [[nodiscard]] static constexpr Tnum mul(const Tnum& a, const Tnum& b) {
        return tnum_mul::multiply<M>(a, b);
    }
    /// Kernel names for the lattice operations: the meet and the join.
    [[nodiscard]] static constexpr Tnum intersect(const Tnum& a, const Tnum& b) {
        return a.meet(b);
    }
    [[nodiscard]] static constexpr Tnum union_of(const Tnum& a, const Tnum& b) { return a.join(b); }
    /// The low `size` bytes (8-bit bytes), zero-extended; the whole value when size*8 >= N.
    [[nodiscard]] static constexpr Tnum cast(const Tnum& a, unsigned size) {
        if (size * 8 >= kBits) return a;
        const W keep = W::constant((std::uint64_t{1} << (size * 8)) - 1);
        return {a.value & keep, a.mask & keep};
    }
    /// Whether every member is a multiple of `size` (a power of two; true for 0).
    [[nodiscard]] static constexpr Bool is_aligned(const Tnum& a, std::uint64_t size) {
        if (size == 0) return Bool(true);
        return ((a.value | a.mask) & W::constant(size - 1)) == W::constant(0);
    }
    /// Whether γ(b) ⊆ γ(a) (kernel tnum_in).
    [[nodiscard]] static constexpr Bool in(const Tnum& a, const Tnum& b) { return b.leq(a); }

    /// The low half as a half-width tnum, and a half-width tnum zero-extended.
    [[nodiscard]] constexpr HalfTnum low() const {
        return {trunc<kBits / 2>(value), trunc<kBits / 2>(mask)};
    }
    [[nodiscard]] static constexpr Tnum zext_half(const HalfTnum& h) {
        return {zext<kBits>(h.value), zext<kBits>(h.mask)};
    }
    /// The subregister (low half), zero-extended (kernel tnum_subreg).
    [[nodiscard]] static constexpr Tnum subreg(const Tnum& a) { return zext_half(a.low()); }
    /// a with its low half cleared to known zeros.
    [[nodiscard]] static constexpr Tnum clear_subreg(const Tnum& a) {
        return lshift(rshift(a, kBits / 2), kBits / 2);
    }
    /// The high half of reg with the low half of sub.
    [[nodiscard]] static constexpr Tnum with_subreg(const Tnum& reg, const Tnum& part) {
        return bit_or(clear_subreg(reg), subreg(part));
    }
    /// The high half of reg with the known low half c.
    [[nodiscard]] static constexpr Tnum const_subreg(const Tnum& reg, const Half<W>& c) {
        return with_subreg(reg, zext_half(HalfTnum::constant(c)));
    }
    /// The high half of reg with the half-width tnum low (bottom when either is bottom).
    [[nodiscard]] static constexpr Tnum with_low(const Tnum& reg, const HalfTnum& part) {
        const Tnum high = clear_subreg(reg);
        return {high.value | zext<kBits>(part.value), high.mask | zext<kBits>(part.mask)};
    }
    /// Byte swaps of the low 16/32/64 register bits (a "byte" is N/8 bits): exact, a bit
    /// permutation applies to value and mask alike.
    [[nodiscard]] static constexpr Tnum bswap16(const Tnum& a) {
        return endian(EndianKind::Swap, 16, a);
    }
    [[nodiscard]] static constexpr Tnum bswap32(const Tnum& a) {
        return endian(EndianKind::Swap, 32, a);
    }
    [[nodiscard]] static constexpr Tnum bswap64(const Tnum& a) {
        return endian(EndianKind::Swap, 64, a);
    }
    /// The low `from_bits` sign-extended (identity for 0 or >= N): exact, an unknown sign bit
    /// extends as unknown bits.
    [[nodiscard]] static constexpr Tnum sign_extend(const Tnum& a, unsigned from_bits) {
        return {sem::sign_extend_word(a.value, from_bits),
                sem::sign_extend_word(a.mask, from_bits)};
    }

    // ---- the ISA beyond the kernel ------------------------------------------------------------

    /// a shifted by every amount b & (N - 1) may take: the join over k < N of shift(a, k),
    /// each guarded by whether k is a member of γ(b & (N - 1)) — a fold of `shift_step` from
    /// bottom. Sound and as precise as the constant shifts; N iterations.
    template <class Shift>
    [[nodiscard]] static constexpr Tnum shift_by(const Tnum& a, const Tnum& b, Shift shift) {
        Tnum acc = bottom();
        for (unsigned k = 0; k < kBits; ++k) acc = shift_step(acc, a, b, k, shift);
        return acc;
    }

    /// One step of `shift_by`: acc joined with shift(a, k) when k may be the amount b & (N - 1),
    /// acc otherwise. (Proved per k in solvers/prove_modular.hpp: the result contains the
    /// shift by k of every member of a, and everything acc contains.)
    template <class Shift>
    [[nodiscard]] static constexpr Tnum shift_step(const Tnum& acc, const Tnum& a, const Tnum& b,
                                                   unsigned k, Shift shift) {
        const W amount_bits = W::constant(kBits - 1);
        const Bool possible =
            ((W::constant(k) ^ b.value) & ~b.mask & amount_bits) == W::constant(0);
        return pick(possible, acc.join(shift(a, k)), acc);
    }

    /// `op` at the full width of W (the 64-bit form), without the bottom check of `alu`.
    [[nodiscard]] static constexpr Tnum compute(AluOp op, const Tnum& a, const Tnum& b,
                                                unsigned sx) {
        switch (op) {
            case AluOp::Add:
                return add(a, b);
            case AluOp::Sub:
                return sub(a, b);
            case AluOp::Mul:
                return mul(a, b);
            case AluOp::Div:
                return tnum_detail::unsigned_div(a, b);
            case AluOp::SDiv:
                return tnum_detail::signed_div(a, b);
            case AluOp::Mod:
                return tnum_detail::unsigned_rem(a, b);
            case AluOp::SMod:
                return tnum_detail::signed_rem(a, b);
            case AluOp::Or:
                return bit_or(a, b);
            case AluOp::And:
                return bit_and(a, b);
            case AluOp::Xor:
                return bit_xor(a, b);
            case AluOp::Lsh:
                return shift_by(a, b, [](const Tnum& t, unsigned k) { return lshift(t, k); });
            case AluOp::Rsh:
                return shift_by(a, b, [](const Tnum& t, unsigned k) { return rshift(t, k); });
            case AluOp::Arsh:
                return shift_by(a, b, [](const Tnum& t, unsigned k) { return arshift(t, k); });
            case AluOp::Neg:
                return neg(a);
            case AluOp::Mov:
                return b;
            case AluOp::MovSx:
                return sign_extend(b, sx);
        }
        return top();
    }

    /// An over-approximation of { alu_reg_word(op, is64, x, y, sx) | x ∈ γ(a), y ∈ γ(b) }: the
    /// 32-bit form computes on the half-width tnums and zero-extends, as `alu_reg_word` does.
    /// Bottom when an operand the operation reads is bottom.
    [[nodiscard]] static constexpr Tnum alu(const AluSpec& s, const Tnum& a, const Tnum& b) {
        const unsigned sx = s.sx_bits * kBits / 64;
        const Bool dead = s.op == AluOp::Neg ? a.is_bottom()
                          : s.op == AluOp::Mov || s.op == AluOp::MovSx
                              ? b.is_bottom()
                              : Bool(a.is_bottom() || b.is_bottom());
        const Tnum r = s.is64 ? compute(s.op, a, b, sx)
                              : zext_half(HalfTnum::compute(s.op, a.low(), b.low(), sx));
        return pick(dead, bottom(), r);
    }

    /// `endian_word` applied to value and mask: exact (truncation and byte reversal move bits).
    [[nodiscard]] static constexpr Tnum endian(EndianKind k, unsigned bits, const Tnum& a) {
        return pick(a.is_bottom(), bottom(),
                    Tnum(sem::endian_word(k, bits, a.value), sem::endian_word(k, bits, a.mask)));
    }

    // ---- branches -----------------------------------------------------------------------------

    /// Refines a and b to the pairs taking the branch side; is32 refines the low halves (as
    /// half-width tnums) and keeps the high halves. A dead side makes both results bottom.
    [[nodiscard]] static constexpr std::pair<Tnum, Tnum> assume(const Branch& br, const Tnum& a,
                                                                const Tnum& b) {
        if (!br.is32) return refine(br.cond, br.holds, a, b);
        const auto [la, lb] = HalfTnum::refine(br.cond, br.holds, a.low(), b.low());
        return {with_low(a, la), with_low(b, lb)};
    }

    /// `assume` at the full width: `cond` when holds, its negation otherwise.
    ///  - eq: both become the meet. ne: bottom when both are the same constant; a value with
    ///    one unknown bit (two members) against a constant equal to one member becomes the
    ///    other member.
    ///  - set (x & y != 0): dead when no bit may be 1 in both; when exactly one bit may, it is
    ///    1 in both. not set: the known ones of each are known zeros of the other.
    ///  - orders: x < y implies x <= max(y) - 1 and y >= min(x) + 1 (unsigned or signed); the
    ///    bound becomes a tnum range and meets the operand; dead when min(x) >= max(y).
    /// Every dead-side test is exact (tnum bits are independent and the bounds are members), so
    /// a side no pair of γ(a) × γ(b) takes always yields bottom; bottom operands give bottom.
    [[nodiscard]] static constexpr std::pair<Tnum, Tnum> refine(Cond cond, bool holds,
                                                                const Tnum& a, const Tnum& b) {
        const Pair r = refine_live(cond, holds, a, b);
        return dead_or(a.is_bottom() || b.is_bottom(), r.first, r.second);
    }

  private:
    using Pair = std::pair<Tnum, Tnum>;

    /// `refine` for non-bottom operands.
    [[nodiscard]] static constexpr Pair refine_live(Cond cond, bool holds, const Tnum& a,
                                                    const Tnum& b) {
        if (!holds && cond == Cond::Set) return refine_not_set(a, b);
        const Cond c = holds ? cond : sem::negate(cond);
        switch (c) {
            case Cond::Eq: {
                const Tnum m = a.meet(b);
                return {m, m};
            }
            case Cond::Ne:
                return refine_ne(a, b);
            case Cond::Set:
                return refine_set(a, b);
            case Cond::Lt:
                return refine_ult(a, b, true);
            case Cond::Le:
                return refine_ult(a, b, false);
            case Cond::Gt:
                return swapped(refine_ult(b, a, true));
            case Cond::Ge:
                return swapped(refine_ult(b, a, false));
            case Cond::Slt:
                return refine_slt(a, b, true);
            case Cond::Sle:
                return refine_slt(a, b, false);
            case Cond::Sgt:
                return swapped(refine_slt(b, a, true));
            case Cond::Sge:
                return swapped(refine_slt(b, a, false));
        }
        return {a, b};
    }

    [[nodiscard]] static constexpr Pair swapped(const Pair& p) { return {p.second, p.first}; }
    [[nodiscard]] static constexpr Pair dead_or(const Bool& dead, const Tnum& a, const Tnum& b) {
        return {pick(dead, bottom(), a), pick(dead, bottom(), b)};
    }

    /// t without the constant c, when t has exactly two members and c is one of them.
    [[nodiscard]] static constexpr Tnum exclude(const Tnum& t, const Tnum& c) {
        const W zero = W::constant(0);
        const Bool two = t.mask != zero && (t.mask & (t.mask - W::constant(1))) == zero;
        const Bool applies = c.is_const() && two;
        const Tnum r = pick(applies && c.value == t.value, constant(t.value | t.mask), t);
        return pick(applies && c.value == (t.value | t.mask), constant(t.value), r);
    }
    [[nodiscard]] static constexpr Pair refine_ne(const Tnum& a, const Tnum& b) {
        const Bool dead = a.is_const() && b.is_const() && a.value == b.value;
        return dead_or(dead, exclude(a, b), exclude(b, a));
    }
    [[nodiscard]] static constexpr Pair refine_set(const Tnum& a, const Tnum& b) {
        const W zero = W::constant(0);
        const W both = (a.value | a.mask) & (b.value | b.mask);
        const Bool single = (both & (both - W::constant(1))) == zero;
        const Tnum na = pick(single, Tnum(a.value | both, a.mask & ~both), a);
        const Tnum nb = pick(single, Tnum(b.value | both, b.mask & ~both), b);
        return dead_or(both == zero, na, nb);
    }
    [[nodiscard]] static constexpr Pair refine_not_set(const Tnum& a, const Tnum& b) {
        const Bool dead = (a.value & b.value) != W::constant(0);
        return dead_or(dead, Tnum(a.value, a.mask & ~b.value), Tnum(b.value, b.mask & ~a.value));
    }
    /// x < y (strict) or x <= y, unsigned.
    [[nodiscard]] static constexpr Pair refine_ult(const Tnum& a, const Tnum& b, bool strict) {
        const W one = W::constant(strict ? 1 : 0);
        const W amin = tnum_detail::umin_of(a);
        const W bmax = tnum_detail::umax_of(b);
        const Bool dead = strict ? Bool(bmax <= amin) : Bool(bmax < amin);
        const Tnum na = a.meet(range(W::constant(0), bmax - one));
        const Tnum nb = b.meet(range(amin + one, W::ones()));
        return dead_or(dead, na, nb);
    }
    /// x < y (strict) or x <= y, signed.
    [[nodiscard]] static constexpr Pair refine_slt(const Tnum& a, const Tnum& b, bool strict) {
        const W one = W::constant(strict ? 1 : 0);
        const W sign = tnum_detail::sign_of_width<W>();
        const W asmin = tnum_detail::smin_of(a);
        const W bsmax = tnum_detail::smax_of(b);
        const Bool dead = strict ? Bool(sle(bsmax, asmin)) : Bool(slt(bsmax, asmin));
        const Tnum na = a.meet(tnum_detail::srange<Tnum>(sign, bsmax - one));
        const Tnum nb = b.meet(tnum_detail::srange<Tnum>(asmin + one, ~sign));
        return dead_or(dead, na, nb);
    }
};

/// A tnum on machine words as text: `0b10x1` digit by digit (x unknown) up to 16 bits,
/// `(value=0x…;mask=0x…)` above, `bottom` for an empty value.
template <unsigned N, TnumMul M>
[[nodiscard]] std::string to_string(const Tnum<Bits<N>, M>& t) {
    if (t.is_bottom()) return "bottom";
    static constexpr char kHex[] = "0123456789abcdef";
    auto hex = [](std::uint64_t v) {
        std::string s;
        do {
            s.insert(s.begin(), kHex[v & 0xf]);
            v >>= 4;
        } while (v != 0);
        return "0x" + s;
    };
    if (N > 16) return "(value=" + hex(t.value.raw()) + ";mask=" + hex(t.mask.raw()) + ")";
    std::string s = "0b";
    for (unsigned i = N; i-- > 0;) {
        const std::uint64_t bit = std::uint64_t{1} << i;
        s += (t.mask.raw() & bit) != 0 ? 'x' : (t.value.raw() & bit) != 0 ? '1' : '0';
    }
    return s;
}

static_assert(ValueDomain<Tnum<Bits<64>>> && ValueDomain<Tnum<Bits<8>>>);

}  // namespace bpflab::dom
