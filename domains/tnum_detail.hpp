// SPDX-License-Identifier: Apache-2.0
// bpflab: tnum bounds, signed ranges and the range-based division and remainder transfers,
// generic over a tnum type T (domains/tnum.hpp).
#pragma once

#include <cstdint>

#include "core/isa.hpp"
#include "core/semantics.hpp"
#include "core/word.hpp"

namespace bpflab::dom::tnum_detail {

template <class W>
[[nodiscard]] constexpr W sign_of_width() {
    return W::constant(std::uint64_t{1} << (W::kBits - 1));
}

/// The unsigned and signed bounds of a non-bottom tnum: its least and greatest members.
template <class T>
[[nodiscard]] constexpr typename T::Word umin_of(const T& t) {
    return t.value;
}
template <class T>
[[nodiscard]] constexpr typename T::Word umax_of(const T& t) {
    return t.value | t.mask;
}
template <class T>
[[nodiscard]] constexpr typename T::Word smin_of(const T& t) {
    using W = typename T::Word;
    return t.value | (t.mask & sign_of_width<W>());
}
template <class T>
[[nodiscard]] constexpr typename T::Word smax_of(const T& t) {
    using W = typename T::Word;
    return t.value | (t.mask & ~sign_of_width<W>());
}

/// Whether the sign bit of every member is known 0 / known 1.
template <class T>
[[nodiscard]] constexpr auto non_negative(const T& t) {
    using W = typename T::Word;
    return (umax_of(t) & sign_of_width<W>()) == W::constant(0);
}
template <class T>
[[nodiscard]] constexpr auto negative(const T& t) {
    using W = typename T::Word;
    return (t.value & sign_of_width<W>()) != W::constant(0);
}

/// |w| as an unsigned word (2^(N-1) for smin, which is representable unsigned).
template <class W>
[[nodiscard]] constexpr W magnitude(const W& w) {
    return select(slt(w, W::constant(0)), -w, w);
}

/// The largest |x| over a non-bottom tnum: the magnitude is greatest at a signed extreme.
template <class T>
[[nodiscard]] constexpr typename T::Word max_magnitude(const T& t) {
    return umax(magnitude(smin_of(t)), magnitude(smax_of(t)));
}

/// The tnum of the signed range [lo, hi]; assumes sle(lo, hi). Same signs: an unsigned range;
/// otherwise the two unsigned pieces [lo, ones] and [0, hi] joined.
template <class T>
[[nodiscard]] constexpr T srange(const typename T::Word& lo, const typename T::Word& hi) {
    using W = typename T::Word;
    const auto same_sign = ((lo ^ hi) & sign_of_width<W>()) == W::constant(0);
    return T::pick(same_sign, T::range(lo, hi),
                   T::range(lo, W::ones()).join(T::range(W::constant(0), hi)));
}

/// The tnum of the signed range [-m, m] for an unsigned magnitude m <= 2^(N-1) (0 for m = 0).
template <class T>
[[nodiscard]] constexpr T symmetric(const typename T::Word& m) {
    using W = typename T::Word;
    const W zero = W::constant(0);
    return T::pick(m == zero, T::constant(zero), T::range(zero, m).join(T::range(-m, W::ones())));
}

/// ISA unsigned division (x / 0 = 0). Both constant: exact. Otherwise, for y ≠ 0 in
/// [max(ymin, 1), ymax], x / y is monotone in both operands, so it lies in
/// [xmin / ymax, xmax / max(ymin, 1)]; 0 joins when y may be 0 (b.value = 0). A known
/// power-of-two divisor 2^k also bounds the quotient by the exact shift a >> k.
template <class T>
[[nodiscard]] constexpr T unsigned_div(const T& a, const T& b) {
    using W = typename T::Word;
    const W zero = W::constant(0);
    const W ymax = umax_of(b);
    const W ylo = umax(umin_of(b), W::constant(1));
    const T quotients = T::range(udiv(umin_of(a), ymax), udiv(umax_of(a), ylo));
    const T with_zero = T::pick(umin_of(b) == zero, quotients.join(T::constant(zero)), quotients);
    // Dividing by a known 2^k is the exact shift a >> k; both bounds hold, so meet them.
    T by_shift = T::top();
    for (unsigned k = 0; k < W::kBits; ++k)
        by_shift =
            T::pick(b.equals_const(W::constant(std::uint64_t{1} << k)), T::rshift(a, k), by_shift);
    const T exact = T::constant(sem::alu_word<W>(AluOp::Div, a.value, b.value));
    return T::pick(a.is_const() && b.is_const(), exact,
                   T::pick(ymax == zero, T::constant(zero), with_zero.meet(by_shift)));
}

/// ISA unsigned remainder (x % 0 = x). For y ≠ 0, x % y <= min(x, y - 1); when every x is
/// below every y the result is x itself; a known power-of-two divisor keeps the low bits
/// (x & (y - 1)); when y may be 0, a joins.
template <class T>
[[nodiscard]] constexpr T unsigned_rem(const T& a, const T& b) {
    using W = typename T::Word;
    const W zero = W::constant(0);
    const W one = W::constant(1);
    const W ymax = umax_of(b);
    const T bounded = T::range(zero, umin(umax_of(a), ymax - one));
    const T nonzero = T::pick(umax_of(a) < umin_of(b), a, bounded);
    const auto power_of_two =
        b.is_const() && b.value != zero && (b.value & (b.value - one)) == zero;
    const T refined = T::pick(power_of_two, T::bit_and(a, T::constant(b.value - one)), nonzero);
    const T with_zero = T::pick(umin_of(b) == zero, refined.join(a), refined);
    const T exact = T::constant(sem::alu_word<W>(AluOp::Mod, a.value, b.value));
    return T::pick(a.is_const() && b.is_const(), exact, T::pick(ymax == zero, a, with_zero));
}

/// ISA signed division (x / 0 = 0, smin / -1 = smin). Both non-negative: the unsigned
/// quotient. Otherwise, for y ≠ 0, |x / y| <= max|x| / min|y| =: M (truncation), where min|y|
/// over the non-zero members is max(ymin, 1) for a non-negative divisor, |smax(y)| for a
/// negative one and 1 otherwise. Operands of known signs fix the quotient's sign: [0, M] or
/// [-M, 0]; else [-M, M]. M is an unsigned magnitude, so smin / -1 = smin (|smin| = M =
/// 2^(N-1)) lies in [0, M] read unsigned as well as in [-M, 0]; x / 0 = 0 is in every case.
template <class T>
[[nodiscard]] constexpr T signed_div(const T& a, const T& b) {
    using W = typename T::Word;
    const W zero = W::constant(0);
    const W one = W::constant(1);
    const W min_divisor = select(non_negative(b), umax(b.value, one),
                                 select(negative(b), magnitude(smax_of(b)), one));
    const W m = udiv(max_magnitude(a), min_divisor);
    const T positive = T::range(zero, m);
    const T negatives =
        T::pick(m == zero, T::constant(zero), T::range(-m, W::ones()).join(T::constant(zero)));
    const auto same_sign = (non_negative(a) && non_negative(b)) || (negative(a) && negative(b));
    const auto opposite = (non_negative(a) && negative(b)) || (negative(a) && non_negative(b));
    const T bounded = T::pick(same_sign, positive, T::pick(opposite, negatives, symmetric<T>(m)));
    const T exact = T::constant(sem::alu_word<W>(AluOp::SDiv, a.value, b.value));
    const T general = T::pick(non_negative(a) && non_negative(b), unsigned_div(a, b), bounded);
    return T::pick(a.is_const() && b.is_const(), exact, general);
}

/// ISA signed remainder (x % 0 = x, smin % -1 = 0): the dividend's sign, and for y ≠ 0
/// |r| <= min(|x|, |y| - 1). Both non-negative: the unsigned remainder. When y may be 0,
/// a joins.
template <class T>
[[nodiscard]] constexpr T signed_rem(const T& a, const T& b) {
    using W = typename T::Word;
    const W zero = W::constant(0);
    const W bound = umin(max_magnitude(a), max_magnitude(b) - W::constant(1));
    const T positive = T::range(zero, bound);
    const T negatives = T::range(-bound, W::ones()).join(T::constant(zero));
    const T signed_part = T::pick(non_negative(a), positive,
                                  T::pick(negative(a), negatives, positive.join(negatives)));
    const T nonzero = T::pick(bound == zero, T::constant(zero), signed_part);
    const T with_zero = T::pick(b.value == zero, nonzero.join(a), nonzero);
    const T general = T::pick(non_negative(a) && non_negative(b), unsigned_rem(a, b), with_zero);
    const T exact = T::constant(sem::alu_word<W>(AluOp::SMod, a.value, b.value));
    return T::pick(a.is_const() && b.is_const(), exact, general);
}

}  // namespace bpflab::dom::tnum_detail
