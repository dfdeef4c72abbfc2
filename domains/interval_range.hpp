// SPDX-License-Identifier: Apache-2.0
// bpflab: one-view intervals [lo, hi] over a word, read unsigned or signed — the lattice and the
// set operations the interval product is built from. Include domains/interval.hpp, which also
// defines the transfer functions (alu, endian, assume) declared here.
#pragma once

#include <span>
#include <string_view>
#include <utility>

#include "core/word.hpp"
#include "domains/value.hpp"

namespace bpflab::dom {

/// The order a range is read in: unsigned, or two's-complement signed.
template <Word W, bool Signed>
struct Order {
    using Bool = typename W::Bool;
    /// The least and greatest words in this order.
    [[nodiscard]] static W least() {
        if constexpr (Signed) return W::constant(1) << (W::kBits - 1);
        return W::constant(0);
    }
    [[nodiscard]] static W greatest() {
        if constexpr (Signed) return ~least();
        return W::ones();
    }
    [[nodiscard]] static Bool le(const W& a, const W& b) {
        if constexpr (Signed) return sle(a, b);
        return a <= b;
    }
    [[nodiscard]] static Bool lt(const W& a, const W& b) {
        if constexpr (Signed) return slt(a, b);
        return a < b;
    }
    [[nodiscard]] static W min(const W& a, const W& b) { return select(le(a, b), a, b); }
    [[nodiscard]] static W max(const W& a, const W& b) { return select(le(a, b), b, a); }
};

/// An interval [lo, hi] of N-bit words in the unsigned (`Signed` false) or signed order.
///
/// Representation: any pair with lo > hi (in the range's order) denotes the empty set; the
/// canonical bottom, which every operation returns, is [greatest, least]. A default-constructed
/// range is top [least, greatest]. Every pair is well formed.
template <Word W, bool Signed>
class Range {
  public:
    using Word = W;
    using Bool = typename W::Bool;
    using Ord = Order<W, Signed>;
    /// The registry name: `uinterval` or `sinterval`.
    [[nodiscard]] static constexpr std::string_view name() {
        return Signed ? "sinterval" : "uinterval";
    }

    /// Top.
    Range() : lo_(Ord::least()), hi_(Ord::greatest()) {}
    /// [lo, hi]; empty when hi < lo.
    Range(W lo, W hi) : lo_(std::move(lo)), hi_(std::move(hi)) {}

    [[nodiscard]] static Range top() { return Range(); }
    [[nodiscard]] static Range bottom() { return Range(Ord::greatest(), Ord::least()); }
    [[nodiscard]] static Range constant(const W& c) { return Range(c, c); }

    /// The bounds (meaningless for bottom).
    [[nodiscard]] const W& lo() const { return lo_; }
    [[nodiscard]] const W& hi() const { return hi_; }

    [[nodiscard]] Bool is_bottom() const { return Ord::lt(hi_, lo_); }
    [[nodiscard]] Bool is_top() const { return lo_ == Ord::least() && hi_ == Ord::greatest(); }
    /// Whether the range holds exactly one word.
    [[nodiscard]] Bool is_constant() const { return lo_ == hi_; }
    [[nodiscard]] Bool contains(const W& x) const { return Ord::le(lo_, x) && Ord::le(x, hi_); }
    [[nodiscard]] Bool well_formed() const { return Bool(true); }

    /// γ(this) ⊆ γ(b).
    [[nodiscard]] Bool leq(const Range& b) const {
        return is_bottom() || (Ord::le(b.lo_, lo_) && Ord::le(hi_, b.hi_));
    }
    /// The hull of both (exact least upper bound).
    [[nodiscard]] Range join(const Range& b) const {
        return select(
            is_bottom(), b,
            select(b.is_bottom(), *this, Range(Ord::min(lo_, b.lo_), Ord::max(hi_, b.hi_))));
    }
    /// The intersection (exact), canonical bottom when empty.
    [[nodiscard]] Range meet(const Range& b) const {
        return Range(Ord::max(lo_, b.lo_), Ord::min(hi_, b.hi_)).normalized();
    }
    /// Assumes this->leq(b): a bound that grew jumps to the extreme of the order.
    [[nodiscard]] Range widen(const Range& b) const {
        const Range w(select(Ord::lt(b.lo_, lo_), Ord::least(), lo_),
                      select(Ord::lt(hi_, b.hi_), Ord::greatest(), hi_));
        return select(is_bottom(), b, select(b.is_bottom(), *this, w));
    }
    /// Assumes this->leq(b): a bound that grew jumps to the nearest threshold beyond b's bound
    /// (the largest threshold <= b.lo, the smallest >= b.hi), or to the extreme when there is
    /// none. `thresholds` need not be sorted; the loop runs once per threshold (structural).
    [[nodiscard]] Range widen(const Range& b, std::span<const W> thresholds) const {
        W down = Ord::least(), up = Ord::greatest();
        for (const W& t : thresholds) {
            down = select(Ord::le(t, b.lo_), Ord::max(down, t), down);
            up = select(Ord::le(b.hi_, t), Ord::min(up, t), up);
        }
        const Range w(select(Ord::lt(b.lo_, lo_), down, lo_), select(Ord::lt(hi_, b.hi_), up, hi_));
        return select(is_bottom(), b, select(b.is_bottom(), *this, w));
    }
    /// Assumes b.leq(*this): only the infinite bounds (the extremes of the order) are replaced.
    [[nodiscard]] Range narrow(const Range& b) const {
        const Range n(select(lo_ == Ord::least(), b.lo_, lo_),
                      select(hi_ == Ord::greatest(), b.hi_, hi_));
        return select(is_bottom() || b.is_bottom(), bottom(), n);
    }
    void join_with(const Range& b) { *this = join(b); }
    void meet_with(const Range& b) { *this = meet(b); }
    void widen_with(const Range& b) { *this = widen(b); }
    void narrow_with(const Range& b) { *this = narrow(b); }

    /// The canonical form: bottom when empty, this otherwise.
    [[nodiscard]] Range normalized() const { return select(is_bottom(), bottom(), *this); }

    /// The hull of this ∩ {lo, lo+1, …, hi} where the set runs upward modulo 2^N (a "wrapped"
    /// interval: it may pass from the greatest word of this order to the least). Exact: in
    /// this order the set is one interval, or two touching the extremes, and the hull of the
    /// intersection follows from where this range's bounds fall.
    [[nodiscard]] Range meet_wrapped(const W& lo, const W& hi) const {
        // Split set [least, hi] ∪ [lo, greatest]: a range below lo meets the low piece only,
        // one above hi the high piece only; one reaching into both keeps both its bounds.
        const Bool whole = Ord::le(lo, hi);
        const W new_lo = select(whole || Ord::lt(hi, lo_), Ord::max(lo_, lo), lo_);
        const W new_hi = select(whole || Ord::lt(hi_, lo), Ord::min(hi_, hi), hi_);
        return Range(new_lo, new_hi).normalized();
    }

    /// The transfer functions of the value-domain contract (value.hpp), defined in
    /// domains/interval.hpp through the four-view product: the one view is widened to the
    /// product, the product's transfer runs, and this view of the result is kept.
    [[nodiscard]] static Range alu(AluSpec spec, const Range& a, const Range& b);
    [[nodiscard]] static Range endian(EndianKind k, unsigned bits, const Range& a);
    [[nodiscard]] static std::pair<Range, Range> assume(Branch br, const Range& a, const Range& b);

    friend Range select(const Bool& c, const Range& a, const Range& b) {
        return Range(select(c, a.lo_, b.lo_), select(c, a.hi_, b.hi_));
    }

  private:
    W lo_, hi_;
};

/// An unsigned interval: registry name `uinterval`.
template <Word W>
using UInterval = Range<W, false>;
/// A signed interval: registry name `sinterval`.
template <Word W>
using SInterval = Range<W, true>;

}  // namespace bpflab::dom
