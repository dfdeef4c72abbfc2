// SPDX-License-Identifier: Apache-2.0
// bpflab: interval value domains — the four views u(N) × s(N) × u(N/2) × s(N/2) of a register,
// with their reduction and the ALU, byte-order and branch transfer functions.
#pragma once

#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "core/isa.hpp"
#include "core/semantics.hpp"
#include "core/word.hpp"
#include "domains/interval_arith.hpp"
#include "domains/interval_range.hpp"
#include "domains/value.hpp"

namespace bpflab::dom {

/// The interval product of a word's four views, as the kernel keeps them: unsigned and signed
/// N-bit bounds, unsigned and signed bounds of the low N/2 bits (the 32-bit subregister).
/// Registry name `interval`. γ = the words inside all four views.
///
/// Bottom when any view is bottom; every operation returns all four views bottom then. A
/// default-constructed value is top. Every four-tuple is well formed (reduced or not).
///
/// Reduction (`reduced()`; one pass, every step exact in the sense that it keeps the hull of
/// what the views together allow):
///   1. u and s exchange at full width: each view is met with the other read as a wrapped
///      interval (an unsigned range not crossing 2^(N-1) is the same signed range, a signed
///      range not crossing 0 is the same unsigned range, and a crossing one still cuts the
///      other's ends);
///   2. full → half: when the full view with the shorter span covers fewer than 2^(N/2) words,
///      its low halves lie in the wrapped interval [trunc lo, trunc hi], met into both half
///      views; the halves exchange;
///   3. half → full: each full bound is moved to the nearest word whose low half lies in the
///      unsigned half view (lo up: same high half with the low half raised, or the next high
///      half; hi down likewise), bottom when none exists — when the high half is fixed this
///      is the whole 32 → 64 deduction;
///   4. u and s exchange at full width again, and step 2 runs again on the result.
/// One pass is not always idempotent; the kernel product iterates it (domains/kernel.hpp).
template <Word W>
class Interval {
  public:
    using Word = W;
    using Bool = typename W::Bool;
    using H = Half<W>;
    using U = UInterval<W>;
    using S = SInterval<W>;
    using HU = UInterval<H>;
    using HS = SInterval<H>;
    /// The registry name.
    [[nodiscard]] static constexpr std::string_view name() { return "interval"; }
    static constexpr unsigned kBits = W::kBits;

    /// Top.
    Interval() = default;
    /// The four views as given (not reduced).
    Interval(U u, S s, HU hu, HS hs)
        : u_(std::move(u)), s_(std::move(s)), hu_(std::move(hu)), hs_(std::move(hs)) {}
    /// One view, the others top, reduced.
    [[nodiscard]] static Interval of(const U& u) {
        if constexpr (std::is_same_v<Bool, bool>) {
            // A concrete range below 2^(N/2 - 1) reads the same in every view: that tuple is
            // what the reduction gives (tests/domains/interval_test.cpp), without its cost.
            if (!u.is_bottom() && u.hi() < W(std::uint64_t{1} << (kBits / 2 - 1))) {
                const H lo = trunc<kBits / 2>(u.lo()), hi = trunc<kBits / 2>(u.hi());
                return Interval(u, S(u.lo(), u.hi()), HU(lo, hi), HS(lo, hi));
            }
        }
        return Interval(u, S(), HU(), HS()).reduced();
    }
    [[nodiscard]] static Interval of(const S& s) { return Interval(U(), s, HU(), HS()).reduced(); }

    [[nodiscard]] static Interval top() { return {}; }
    [[nodiscard]] static Interval bottom() {
        return Interval(U::bottom(), S::bottom(), HU::bottom(), HS::bottom());
    }
    [[nodiscard]] static Interval constant(const W& c) {
        const H h = trunc<kBits / 2>(c);
        return Interval(U(c, c), S(c, c), HU(h, h), HS(h, h));
    }

    [[nodiscard]] const U& u() const { return u_; }
    [[nodiscard]] const S& s() const { return s_; }
    [[nodiscard]] const HU& u32() const { return hu_; }
    [[nodiscard]] const HS& s32() const { return hs_; }

    [[nodiscard]] Bool is_bottom() const {
        return u_.is_bottom() || s_.is_bottom() || hu_.is_bottom() || hs_.is_bottom();
    }
    [[nodiscard]] Bool is_top() const {
        return u_.is_top() && s_.is_top() && hu_.is_top() && hs_.is_top();
    }
    /// x lies in all four views.
    [[nodiscard]] Bool contains(const W& x) const {
        const H h = trunc<kBits / 2>(x);
        return u_.contains(x) && s_.contains(x) && hu_.contains(h) && hs_.contains(h);
    }
    [[nodiscard]] Bool well_formed() const { return Bool(true); }

    /// View-wise containment (sound: the views' intersection shrinks; complete on reduced
    /// values only up to the hull of each view).
    [[nodiscard]] Bool leq(const Interval& b) const {
        return is_bottom() || (u_.leq(b.u_) && s_.leq(b.s_) && hu_.leq(b.hu_) && hs_.leq(b.hs_));
    }
    /// View-wise hull.
    [[nodiscard]] Interval join(const Interval& b) const {
        const Interval j(u_.join(b.u_), s_.join(b.s_), hu_.join(b.hu_), hs_.join(b.hs_));
        return select(is_bottom(), b, select(b.is_bottom(), *this, j));
    }
    /// View-wise intersection, reduced.
    [[nodiscard]] Interval meet(const Interval& b) const {
        return Interval(u_.meet(b.u_), s_.meet(b.s_), hu_.meet(b.hu_), hs_.meet(b.hs_)).reduced();
    }
    /// Assumes this->leq(b): view-wise widening (each view's chain stabilises, so does theirs).
    [[nodiscard]] Interval widen(const Interval& b) const {
        const Interval w(u_.widen(b.u_), s_.widen(b.s_), hu_.widen(b.hu_), hs_.widen(b.hs_));
        return select(is_bottom(), b, select(b.is_bottom(), *this, w));
    }
    /// Widening with thresholds on the full views (sorted or not); plain on the half views.
    [[nodiscard]] Interval widen(const Interval& b, std::span<const W> thresholds) const {
        const Interval w(u_.widen(b.u_, thresholds), s_.widen(b.s_, thresholds), hu_.widen(b.hu_),
                         hs_.widen(b.hs_));
        return select(is_bottom(), b, select(b.is_bottom(), *this, w));
    }
    /// Assumes b.leq(*this): view-wise narrowing (infinite bounds only).
    [[nodiscard]] Interval narrow(const Interval& b) const {
        const Interval n(u_.narrow(b.u_), s_.narrow(b.s_), hu_.narrow(b.hu_), hs_.narrow(b.hs_));
        return select(is_bottom() || b.is_bottom(), bottom(), n);
    }
    void join_with(const Interval& b) { *this = join(b); }
    void meet_with(const Interval& b) { *this = meet(b); }
    void widen_with(const Interval& b) { *this = widen(b); }
    void narrow_with(const Interval& b) { *this = narrow(b); }

    /// One pass of the reduction described above; all four views bottom when any becomes so.
    /// The composition of the public steps below (solvers/prove_modular.hpp proves each one).
    [[nodiscard]] Interval reduced() const {
        Interval v = reduce_exchange(*this);
        v = reduce_to_half(v);
        v = reduce_exchange(reduce_from_half(v));
        v = reduce_to_half(v);
        return select(v.is_bottom(), bottom(), v);
    }
    /// Reduction steps 1 and 4: the full views exchanged; the half views kept.
    [[nodiscard]] static Interval reduce_exchange(const Interval& v) {
        const ivl::Views<W> f = ivl::Views<W>{v.u_, v.s_}.exchanged();
        return Interval(f.u, f.s, v.hu_, v.hs_);
    }
    /// Reduction step 2: the half views met with the full views' low halves, exchanged.
    [[nodiscard]] static Interval reduce_to_half(const Interval& v) {
        const ivl::Views<H> h = to_half({v.u_, v.s_}, {v.hu_, v.hs_});
        return Interval(v.u_, v.s_, h.u, h.s);
    }
    /// Reduction step 3: each full bound moved to the nearest word whose low half lies in the
    /// unsigned half view.
    [[nodiscard]] static Interval reduce_from_half(const Interval& v) {
        return Interval(from_half(v.u_, v.hu_), from_half(v.s_, v.hu_), v.hu_, v.hs_);
    }

    /// The transfer functions of value.hpp. 64-bit forms compute the full views from the full
    /// views, and the half views from the half views when the low half of the result depends
    /// on the low halves only (add, sub, mul, neg, and, or, xor, mov, movsx); 32-bit forms
    /// compute the half views from the half views and zero-extend. Then reduce.
    [[nodiscard]] static Interval alu(AluSpec spec, const Interval& a, const Interval& b) {
        return alu_unreduced(spec, a, b).reduced();
    }
    /// alu before the reduction (for products that reduce anyway).
    [[nodiscard]] static Interval alu_unreduced(AluSpec spec, const Interval& a,
                                                const Interval& b) {
        const unsigned sx = spec.sx_bits * kBits / 64;
        const ivl::Views<H> ah{a.hu_, a.hs_}, bh{b.hu_, b.hs_};
        if (!spec.is64) {
            const ivl::Views<H> h = ivl::alu<H>(spec.op, ah, bh, sx);
            const W lo = zext<kBits>(h.u.lo()), hi = zext<kBits>(h.u.hi());
            return Interval(U(lo, hi), S(lo, hi), h.u, h.s);
        }
        const ivl::Views<W> f = ivl::alu<W>(spec.op, {a.u_, a.s_}, {b.u_, b.s_}, sx);
        ivl::Views<H> h{HU(), HS()};
        if (low_half_compatible(spec.op, sx)) h = ivl::alu<H>(spec.op, ah, bh, sx);
        return Interval(f.u, f.s, h.u, h.s);
    }

    /// ToLe keeps the low `bits` (scaled to N) of the wrapped views, exactly when they do not
    /// wrap; ToBe and Swap are exact on constants and give the `bits`-wide top otherwise.
    [[nodiscard]] static Interval endian(EndianKind k, unsigned bits, const Interval& a) {
        const unsigned width = bits / 8 * (kBits / 8);
        if (width >= kBits && k == EndianKind::ToLe) return a;
        return endian_unreduced(k, bits, a).reduced();
    }
    /// endian before the reduction (solvers/prove_modular.hpp proves the two parts apart):
    /// the identity for the full-width ToLe, else the constant or the unsigned view alone.
    [[nodiscard]] static Interval endian_unreduced(EndianKind k, unsigned bits, const Interval& a) {
        const unsigned width = bits / 8 * (kBits / 8);
        if (width >= kBits && k == EndianKind::ToLe) return a;
        const W zero = W::constant(0);
        const W m = width >= kBits ? W::ones() : W::constant((std::uint64_t{1} << width) - 1);
        U u(zero, m);
        if (k == EndianKind::ToLe) {
            u = ivl::low_bits(a.u_.lo(), a.u_.hi(), width)
                    .meet(ivl::low_bits(a.s_.lo(), a.s_.hi(), width));
            if (width == kBits / 2) u = u.meet(U(zext<kBits>(a.hu_.lo()), zext<kBits>(a.hu_.hi())));
        }
        const Interval c = constant(sem::endian_word<W>(k, bits, a.u_.lo()));
        return select(a.u_.is_constant() && k != EndianKind::ToLe, c, Interval(u, S(), HU(), HS()));
    }

    /// Refines both operands to the pairs taking the branch side (see value.hpp): the views
    /// of the compared width are cut (x < y: x.hi <= y.hi - 1 and y.lo >= x.lo + 1, bottom
    /// when y.hi is the least word or x.lo the greatest; == meets; != shaves a constant off
    /// the other side's ends; Set needs both non-zero, its negation x <= ~y.lo and y <= ~x.lo),
    /// then reduced; both results bottom when either is, or when both operands are constants
    /// at the compared width that do not take the side.
    [[nodiscard]] static std::pair<Interval, Interval> assume(Branch br, const Interval& a,
                                                              const Interval& b) {
        const auto [xa, xb] = assume_unreduced(br, a, b);
        const Interval ra = xa.reduced(), rb = xb.reduced();
        const Bool dead = ra.is_bottom() || rb.is_bottom();
        return {select(dead, bottom(), ra), select(dead, bottom(), rb)};
    }
    /// assume before the reduction of its results (for products that reduce anyway; a
    /// reduction afterwards and a bottom check on both give assume).
    [[nodiscard]] static std::pair<Interval, Interval> assume_unreduced(Branch br,
                                                                        const Interval& a,
                                                                        const Interval& b) {
        Interval ra = a, rb = b;
        Bool decided_false = false;  // both operands constants that do not take the side
        if (br.is32) {
            auto [x, y] = assume_views<H>(br.cond, br.holds, {a.hu_, a.hs_}, {b.hu_, b.hs_});
            ra.hu_ = x.u, ra.hs_ = x.s, rb.hu_ = y.u, rb.hs_ = y.s;
            const Bool taken = sem::compare_word<H>(br.cond, a.hu_.lo(), b.hu_.lo());
            decided_false =
                a.hu_.is_constant() && b.hu_.is_constant() && (br.holds ? !taken : taken);
        } else {
            auto [x, y] = assume_views<W>(br.cond, br.holds, {a.u_, a.s_}, {b.u_, b.s_});
            ra.u_ = x.u, ra.s_ = x.s, rb.u_ = y.u, rb.s_ = y.s;
            const Bool taken = sem::compare_word<W>(br.cond, a.u_.lo(), b.u_.lo());
            decided_false = a.u_.is_constant() && b.u_.is_constant() && (br.holds ? !taken : taken);
        }
        const Bool dead = decided_false || ra.is_bottom() || rb.is_bottom();
        return {select(dead, bottom(), ra), select(dead, bottom(), rb)};
    }

    friend Interval select(const Bool& c, const Interval& a, const Interval& b) {
        return Interval(select(c, a.u_, b.u_), select(c, a.s_, b.s_), select(c, a.hu_, b.hu_),
                        select(c, a.hs_, b.hs_));
    }

  private:
    [[nodiscard]] static bool low_half_compatible(AluOp op, unsigned sx) {
        switch (op) {
            case AluOp::Add:
            case AluOp::Sub:
            case AluOp::Mul:
            case AluOp::Neg:
            case AluOp::And:
            case AluOp::Or:
            case AluOp::Xor:
            case AluOp::Mov:
                return true;
            case AluOp::MovSx:
                return sx <= kBits / 2;
            default:
                return false;
        }
    }

    /// Step 2 of the reduction: the half views met with the low halves of each full view that
    /// spans fewer than 2^(N/2) words, then exchanged.
    [[nodiscard]] static ivl::Views<H> to_half(const ivl::Views<W>& full, ivl::Views<H> half) {
        // The full view with the shorter span (after the exchange both hold the same words
        // unless their intersection is two arcs) gives the low halves.
        const W su = full.u.hi() - full.u.lo(), ss = full.s.hi() - full.s.lo();
        const auto use_u = su <= ss;
        const W lo = select(use_u, full.u.lo(), full.s.lo());
        const W hi = select(use_u, full.u.hi(), full.s.hi());
        const auto small = lshr(umin(su, ss), W::constant(kBits / 2)) == W::constant(0);
        const H l = trunc<kBits / 2>(lo), h = trunc<kBits / 2>(hi);
        half.u = select(small, half.u.meet_wrapped(l, h), half.u);
        half.s = select(small, half.s.meet_wrapped(l, h), half.s);
        return half.exchanged();
    }

    /// Step 3 of the reduction for one full view r (unsigned or signed order: both compare
    /// words as (high half in r's order, low half unsigned)) against the low-half range hu.
    template <bool Signed>
    [[nodiscard]] static Range<W, Signed> from_half(const Range<W, Signed>& r, const HU& hu) {
        using HO = Order<H, Signed>;
        const H one = H::constant(1);
        auto high = [](const W& x) { return trunc<kBits / 2>(x >> (kBits / 2)); };
        auto low = [](const W& x) { return trunc<kBits / 2>(x); };
        auto make = [](const H& hi_half, const H& lo_half) {
            return (zext<kBits>(hi_half) << (kBits / 2)) | zext<kBits>(lo_half);
        };
        const H hl = high(r.lo()), ll = low(r.lo()), hh = high(r.hi()), lh = low(r.hi());
        const W lo = select(ll < hu.lo(), make(hl, hu.lo()),
                            select(hu.hi() < ll, make(hl + one, hu.lo()), r.lo()));
        const W hi = select(hu.hi() < lh, make(hh, hu.hi()),
                            select(lh < hu.lo(), make(hh - one, hu.hi()), r.hi()));
        const Bool none = (hu.hi() < ll && hl == HO::greatest()) ||
                          (lh < hu.lo() && hh == HO::least()) || hu.is_bottom();
        return select(none, Range<W, Signed>::bottom(), Range<W, Signed>(lo, hi).normalized());
    }

    /// The branch refinement on the two views of one width.
    template <class V>
    [[nodiscard]] static std::pair<ivl::Views<V>, ivl::Views<V>> assume_views(
        Cond cond, bool holds, const ivl::Views<V>& a, const ivl::Views<V>& b);

    U u_;
    S s_;
    HU hu_;
    HS hs_;
};

namespace ivl {

/// x <= y (strict: x < y) in the order of R: x.hi <= y.hi (- 1), y.lo >= x.lo (+ 1).
template <class R>
[[nodiscard]] std::pair<R, R> order_cut(const R& x, const R& y, bool strict) {
    using W = typename R::Word;
    using O = typename R::Ord;
    if (!strict)
        return {R(x.lo(), O::min(x.hi(), y.hi())).normalized(),
                R(O::max(y.lo(), x.lo()), y.hi()).normalized()};
    const W one = W::constant(1);
    const R xr = select(y.hi() == O::least(), R::bottom(), R(x.lo(), O::min(x.hi(), y.hi() - one)));
    const R yr =
        select(x.lo() == O::greatest(), R::bottom(), R(O::max(y.lo(), x.lo() + one), y.hi()));
    return {xr.normalized(), yr.normalized()};
}

/// x != c for the constant range c: c is shaved off x's ends.
template <class R>
[[nodiscard]] R shave(const R& x, const R& c) {
    using W = typename R::Word;
    const W one = W::constant(1), k = c.lo();
    const R cut(select(x.lo() == k, x.lo() + one, x.lo()),
                select(x.hi() == k, x.hi() - one, x.hi()));
    const R r = select(x.lo() == k && x.hi() == k, R::bottom(), cut.normalized());
    return select(c.is_constant(), r, x);
}

}  // namespace ivl

template <Word W>
template <class V>
std::pair<ivl::Views<V>, ivl::Views<V>> Interval<W>::assume_views(Cond cond, bool holds,
                                                                  const ivl::Views<V>& a,
                                                                  const ivl::Views<V>& b) {
    using ivl::order_cut;
    ivl::Views<V> x = a, y = b;
    if (cond == Cond::Set) {
        const V zero = V::constant(0), one = V::constant(1);
        if (holds) {
            x.u = a.u.meet(UInterval<V>(one, V::ones()));
            y.u = b.u.meet(UInterval<V>(one, V::ones()));
        } else {
            x.u = a.u.meet(UInterval<V>(zero, ~b.u.lo()));
            y.u = b.u.meet(UInterval<V>(zero, ~a.u.lo()));
        }
        return {x.exchanged(), y.exchanged()};
    }
    const Cond c = holds ? cond : sem::negate(cond);
    switch (c) {
        case Cond::Eq:
            x = {a.u.meet(b.u), a.s.meet(b.s)};
            y = x;
            break;
        case Cond::Ne:
            x = {ivl::shave(a.u, b.u), ivl::shave(a.s, b.s)};
            y = {ivl::shave(b.u, a.u), ivl::shave(b.s, a.s)};
            break;
        case Cond::Lt:
            std::tie(x.u, y.u) = order_cut(a.u, b.u, true);
            break;
        case Cond::Le:
            std::tie(x.u, y.u) = order_cut(a.u, b.u, false);
            break;
        case Cond::Gt:
            std::tie(y.u, x.u) = order_cut(b.u, a.u, true);
            break;
        case Cond::Ge:
            std::tie(y.u, x.u) = order_cut(b.u, a.u, false);
            break;
        case Cond::Slt:
            std::tie(x.s, y.s) = order_cut(a.s, b.s, true);
            break;
        case Cond::Sle:
            std::tie(x.s, y.s) = order_cut(a.s, b.s, false);
            break;
        case Cond::Sgt:
            std::tie(y.s, x.s) = order_cut(b.s, a.s, true);
            break;
        case Cond::Sge:
            std::tie(y.s, x.s) = order_cut(b.s, a.s, false);
            break;
        case Cond::Set:
            break;
    }
    return {x.exchanged(), y.exchanged()};
}

// ---- the one-view domains' transfer functions, through the product --------------------------

template <Word W, bool Signed>
Range<W, Signed> Range<W, Signed>::alu(AluSpec spec, const Range& a, const Range& b) {
    const Interval<W> r = Interval<W>::alu(spec, Interval<W>::of(a), Interval<W>::of(b));
    if constexpr (Signed)
        return r.s();
    else
        return r.u();
}
template <Word W, bool Signed>
Range<W, Signed> Range<W, Signed>::endian(EndianKind k, unsigned bits, const Range& a) {
    const Interval<W> r = Interval<W>::endian(k, bits, Interval<W>::of(a));
    if constexpr (Signed)
        return r.s();
    else
        return r.u();
}
template <Word W, bool Signed>
std::pair<Range<W, Signed>, Range<W, Signed>> Range<W, Signed>::assume(Branch br, const Range& a,
                                                                       const Range& b) {
    const auto [x, y] = Interval<W>::assume(br, Interval<W>::of(a), Interval<W>::of(b));
    if constexpr (Signed)
        return {x.s(), y.s()};
    else
        return {x.u(), y.u()};
}

static_assert(ValueDomain<Interval<Bits<64>>> && ValueDomain<Interval<Bits<8>>>);
static_assert(ValueDomain<UInterval<Bits<64>>> && ValueDomain<SInterval<Bits<8>>>);

}  // namespace bpflab::dom
