// SPDX-License-Identifier: Apache-2.0
// bpflab: interval arithmetic on a word's unsigned and signed views at one width — the ALU
// transfer functions the interval product applies at full width and at half width.
#pragma once

#include "core/isa.hpp"
#include "core/semantics.hpp"
#include "core/word.hpp"
#include "domains/interval_range.hpp"

namespace bpflab::dom::ivl {

/// The unsigned and the signed interval of the same words (each over-approximates the set).
template <Word V>
struct Views {
    UInterval<V> u;
    SInterval<V> s;
    /// Both views bottom when either is.
    [[nodiscard]] Views exchanged() const {
        const UInterval<V> u2 = u.meet_wrapped(s.lo(), s.hi());
        const SInterval<V> s2 = s.meet_wrapped(u2.lo(), u2.hi());
        const typename V::Bool dead = u2.is_bottom() || s2.is_bottom();
        return {select(dead, UInterval<V>::bottom(), u2), select(dead, SInterval<V>::bottom(), s2)};
    }
    [[nodiscard]] static Views constant(const V& c) {
        return {UInterval<V>(c, c), SInterval<V>(c, c)};
    }
    friend Views select(const typename V::Bool& c, const Views& a, const Views& b) {
        return {select(c, a.u, b.u), select(c, a.s, b.s)};
    }
};

template <Word V>
[[nodiscard]] inline typename V::Bool same(const typename V::Bool& a, const typename V::Bool& b) {
    return (a && b) || (!a && !b);
}
template <Word V>
[[nodiscard]] inline typename V::Bool negative(const V& v) {
    return slt(v, V::constant(0));
}
/// Whether v is a sign-extended N/2-bit number (|v| < 2^(N/2 - 1) or v = -2^(N/2 - 1)).
template <Word V>
[[nodiscard]] inline typename V::Bool fits_half(const V& v) {
    return sem::sign_extend_word(v, V::kBits / 2) == v;
}

// ---- addition and subtraction --------------------------------------------------------------
// Soundness: over the integers x + y ranges over the whole of [a.lo + b.lo, a.hi + b.hi]; both
// ends wrapped by the same multiple of 2^N (equal carries, or equal signed-overflow classes)
// means every sum in between is wrapped by that multiple too, so the wrapped interval is the
// image, exactly. Otherwise the image may cover both ends of the view: top.

template <Word V>
[[nodiscard]] UInterval<V> add_u(const UInterval<V>& a, const UInterval<V>& b) {
    const V lo = a.lo() + b.lo(), hi = a.hi() + b.hi();
    return select(same<V>(lo < a.lo(), hi < a.hi()), UInterval<V>(lo, hi), UInterval<V>::top());
}
template <Word V>
[[nodiscard]] SInterval<V> add_s(const SInterval<V>& a, const SInterval<V>& b) {
    const V lo = a.lo() + b.lo(), hi = a.hi() + b.hi();
    auto up = [](const V& x, const V& y, const V& r) {
        return !negative(x) && !negative(y) && negative(r);
    };
    auto down = [](const V& x, const V& y, const V& r) {
        return negative(x) && negative(y) && !negative(r);
    };
    const auto ok = same<V>(up(a.lo(), b.lo(), lo), up(a.hi(), b.hi(), hi)) &&
                    same<V>(down(a.lo(), b.lo(), lo), down(a.hi(), b.hi(), hi));
    return select(ok, SInterval<V>(lo, hi), SInterval<V>::top());
}
template <Word V>
[[nodiscard]] UInterval<V> sub_u(const UInterval<V>& a, const UInterval<V>& b) {
    const V lo = a.lo() - b.hi(), hi = a.hi() - b.lo();
    return select(same<V>(a.lo() < b.hi(), a.hi() < b.lo()), UInterval<V>(lo, hi),
                  UInterval<V>::top());
}
template <Word V>
[[nodiscard]] SInterval<V> sub_s(const SInterval<V>& a, const SInterval<V>& b) {
    const V lo = a.lo() - b.hi(), hi = a.hi() - b.lo();
    auto up = [](const V& x, const V& y, const V& r) {
        return !negative(x) && negative(y) && negative(r);
    };
    auto down = [](const V& x, const V& y, const V& r) {
        return negative(x) && !negative(y) && !negative(r);
    };
    const auto ok = same<V>(up(a.lo(), b.hi(), lo), up(a.hi(), b.lo(), hi)) &&
                    same<V>(down(a.lo(), b.hi(), lo), down(a.hi(), b.lo(), hi));
    return select(ok, SInterval<V>(lo, hi), SInterval<V>::top());
}

// ---- multiplication ------------------------------------------------------------------------
// Unsigned: x * y is monotone in both operands while a.hi * b.hi does not overflow (checked by
// dividing back). Signed: when all four bounds are N/2-bit numbers no product overflows and the
// extremes are among the four corner products; non-negative operands use the unsigned rule
// when the largest product stays below 2^(N-1).

template <Word V>
[[nodiscard]] UInterval<V> mul_u(const UInterval<V>& a, const UInterval<V>& b) {
    const V zero = V::constant(0), hi = a.hi() * b.hi();
    const auto ok = b.hi() == zero || udiv(hi, b.hi()) == a.hi();
    return select(ok, UInterval<V>(a.lo() * b.lo(), hi), UInterval<V>::top());
}
template <Word V>
[[nodiscard]] SInterval<V> mul_s(const SInterval<V>& a, const SInterval<V>& b) {
    const V zero = V::constant(0);
    const V p1 = a.lo() * b.lo(), p2 = a.lo() * b.hi(), p3 = a.hi() * b.lo(), p4 = a.hi() * b.hi();
    const auto small =
        fits_half(a.lo()) && fits_half(a.hi()) && fits_half(b.lo()) && fits_half(b.hi());
    const SInterval<V> corners(smin(smin(p1, p2), smin(p3, p4)), smax(smax(p1, p2), smax(p3, p4)));
    const auto nonneg = sle(zero, a.lo()) && sle(zero, b.lo());
    const auto no_wrap = (b.hi() == zero || udiv(p4, b.hi()) == a.hi()) && sle(zero, p4);
    return select(small || (nonneg && no_wrap), corners, SInterval<V>::top());
}

// ---- division and remainder (the ISA's rules: x / 0 = 0, x % 0 = x) -------------------------

/// Unsigned: x / y is increasing in x and decreasing in y; a divisor range holding 0 adds 0.
template <Word V>
[[nodiscard]] UInterval<V> div_u(const UInterval<V>& a, const UInterval<V>& b) {
    const V zero = V::constant(0), one = V::constant(1);
    return UInterval<V>(select(b.lo() == zero, zero, udiv(a.lo(), b.hi())),
                        select(b.hi() == zero, zero, udiv(a.hi(), umax(b.lo(), one))));
}
/// Signed: for divisors of one sign, x / y is monotone in each operand, so the extremes are
/// corner quotients — except when smin / -1 wraps, where the maximum may lie inside (top).
/// A divisor range touching 0 is cut to its non-zero side and 0 is added; divisors of both
/// signs give top.
template <Word V>
[[nodiscard]] SInterval<V> sdiv_s(const SInterval<V>& a, const SInterval<V>& b) {
    const V zero = V::constant(0), one = V::constant(1), m1 = V::ones();
    const V bl = select(b.lo() == zero, one, b.lo()), bh = select(b.hi() == zero, m1, b.hi());
    const auto one_sign = sle(one, bl) || slt(bh, zero);
    const auto wraps = a.lo() == Order<V, true>::least() && sle(bl, m1) && sle(m1, bh);
    const V q1 = sdiv(a.lo(), bl), q2 = sdiv(a.lo(), bh), q3 = sdiv(a.hi(), bl),
            q4 = sdiv(a.hi(), bh);
    SInterval<V> r(smin(smin(q1, q2), smin(q3, q4)), smax(smax(q1, q2), smax(q3, q4)));
    r = select(b.contains(zero), r.join(SInterval<V>::constant(zero)), r);
    r = select(one_sign && !wraps, r, SInterval<V>::top());
    return select(b.lo() == zero && b.hi() == zero, SInterval<V>::constant(zero), r);
}
/// Unsigned: x % y < y and x % y <= x; exact (x) when x < y always; a divisor 0 keeps x.
template <Word V>
[[nodiscard]] UInterval<V> mod_u(const UInterval<V>& a, const UInterval<V>& b) {
    const V zero = V::constant(0), one = V::constant(1);
    UInterval<V> r = select(a.hi() < b.lo(), a, UInterval<V>(zero, umin(a.hi(), b.hi() - one)));
    r = select(b.lo() == zero, r.join(a), r);
    return select(b.hi() == zero, a, r);
}
/// Signed: the remainder has the dividend's sign (or is 0), |x % y| <= |x| and
/// |x % y| <= |y| - 1 (for y = smin, |y| - 1 = smax = ~smin); smin % -1 = 0 is inside. A
/// non-negative dividend below a positive divisor is kept exactly; a divisor 0 keeps x.
template <Word V>
[[nodiscard]] SInterval<V> smod_s(const SInterval<V>& a, const SInterval<V>& b) {
    const V zero = V::constant(0), one = V::constant(1);
    const V mm1 = smax(select(sle(one, b.hi()), b.hi() - one, zero),
                       select(slt(b.lo(), zero), ~b.lo(), zero));
    SInterval<V> r(select(sle(zero, a.lo()), zero, smax(a.lo(), -mm1)),
                   select(slt(a.hi(), zero), zero, smin(a.hi(), mm1)));
    r = select(sle(zero, a.lo()) && slt(a.hi(), b.lo()), a, r);
    r = select(b.contains(zero), r.join(a), r);
    return select(b.lo() == zero && b.hi() == zero, a, r);
}

// ---- bitwise operations --------------------------------------------------------------------
// Unsigned: x & y <= min(x, y); x | y >= max(x, y); x | y and x ^ y have no bit above the
// highest bit of a.hi | b.hi. Signed: by the signs (non-negative A, negative An): the result
// of & is non-negative when one operand is, below the negative operands when both are;
// | is negative and above a negative operand; ^ of like signs is non-negative and its
// complement bound comes from ~x, ~y.

template <Word V>
[[nodiscard]] UInterval<V> bitwise_u(AluOp op, const UInterval<V>& a, const UInterval<V>& b) {
    const V zero = V::constant(0), span = smear_right(a.hi() | b.hi());
    if (op == AluOp::And) return UInterval<V>(zero, umin(a.hi(), b.hi()));
    if (op == AluOp::Or) return UInterval<V>(umax(a.lo(), b.lo()), span);
    return UInterval<V>(zero, span);
}
template <Word V>
[[nodiscard]] SInterval<V> bitwise_s(AluOp op, const SInterval<V>& a, const SInterval<V>& b) {
    const V zero = V::constant(0), m1 = V::ones();
    const V least = Order<V, true>::least(), greatest = Order<V, true>::greatest();
    const auto pa = sle(zero, a.lo()), pb = sle(zero, b.lo());
    const auto na = negative(a.hi()), nb = negative(b.hi());
    if (op == AluOp::And) {
        const V hi = select(
            pa && pb, smin(a.hi(), b.hi()),
            select(
                pa, a.hi(),
                select(pb, b.hi(), select(na && nb, smin(a.hi(), b.hi()), smax(a.hi(), b.hi())))));
        return SInterval<V>(select(pa || pb, zero, least), hi);
    }
    if (op == AluOp::Or) {
        const SInterval<V> neg(select(na && nb, smax(a.lo(), b.lo()), select(na, a.lo(), b.lo())),
                               m1);
        const V pos_hi = smear_right(smax(a.hi(), zero) | smax(b.hi(), zero));
        const SInterval<V> pos(select(pa && pb, smax(a.lo(), b.lo()), smin(a.lo(), b.lo())),
                               pos_hi);
        return select(na || nb, neg, pos);
    }
    const SInterval<V> like_pos(zero, smear_right(a.hi() | b.hi()));
    const SInterval<V> like_neg(zero, smear_right(~a.lo() | ~b.lo()));
    const SInterval<V> a_pos(~smear_right(a.hi() | ~b.lo()), m1);
    const SInterval<V> b_pos(~smear_right(b.hi() | ~a.lo()), m1);
    return select(
        pa && pb, like_pos,
        select(na && nb, like_neg,
               select(pa && nb, a_pos, select(na && pb, b_pos, SInterval<V>(least, greatest)))));
}

// ---- shifts (amounts masked to N - 1) ------------------------------------------------------

/// The range of the masked shift amounts: exact when the amount range stays within one block
/// of N, all amounts otherwise.
template <Word V>
[[nodiscard]] std::pair<V, V> shift_amounts(const UInterval<V>& b) {
    const V m = V::constant(V::kBits - 1), zero = V::constant(0);
    const auto one_block = (b.lo() & ~m) == (b.hi() & ~m);
    return {select(one_block, b.lo() & m, zero), select(one_block, b.hi() & m, m)};
}
/// x << k is monotone in x for each k, and in k for each x, while nothing is shifted out
/// (checked at the largest amount by shifting back).
template <Word V>
[[nodiscard]] Views<V> lsh(const Views<V>& a, const UInterval<V>& b) {
    const auto [kl, kh] = shift_amounts(b);
    const V uhi = shl(a.u.hi(), kh);
    const UInterval<V> u = select(lshr(uhi, kh) == a.u.hi(), UInterval<V>(shl(a.u.lo(), kl), uhi),
                                  UInterval<V>::top());
    const V l1 = shl(a.s.lo(), kl), l2 = shl(a.s.lo(), kh), h1 = shl(a.s.hi(), kl),
            h2 = shl(a.s.hi(), kh);
    const auto ok = ashr(l2, kh) == a.s.lo() && ashr(h2, kh) == a.s.hi();
    const SInterval<V> s =
        select(ok, SInterval<V>(smin(l1, l2), smax(h1, h2)), SInterval<V>::top());
    return {u, s};
}
/// Logical: decreasing in k, increasing in x. Arithmetic: increasing in x; in k towards 0 for
/// x >= 0 and towards -1 for x < 0.
template <Word V>
[[nodiscard]] Views<V> rsh(AluOp op, const Views<V>& a, const UInterval<V>& b) {
    const auto [kl, kh] = shift_amounts(b);
    if (op == AluOp::Rsh)
        return {UInterval<V>(lshr(a.u.lo(), kh), lshr(a.u.hi(), kl)), SInterval<V>::top()};
    const V lo = ashr(a.s.lo(), select(negative(a.s.lo()), kl, kh));
    const V hi = ashr(a.s.hi(), select(negative(a.s.hi()), kh, kl));
    return {UInterval<V>::top(), SInterval<V>(lo, hi)};
}

/// Sign extension from the low `sx` bits (0 < sx < N): the result lies in the signed sx-bit
/// range; exact when the low sx bits of the operand form an interval on one side of 2^(sx-1),
/// and the identity when the operand already is a sign-extended sx-bit number.
template <Word V>
[[nodiscard]] Views<V> movsx(const Views<V>& b, unsigned sx) {
    const V m = V::constant((std::uint64_t{1} << sx) - 1),
            half = V::constant(std::uint64_t{1} << (sx - 1));
    const SInterval<V> full(-half, half - V::constant(1));
    const auto one_block = lshr(b.u.lo(), V::constant(sx)) == lshr(b.u.hi(), V::constant(sx));
    const V l = b.u.lo() & m, h = b.u.hi() & m;
    const auto one_side = (h < half) || !(l < half);
    SInterval<V> s =
        select(one_block && one_side,
               SInterval<V>(sem::sign_extend_word(l, sx), sem::sign_extend_word(h, sx)), full);
    s = select(b.s.leq(full), b.s, s);
    return {UInterval<V>::top(), s};
}

/// The low `width` bits (width < N) of the words of the wrapped interval [lo, hi], zero-extended:
/// an interval when the range spans fewer than 2^width words and its low parts do not wrap.
template <Word V>
[[nodiscard]] UInterval<V> low_bits(const V& lo, const V& hi, unsigned width) {
    const V m = V::constant((std::uint64_t{1} << width) - 1);
    const V l = lo & m, h = hi & m;
    const auto fits = lshr(hi - lo, V::constant(width)) == V::constant(0);
    return select(fits && l <= h, UInterval<V>(l, h), UInterval<V>(V::constant(0), m));
}

/// `a op b` on both views at width V (the ISA's N-bit form; sx as alu_word takes it), each
/// view computed where it is cheap (the caller reduces). Constants give the exact constant.
template <Word V>
[[nodiscard]] Views<V> alu(AluOp op, const Views<V>& a, const Views<V>& b, unsigned sx) {
    Views<V> r{UInterval<V>::top(), SInterval<V>::top()};
    switch (op) {
        case AluOp::Add:
            r = {add_u(a.u, b.u), add_s(a.s, b.s)};
            break;
        case AluOp::Sub:
            r = {sub_u(a.u, b.u), sub_s(a.s, b.s)};
            break;
        case AluOp::Neg: {
            const Views<V> zero = Views<V>::constant(V::constant(0));
            r = {sub_u(zero.u, a.u), sub_s(zero.s, a.s)};
            break;
        }
        case AluOp::Mul:
            r = {mul_u(a.u, b.u), mul_s(a.s, b.s)};
            break;
        case AluOp::Div:
            r.u = div_u(a.u, b.u);
            break;
        case AluOp::SDiv:
            r.s = sdiv_s(a.s, b.s);
            break;
        case AluOp::Mod:
            r.u = mod_u(a.u, b.u);
            break;
        case AluOp::SMod:
            r.s = smod_s(a.s, b.s);
            break;
        case AluOp::And:
        case AluOp::Or:
        case AluOp::Xor:
            r = {bitwise_u(op, a.u, b.u), bitwise_s(op, a.s, b.s)};
            break;
        case AluOp::Lsh:
            r = lsh(a, b.u);
            break;
        case AluOp::Rsh:
        case AluOp::Arsh:
            r = rsh(op, a, b.u);
            break;
        case AluOp::Mov:
            r = b;
            break;
        case AluOp::MovSx:
            r = (sx == 0 || sx >= V::kBits) ? b : movsx(b, sx);
            break;
    }
    const bool uses_a = op != AluOp::Mov && op != AluOp::MovSx;
    const bool uses_b = op != AluOp::Neg;
    typename V::Bool exact = true;
    if (uses_a) exact = exact && a.u.is_constant();
    if (uses_b) exact = exact && b.u.is_constant();
    const Views<V> c = Views<V>::constant(sem::alu_word<V>(op, a.u.lo(), b.u.lo(), sx));
    return select(exact, c, r);
}

}  // namespace bpflab::dom::ivl
