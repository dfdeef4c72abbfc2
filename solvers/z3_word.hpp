// SPDX-License-Identifier: Apache-2.0
// bpflab: Z3 bit-vector words — the `Word` algebra of core/word.hpp as formulas, for proofs.
#pragma once

#include <z3++.h>

#include <cstdint>
#include <string>

#include "core/word.hpp"

namespace bpflab::smt {

/// The Z3 context that symbolic words of the current thread are made in.
///
/// `SymBits` and `SymBool` constants (and default-constructed words, which are 0) need a
/// context but the `Word` concept gives them no way to name one, so a `ContextScope` installs
/// one per thread for its lifetime. Terms must not outlive the scope that made them.
class ContextScope {
  public:
    /// Installs `ctx` as the current thread's context (scopes nest; the previous is restored).
    explicit ContextScope(z3::context& ctx) : previous_(current_) { current_ = &ctx; }
    ~ContextScope() { current_ = previous_; }
    ContextScope(const ContextScope&) = delete;
    ContextScope& operator=(const ContextScope&) = delete;

    /// The installed context; assumes a scope is active on this thread.
    [[nodiscard]] static z3::context& current() { return *current_; }
    /// Whether a scope is active on this thread.
    [[nodiscard]] static bool active() { return current_ != nullptr; }

  private:
    z3::context* previous_;
    static inline thread_local z3::context* current_ = nullptr;
};

/// A Boolean formula: the `Bool` of symbolic words. A plain `bool` converts to true / false,
/// so word-generic code may mix structural facts with word comparisons.
class SymBool {
  public:
    SymBool() : e_(ContextScope::current().bool_val(false)) {}
    SymBool(bool b)
        : e_(ContextScope::current().bool_val(b)) {}  // NOLINT(google-explicit-constructor)
    explicit SymBool(z3::expr e) : e_(std::move(e)) {}

    /// The formula.
    [[nodiscard]] const z3::expr& expr() const { return e_; }

    friend SymBool operator&&(const SymBool& a, const SymBool& b) { return SymBool(a.e_ && b.e_); }
    friend SymBool operator||(const SymBool& a, const SymBool& b) { return SymBool(a.e_ || b.e_); }
    friend SymBool operator!(const SymBool& a) { return SymBool(!a.e_); }
    friend SymBool operator==(const SymBool& a, const SymBool& b) { return SymBool(a.e_ == b.e_); }
    friend SymBool operator!=(const SymBool& a, const SymBool& b) { return SymBool(a.e_ != b.e_); }
    friend SymBool select(const SymBool& c, const SymBool& a, const SymBool& b) {
        return SymBool(z3::ite(c.e_, a.e_, b.e_));
    }
    friend SymBool implies(const SymBool& a, const SymBool& b) {
        return SymBool(z3::implies(a.e_, b.e_));
    }

  private:
    z3::expr e_;
};

/// An N-bit bit-vector term with the operations of `Bits<N>`. Shifts, divisions and
/// remainders map to the SMT-LIB operators whose semantics `Bits<N>` copies
/// (tests/solvers/z3_word_test.cpp compares them on every 8-bit pair).
template <unsigned N>
class SymBits {
    static_assert(N >= 1 && N <= 64);

  public:
    using Bool = SymBool;
    static constexpr unsigned kBits = N;
    static constexpr std::uint64_t kMask = Bits<N>::kMask;
    template <unsigned M>
    using Resize = SymBits<M>;

    /// Zero; a default-constructed word is 0 (as `Bits<N>`).
    SymBits() : SymBits(std::uint64_t{0}) {}
    /// The constant `v` truncated to N bits (implicit, as `Bits<N>`'s).
    SymBits(std::uint64_t v)  // NOLINT(google-explicit-constructor)
        : e_(ContextScope::current().bv_val(static_cast<std::uint64_t>(v & kMask), N)) {}
    /// Wraps a bit-vector term of sort (_ BitVec N).
    explicit SymBits(z3::expr e) : e_(std::move(e)) {}

    /// A fresh unknown named `name`.
    [[nodiscard]] static SymBits fresh(const std::string& name) {
        return SymBits(ContextScope::current().bv_const(name.c_str(), N));
    }
    [[nodiscard]] static SymBits constant(std::uint64_t v) { return SymBits(v); }
    [[nodiscard]] static SymBits ones() { return SymBits(kMask); }
    [[nodiscard]] static SymBits sign_bit() { return SymBits(std::uint64_t{1} << (N - 1)); }
    [[nodiscard]] static SymBits smin() { return sign_bit(); }
    [[nodiscard]] static SymBits smax() { return SymBits(kMask >> 1); }

    /// The term.
    [[nodiscard]] const z3::expr& expr() const { return e_; }

    friend SymBits operator+(const SymBits& a, const SymBits& b) { return SymBits(a.e_ + b.e_); }
    friend SymBits operator-(const SymBits& a, const SymBits& b) { return SymBits(a.e_ - b.e_); }
    friend SymBits operator*(const SymBits& a, const SymBits& b) { return SymBits(a.e_ * b.e_); }
    friend SymBits operator&(const SymBits& a, const SymBits& b) { return SymBits(a.e_ & b.e_); }
    friend SymBits operator|(const SymBits& a, const SymBits& b) { return SymBits(a.e_ | b.e_); }
    friend SymBits operator^(const SymBits& a, const SymBits& b) { return SymBits(a.e_ ^ b.e_); }
    friend SymBits operator~(const SymBits& a) { return SymBits(~a.e_); }
    friend SymBits operator-(const SymBits& a) { return SymBits(-a.e_); }
    /// Shift by a structural amount; assumes k < N.
    friend SymBits operator<<(const SymBits& a, unsigned k) { return shl(a, SymBits(k)); }
    friend SymBits operator>>(const SymBits& a, unsigned k) { return lshr(a, SymBits(k)); }

    friend SymBool operator==(const SymBits& a, const SymBits& b) { return SymBool(a.e_ == b.e_); }
    friend SymBool operator!=(const SymBits& a, const SymBits& b) { return SymBool(a.e_ != b.e_); }
    friend SymBool operator<(const SymBits& a, const SymBits& b) {
        return SymBool(z3::ult(a.e_, b.e_));
    }
    friend SymBool operator<=(const SymBits& a, const SymBits& b) {
        return SymBool(z3::ule(a.e_, b.e_));
    }
    friend SymBool operator>(const SymBits& a, const SymBits& b) {
        return SymBool(z3::ugt(a.e_, b.e_));
    }
    friend SymBool operator>=(const SymBits& a, const SymBits& b) {
        return SymBool(z3::uge(a.e_, b.e_));
    }

    friend SymBool slt(const SymBits& a, const SymBits& b) { return SymBool(z3::slt(a.e_, b.e_)); }
    friend SymBool sle(const SymBits& a, const SymBits& b) { return SymBool(z3::sle(a.e_, b.e_)); }
    friend SymBool sgt(const SymBits& a, const SymBits& b) { return SymBool(z3::sgt(a.e_, b.e_)); }
    friend SymBool sge(const SymBits& a, const SymBits& b) { return SymBool(z3::sge(a.e_, b.e_)); }

    /// bvshl, bvlshr, bvashr: amounts >= N shift everything out (or fill with the sign).
    friend SymBits shl(const SymBits& a, const SymBits& k) { return SymBits(z3::shl(a.e_, k.e_)); }
    friend SymBits lshr(const SymBits& a, const SymBits& k) {
        return SymBits(z3::lshr(a.e_, k.e_));
    }
    friend SymBits ashr(const SymBits& a, const SymBits& k) {
        return SymBits(z3::ashr(a.e_, k.e_));
    }
    /// bvudiv, bvurem, bvsdiv, bvsrem (x / 0 = all ones or 1, x % 0 = x).
    friend SymBits udiv(const SymBits& a, const SymBits& b) {
        return SymBits(z3::udiv(a.e_, b.e_));
    }
    friend SymBits urem(const SymBits& a, const SymBits& b) {
        return SymBits(z3::urem(a.e_, b.e_));
    }
    friend SymBits sdiv(const SymBits& a, const SymBits& b) {
        return SymBits(z3::to_expr(a.e_.ctx(), Z3_mk_bvsdiv(a.e_.ctx(), a.e_, b.e_)));
    }
    friend SymBits srem(const SymBits& a, const SymBits& b) {
        return SymBits(z3::srem(a.e_, b.e_));
    }

    friend SymBits select(const SymBool& c, const SymBits& a, const SymBits& b) {
        return SymBits(z3::ite(c.expr(), a.e_, b.e_));
    }

    /// The low M bits; zero- or sign-extension to M bits (M >= N).
    template <unsigned M>
    [[nodiscard]] SymBits<M> trunc() const {
        static_assert(M <= N);
        if constexpr (M == N)
            return *this;
        else
            return SymBits<M>(e_.extract(M - 1, 0));
    }
    template <unsigned M>
    [[nodiscard]] SymBits<M> zext() const {
        static_assert(M >= N);
        if constexpr (M == N)
            return *this;
        else
            return SymBits<M>(z3::zext(e_, M - N));
    }
    template <unsigned M>
    [[nodiscard]] SymBits<M> sext() const {
        static_assert(M >= N);
        if constexpr (M == N)
            return *this;
        else
            return SymBits<M>(z3::sext(e_, M - N));
    }

  private:
    z3::expr e_;
};

static_assert(Word<SymBits<8>> && Word<SymBits<64>>);

/// The value of `w` in `model` (completing unconstrained unknowns), as an unsigned number.
template <unsigned N>
[[nodiscard]] std::uint64_t evaluate(const z3::model& model, const SymBits<N>& w) {
    const z3::expr v = model.eval(w.expr(), true).simplify();
    std::uint64_t out = 0;
    Z3_get_numeral_uint64(v.ctx(), v, &out);
    return out;
}

/// The truth of `b` in `model`.
[[nodiscard]] inline bool evaluate(const z3::model& model, const SymBool& b) {
    return model.eval(b.expr(), true).simplify().is_true();
}

}  // namespace bpflab::smt
