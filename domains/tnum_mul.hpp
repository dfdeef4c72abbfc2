// SPDX-License-Identifier: Apache-2.0
// bpflab: the three published tnum multiplications, written once over a tnum type.
#pragma once

#include <optional>
#include <string_view>

namespace bpflab::dom {

/// Which tnum multiplication `Tnum::alu` uses (compared in tests/domains/tnum_test.cpp).
enum class TnumMul {
    Kernel2017,  ///< Linux 4.14 (2017): partial products of each possibly-set multiplier bit
    Cgo2022,     ///< "Sound, precise, and fast abstract interpretation with tristate numbers"
    Union2025,   ///< an unknown multiplier bit joins the sums with and without the summand
};

/// The registry name of the tnum domain that multiplies with `m`.
[[nodiscard]] constexpr std::string_view tnum_name(TnumMul m) {
    switch (m) {
        case TnumMul::Kernel2017:
            return "tnum-mul2017";
        case TnumMul::Cgo2022:
            return "tnum";
        case TnumMul::Union2025:
            return "tnum-mul2025";
    }
    return "tnum";
}

/// The multiplication whose tnum domain is registered as `name`, if any.
[[nodiscard]] constexpr std::optional<TnumMul> tnum_mul_from_name(std::string_view name) {
    for (auto m : {TnumMul::Kernel2017, TnumMul::Cgo2022, TnumMul::Union2025})
        if (tnum_name(m) == name) return m;
    return std::nullopt;
}

/// The multiplications, generic over a tnum type T (public `value`, `mask`; static `add`,
/// `constant`, `pick`; `join`). Every loop runs exactly T::kBits times; a bit test becomes a
/// `pick`, so the same code builds Z3 terms. Inputs are assumed non-bottom.
namespace tnum_mul {

/// Whether bit i of w is set (a Bool of the word algebra).
template <class W>
[[nodiscard]] constexpr auto bit(const W& w, unsigned i) {
    return ((w >> i) & W::constant(1)) != W::constant(0);
}

/// 2017: a*b = a.v*b.v + Σ_{i: bit i of b.v|b.m may be 1} (0, a.m << i)
///                   + Σ_{i: bit i of a.v is 1} (0, b.m << i).
/// Sound: write x = a.v + xm, y = b.v + ym with xm ⊆ a.m, ym ⊆ b.m; then
/// x*y = a.v*b.v + xm*y + a.v*ym, and xm*y is a sum of (xm << i) over the set bits of y, each
/// in γ(0, a.m << i); likewise a.v*ym. Tnum addition is sound, so the sum is covered.
template <class T>
[[nodiscard]] constexpr T kernel2017(const T& a, const T& b) {
    using W = typename T::Word;
    const W zero = W::constant(0);
    const W multiplier = b.value | b.mask;
    T acc = T::constant(a.value * b.value);
    for (unsigned i = 0; i < W::kBits; ++i)
        acc = T::pick(bit(multiplier, i), T::add(acc, T(zero, a.mask << i)), acc);
    for (unsigned i = 0; i < W::kBits; ++i)
        acc = T::pick(bit(a.value, i), T::add(acc, T(zero, b.mask << i)), acc);
    return acc;
}

/// CGO 2022 (the Linux kernel's since 2021): walk the multiplier a's bits; a known 1 at bit i adds
/// (0, b.m << i), an unknown bit adds (0, (b.v | b.m) << i); finally add the exact a.v*b.v.
/// Sound: x*y = Σ_i x_i (y << i). Where a.v_i = 1 the term is (b.v << i) + (ym << i): the
/// first part is in a.v*b.v, the second in γ(0, b.m << i). Where a.m_i = 1 the term is 0 or
/// y << i, both in γ(0, (b.v | b.m) << i). Tnum addition is sound (Vishwanathan et al.,
/// CGO 2022; checked exhaustively at 8 bits in tests/domains).
template <class T>
[[nodiscard]] constexpr T cgo2022(const T& a, const T& b) {
    using W = typename T::Word;
    const W zero = W::constant(0);
    T acc = T::constant(zero);
    for (unsigned i = 0; i < W::kBits; ++i) {
        const T known_one = T::add(acc, T(zero, b.mask << i));
        const T unknown = T::add(acc, T(zero, (b.value | b.mask) << i));
        acc = T::pick(bit(a.value, i), known_one, T::pick(bit(a.mask, i), unknown, acc));
    }
    return T::add(T::constant(a.value * b.value), acc);
}

/// 2025 (union-based): acc starts at 0; at bit i a known 1 adds b << i, an unknown bit
/// replaces acc by acc ⊔ (acc + (b << i)). Sound: by induction on i, acc covers
/// Σ_{j<i} x_j (y << j) for every x ∈ γ(a), y ∈ γ(b), because each step covers both choices
/// of x_i and tnum addition and join are sound.
template <class T>
[[nodiscard]] constexpr T union2025(const T& a, const T& b) {
    using W = typename T::Word;
    T acc = T::constant(W::constant(0));
    for (unsigned i = 0; i < W::kBits; ++i) {
        const T sum = T::add(acc, T(b.value << i, b.mask << i));
        acc = T::pick(bit(a.value, i), sum, T::pick(bit(a.mask, i), acc.join(sum), acc));
    }
    return acc;
}

/// The multiplication selected by `m`.
template <TnumMul m, class T>
[[nodiscard]] constexpr T multiply(const T& a, const T& b) {
    if constexpr (m == TnumMul::Kernel2017) {
        return kernel2017(a, b);
    } else if constexpr (m == TnumMul::Union2025) {
        return union2025(a, b);
    } else {
        return cgo2022(a, b);
    }
}

}  // namespace tnum_mul
}  // namespace bpflab::dom
