// SPDX-License-Identifier: Apache-2.0
// bpflab: the word algebra that domain arithmetic and concrete semantics are written against.
#pragma once

#include <concepts>
#include <cstdint>

namespace bpflab {

/// An N-bit machine word (1 <= N <= 64), the value type that analysis runs on.
///
/// Domain arithmetic (tnums, intervals, the kernel product) and the word-generic concrete
/// semantics are templates over a `Word`: `Bits<N>` when analysing and testing (N = 64 for the
/// register width, 8 for exhaustive tests), a Z3 bit-vector word (`solvers/z3_word.hpp`) when
/// proving. Code written against the concept must therefore:
///   - never branch on a word comparison with `if`/`?:` — use `select(cond, a, b)`;
///   - loop only a structural number of times (bit positions), never until a word condition;
///   - shift by a structural `unsigned` with `<<`/`>>` (amount < N), or by a word with
///     `shl`/`lshr`/`ashr`, which follow SMT-LIB: an amount >= N gives 0 (or the sign fill).
/// Division follows SMT-LIB too (`udiv(x, 0)` = all ones, `urem(x, 0)` = x); the ISA's own
/// rules (division by zero gives 0 …) live in `core/semantics.hpp` on top of these.
template <unsigned N>
class Bits {
    static_assert(N >= 1 && N <= 64);

public:
    using Bool = bool;
    static constexpr unsigned kBits = N;
    static constexpr std::uint64_t kMask = N == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << N) - 1;
    template <unsigned M>
    using Resize = Bits<M>;

    /// Zero; a default-constructed word is 0.
    constexpr Bits() = default;
    /// The low N bits of `v` (implicit: a machine word is a number).
    constexpr Bits(std::uint64_t v) : v_(v & kMask) {}  // NOLINT(google-explicit-constructor)
    [[nodiscard]] static constexpr Bits constant(std::uint64_t v) { return Bits(v); }
    [[nodiscard]] static constexpr Bits ones() { return Bits(kMask); }
    [[nodiscard]] static constexpr Bits sign_bit() { return Bits(std::uint64_t{1} << (N - 1)); }
    [[nodiscard]] static constexpr Bits smin() { return sign_bit(); }
    [[nodiscard]] static constexpr Bits smax() { return Bits(kMask >> 1); }

    /// The value, zero-extended to 64 bits.
    [[nodiscard]] constexpr std::uint64_t raw() const { return v_; }
    /// The value read as a signed N-bit number, sign-extended to 64 bits.
    [[nodiscard]] constexpr std::int64_t sraw() const {
        if constexpr (N == 64) return static_cast<std::int64_t>(v_);
        const std::uint64_t s = std::uint64_t{1} << (N - 1);
        return static_cast<std::int64_t>((v_ ^ s) - s);
    }

    friend constexpr Bits operator+(Bits a, Bits b) { return Bits(a.v_ + b.v_); }
    friend constexpr Bits operator-(Bits a, Bits b) { return Bits(a.v_ - b.v_); }
    friend constexpr Bits operator*(Bits a, Bits b) { return Bits(a.v_ * b.v_); }
    friend constexpr Bits operator&(Bits a, Bits b) { return Bits(a.v_ & b.v_); }
    friend constexpr Bits operator|(Bits a, Bits b) { return Bits(a.v_ | b.v_); }
    friend constexpr Bits operator^(Bits a, Bits b) { return Bits(a.v_ ^ b.v_); }
    friend constexpr Bits operator~(Bits a) { return Bits(~a.v_); }
    friend constexpr Bits operator-(Bits a) { return Bits(std::uint64_t{0} - a.v_); }
    /// Shift by a structural amount; assumes k < N.
    friend constexpr Bits operator<<(Bits a, unsigned k) { return Bits(a.v_ << k); }
    friend constexpr Bits operator>>(Bits a, unsigned k) { return Bits(a.v_ >> k); }

    friend constexpr bool operator==(Bits a, Bits b) { return a.v_ == b.v_; }
    friend constexpr bool operator!=(Bits a, Bits b) { return a.v_ != b.v_; }
    friend constexpr bool operator<(Bits a, Bits b) { return a.v_ < b.v_; }
    friend constexpr bool operator<=(Bits a, Bits b) { return a.v_ <= b.v_; }
    friend constexpr bool operator>(Bits a, Bits b) { return a.v_ > b.v_; }
    friend constexpr bool operator>=(Bits a, Bits b) { return a.v_ >= b.v_; }

    friend constexpr bool slt(Bits a, Bits b) { return a.sraw() < b.sraw(); }
    friend constexpr bool sle(Bits a, Bits b) { return a.sraw() <= b.sraw(); }
    friend constexpr bool sgt(Bits a, Bits b) { return a.sraw() > b.sraw(); }
    friend constexpr bool sge(Bits a, Bits b) { return a.sraw() >= b.sraw(); }

    /// Shifts by a word amount (SMT-LIB: amounts >= N shift everything out).
    friend constexpr Bits shl(Bits a, Bits k) { return k.v_ >= N ? Bits(0) : Bits(a.v_ << k.v_); }
    friend constexpr Bits lshr(Bits a, Bits k) { return k.v_ >= N ? Bits(0) : Bits(a.v_ >> k.v_); }
    friend constexpr Bits ashr(Bits a, Bits k) {
        const unsigned s = k.v_ >= N ? N - 1 : static_cast<unsigned>(k.v_);
        return Bits(static_cast<std::uint64_t>(a.sraw() >> s));
    }
    /// Unsigned division and remainder, SMT-LIB style: x / 0 = all ones, x % 0 = x.
    friend constexpr Bits udiv(Bits a, Bits b) { return b.v_ == 0 ? ones() : Bits(a.v_ / b.v_); }
    friend constexpr Bits urem(Bits a, Bits b) { return b.v_ == 0 ? a : Bits(a.v_ % b.v_); }
    /// Signed division truncating toward zero and remainder with the dividend's sign, SMT-LIB
    /// style (bvsdiv / bvsrem): smin / -1 wraps to smin; x / 0 is -1 for x >= 0 and 1 otherwise.
    friend constexpr Bits sdiv(Bits a, Bits b) {
        const std::int64_t x = a.sraw(), y = b.sraw();
        if (y == 0) return x >= 0 ? ones() : Bits(1);
        if (y == -1) return -a;
        return Bits(static_cast<std::uint64_t>(x / y));
    }
    friend constexpr Bits srem(Bits a, Bits b) {
        const std::int64_t x = a.sraw(), y = b.sraw();
        if (y == 0) return a;
        if (y == -1) return Bits(0);
        return Bits(static_cast<std::uint64_t>(x % y));
    }

    friend constexpr Bits select(bool c, Bits a, Bits b) { return c ? a : b; }

    /// The low M bits; the value zero- or sign-extended to M bits (M >= N).
    template <unsigned M>
    [[nodiscard]] constexpr Bits<M> trunc() const {
        static_assert(M <= N);
        return Bits<M>(v_);
    }
    template <unsigned M>
    [[nodiscard]] constexpr Bits<M> zext() const {
        static_assert(M >= N);
        return Bits<M>(v_);
    }
    template <unsigned M>
    [[nodiscard]] constexpr Bits<M> sext() const {
        static_assert(M >= N);
        return Bits<M>(static_cast<std::uint64_t>(sraw()));
    }

private:
    std::uint64_t v_ = 0;
};

/// Boolean algebra shared by machine and symbolic words: `bool` here, a Z3 formula there.
constexpr bool select(bool c, bool a, bool b) { return c ? a : b; }
constexpr bool implies(bool a, bool b) { return !a || b; }

template <class W>
concept Word = requires(W a, W b, unsigned k, std::uint64_t c, typename W::Bool p) {
    { W::kBits } -> std::convertible_to<unsigned>;
    { W::constant(c) } -> std::same_as<W>;
    { W::ones() } -> std::same_as<W>;
    { a + b } -> std::same_as<W>;
    { a - b } -> std::same_as<W>;
    { a * b } -> std::same_as<W>;
    { a & b } -> std::same_as<W>;
    { a | b } -> std::same_as<W>;
    { a ^ b } -> std::same_as<W>;
    { ~a } -> std::same_as<W>;
    { -a } -> std::same_as<W>;
    { a << k } -> std::same_as<W>;
    { a >> k } -> std::same_as<W>;
    { a == b } -> std::same_as<typename W::Bool>;
    { a != b } -> std::same_as<typename W::Bool>;
    { a < b } -> std::same_as<typename W::Bool>;
    { a <= b } -> std::same_as<typename W::Bool>;
    { slt(a, b) } -> std::same_as<typename W::Bool>;
    { sle(a, b) } -> std::same_as<typename W::Bool>;
    { shl(a, b) } -> std::same_as<W>;
    { lshr(a, b) } -> std::same_as<W>;
    { ashr(a, b) } -> std::same_as<W>;
    { udiv(a, b) } -> std::same_as<W>;
    { urem(a, b) } -> std::same_as<W>;
    { sdiv(a, b) } -> std::same_as<W>;
    { srem(a, b) } -> std::same_as<W>;
    { select(p, a, b) } -> std::same_as<W>;
    { select(p, p, p) } -> std::same_as<typename W::Bool>;
    { p && p } -> std::same_as<typename W::Bool>;
    { p || p } -> std::same_as<typename W::Bool>;
    { !p } -> std::same_as<typename W::Bool>;
};

static_assert(Word<Bits<8>> && Word<Bits<64>>);

/// The half-width word (the 32-bit subregister of a 64-bit word; 4 bits of an 8-bit word).
template <Word W>
using Half = typename W::template Resize<W::kBits / 2>;

/// All bits at or below the highest set bit of `x` (0 for 0): the mask a range spans.
template <Word W>
[[nodiscard]] constexpr W smear_right(W x) {
    for (unsigned k = 1; k < W::kBits; k *= 2) x = x | (x >> k);
    return x;
}

/// Free forms of the width changes: `trunc<32>(x)`, `zext<64>(x)`, `sext<64>(x)`.
template <unsigned M, Word W>
[[nodiscard]] constexpr auto trunc(const W& x) {
    return x.template trunc<M>();
}
template <unsigned M, Word W>
[[nodiscard]] constexpr auto zext(const W& x) {
    return x.template zext<M>();
}
template <unsigned M, Word W>
[[nodiscard]] constexpr auto sext(const W& x) {
    return x.template sext<M>();
}

/// Signed minimum and maximum, unsigned minimum and maximum, without branching.
template <Word W>
[[nodiscard]] constexpr W umin(W a, W b) { return select(a <= b, a, b); }
template <Word W>
[[nodiscard]] constexpr W umax(W a, W b) { return select(a <= b, b, a); }
template <Word W>
[[nodiscard]] constexpr W smin(W a, W b) { return select(sle(a, b), a, b); }
template <Word W>
[[nodiscard]] constexpr W smax(W a, W b) { return select(sle(a, b), b, a); }

}  // namespace bpflab
