// SPDX-License-Identifier: Apache-2.0
// bpflab: the zone × tnum product — componentwise lattice, transfer on reduced inputs, and the
// reduction between a variable's zone bounds and its known bits.
#include "domains/zone_tnum.hpp"

#include <algorithm>

namespace bpflab::dom {

using T = ZoneTnumState::T;

ZoneTnumState ZoneTnumState::bottom() {
    ZoneTnumState s;
    s.set_bottom();
    return s;
}

void ZoneTnumState::set_bottom() {
    zone_ = ZoneState::bottom();
    tnums_.clear();
    signed_.clear();
}

void ZoneTnumState::store(Var x, const T& t) {
    if (x >= tnums_.size()) tnums_.resize(static_cast<std::size_t>(x) + 1, T::top());
    tnums_[x] = t;
}

void ZoneTnumState::store_signed(Var x, const SRange& s) {
    if (is_bottom()) return;
    if (s.is_bottom()) return set_bottom();
    SRange kept = s;
    if (!s.is_top() && s.lo().sraw() >= 0) {
        // Non-negative values read the same unsigned: the zone holds them, nothing is stored.
        zone_.refine(x, {s.lo().raw(), s.hi().raw()});
        if (zone_.is_bottom()) return set_bottom();
        kept = SRange::top();
    }
    if (x >= signed_.size()) {
        if (kept.is_top()) return;
        signed_.resize(static_cast<std::size_t>(x) + 1, SRange::top());
    }
    signed_[x] = kept;
}

bool ZoneTnumState::is_top() const {
    return zone_.is_top() &&
           std::all_of(tnums_.begin(), tnums_.end(), [](const T& t) { return t.is_top(); }) &&
           std::all_of(signed_.begin(), signed_.end(), [](const SRange& r) { return r.is_top(); });
}

bool ZoneTnumState::leq(const ZoneTnumState& b) const {
    if (!zone_.is_normalised()) {  // one closure, not one per projection read below
        ZoneTnumState c = *this;
        c.normalise();
        return c.leq(b);
    }
    if (is_bottom()) return true;
    if (b.is_bottom() || !zone_.leq(b.zone_)) return false;
    const std::size_t n = std::max(tnums_.size(), b.tnums_.size());
    for (std::size_t i = 0; i < n; ++i)  // this side reduced: γ(this) ⊆ γ(tnum(i))
        if (!tnum(static_cast<Var>(i)).leq(b.stored(static_cast<Var>(i)))) return false;
    for (std::size_t i = 0; i < b.signed_.size(); ++i) {
        const Var x = static_cast<Var>(i);
        if (!b.signed_[i].is_top() && !interval(x).s().leq(b.signed_[i])) return false;
    }
    return true;
}

namespace {

enum class Op { Join, Meet, Widen, Narrow };

template <class V>
V combine(Op op, const V& a, const V& b) {
    switch (op) {
        case Op::Join:
            return a.join(b);
        case Op::Widen:
            return a.widen(b);
        case Op::Meet:
            return a.meet(b);
        case Op::Narrow:
            return a.narrow(b);
    }
    return a.join(b);
}

// A per-variable side (tnums, signed ranges) of the binary lattice operations, pointwise (top
// past either end).
template <class V>
std::vector<V> combine(Op op, const std::vector<V>& va, const std::vector<V>& vb) {
    std::vector<V> out(std::max(va.size(), vb.size()), V::top());
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = combine(op, i < va.size() ? va[i] : V::top(), i < vb.size() ? vb[i] : V::top());
    return out;
}

}  // namespace

ZoneTnumState ZoneTnumState::join(const ZoneTnumState& b) const {
    if (!zone_.is_normalised() || !b.zone_.is_normalised()) {  // see leq
        ZoneTnumState x = *this, y = b;
        x.normalise();
        y.normalise();
        return x.join(y);
    }
    if (is_bottom()) return b;
    if (b.is_bottom()) return *this;
    // The join takes reduced tnums (more precise, and a join need not be monotone in the
    // stored form); widen and narrow take the stored ones so their chains stay monotone.
    ZoneTnumState r;
    r.zone_ = zone_.join(b.zone_);
    const std::size_t n = std::max(tnums_.size(), b.tnums_.size());
    r.tnums_.resize(n);
    for (std::size_t i = 0; i < n; ++i)
        r.tnums_[i] = tnum(static_cast<Var>(i)).join(b.tnum(static_cast<Var>(i)));
    // Signed ranges: the join of the projections, where either side keeps one (elsewhere the
    // zone and the tnum say what there is to say).
    const std::size_t m = std::max(signed_.size(), b.signed_.size());
    for (std::size_t i = 0; i < m; ++i) {
        const Var x = static_cast<Var>(i);
        if (!stored_signed(x).is_top() || !b.stored_signed(x).is_top())
            r.store_signed(x, interval(x).s().join(b.interval(x).s()));
    }
    return r;
}

ZoneTnumState ZoneTnumState::meet(const ZoneTnumState& b) const {
    if (is_bottom()) return *this;
    if (b.is_bottom()) return b;
    ZoneTnumState r;
    r.zone_ = zone_.meet(b.zone_);
    r.tnums_ = combine(Op::Meet, tnums_, b.tnums_);
    r.signed_ = combine(Op::Meet, signed_, b.signed_);
    if (r.zone_.is_bottom()) return bottom();
    for (std::size_t i = 0; i < std::max(r.tnums_.size(), r.signed_.size()); ++i) {
        r.reduce(static_cast<Var>(i));
        if (r.is_bottom()) return bottom();
    }
    return r;
}

ZoneTnumState ZoneTnumState::widen(const ZoneTnumState& b, std::span<const zone::Bound> t) const {
    if (is_bottom()) return b;
    if (b.is_bottom()) return *this;
    ZoneTnumState r;
    r.zone_ = zone_.widen(b.zone_, t);
    r.tnums_ = combine(Op::Widen, tnums_, b.tnums_);
    r.signed_ = combine(Op::Widen, signed_, b.signed_);
    return r;
}

ZoneTnumState ZoneTnumState::narrow(const ZoneTnumState& b) const {
    if (is_bottom() || b.is_bottom()) return bottom();
    ZoneTnumState r;
    r.zone_ = zone_.narrow(b.zone_);
    r.tnums_ = combine(Op::Narrow, tnums_, b.tnums_);
    r.signed_ = combine(Op::Narrow, signed_, b.signed_);
    return r;
}

// ---- reduction and projections ---------------------------------------------------------------

void ZoneTnumState::reduce(Var x) {
    if (is_bottom()) return;
    const T t = stored(x).meet(zone_.tnum(x));  // zone bounds -> known bits
    if (t.is_bottom()) return set_bottom();
    zone_.refine(x, {t.value.raw(), (t.value | t.mask).raw()});  // known bits -> zone bounds
    if (zone_.is_bottom()) return set_bottom();
    if (x < tnums_.size() || !t.is_top()) store(x, t);
    if (stored_signed(x).is_top()) return;
    const Interval<Bits<64>> i = interval(x);  // zone, tnum and signed range met
    if (i.is_bottom()) return set_bottom();
    zone_.refine(x, {i.u().lo().raw(), i.u().hi().raw()});  // signed range -> zone bounds
    if (zone_.is_bottom()) return set_bottom();
    store_signed(x, i.s());
}

T ZoneTnumState::tnum(Var x) const {
    if (is_bottom()) return T::bottom();
    return stored(x).meet(zone_.tnum(x));
}

Interval<Bits<64>> ZoneTnumState::interval(Var x) const {
    using I = Interval<Bits<64>>;
    if (is_bottom()) return I::bottom();
    // The zone's unsigned bounds and the tnum's, intersected before one reduction (which then
    // derives the other views from the tighter range).
    const zone::URange r = zone_.bounds(x);
    if (r.empty()) return I::bottom();
    const T t = stored(x).meet(T::range(Bits<64>(r.lo), Bits<64>(r.hi)));
    if (t.is_bottom()) return I::bottom();
    const std::uint64_t lo = std::max(r.lo, t.value.raw());
    const std::uint64_t hi = std::min(r.hi, (t.value | t.mask).raw());
    if (lo > hi) return I::bottom();
    const I u = I::of(UInterval<Bits<64>>(Bits<64>(lo), Bits<64>(hi)));
    const SRange s = stored_signed(x);
    return s.is_top() ? u : u.meet(I::of(s));
}

// ---- transfer -----------------------------------------------------------------------------------

void ZoneTnumState::havoc(Var x) {
    if (is_bottom()) return;
    zone_.normalise();
    zone_.havoc(x);
    if (x < tnums_.size()) tnums_[x] = T::top();
    store_signed(x, SRange::top());
}

void ZoneTnumState::assign(Var x, std::uint64_t c) {
    if (is_bottom()) return;
    zone_.normalise();
    zone_.assign(x, c);
    store(x, T::constant(Bits<64>(c)));
    // The tnum holds a constant exactly; a negative one is kept signed too, so that a join
    // with a small non-negative range stays a signed range (the zone cannot hold it).
    store_signed(x,
                 static_cast<std::int64_t>(c) < 0 ? SRange::constant(Bits<64>(c)) : SRange::top());
}

void ZoneTnumState::assign(Var x, Var y) {
    if (is_bottom() || x == y) return;
    zone_.normalise();
    const T ty = tnum(y);
    const SRange sy = stored_signed(y).is_top() ? SRange::top() : interval(y).s();
    zone_.assign(x, y);
    store(x, ty);
    store_signed(x, sy);
}

void ZoneTnumState::apply(const AluSpec& op, Var x, Var y) {
    if (is_bottom()) return;
    zone_.normalise();
    const T ty = tnum(y);
    const T t = T::alu(op, tnum(x), ty);
    const SRange sr = Interval<Bits<64>>::alu(op, interval(x), interval(y)).s();
    // A constant the tnum knows but the zone may not (above 2^63) goes in as a constant.
    if (ty.is_const())
        zone_.apply(op, x, ty.value.raw());
    else
        zone_.apply(op, x, y);
    store(x, t);
    store_signed(x, sr);
    reduce(x);
}

void ZoneTnumState::apply(const AluSpec& op, Var x, std::uint64_t c) {
    if (is_bottom()) return;
    zone_.normalise();
    const T t = T::alu(op, tnum(x), T::constant(Bits<64>(c)));
    const SRange sr =
        Interval<Bits<64>>::alu(op, interval(x), Interval<Bits<64>>::constant(Bits<64>(c))).s();
    zone_.apply(op, x, c);
    store(x, t);
    store_signed(x, sr);
    reduce(x);
}

void ZoneTnumState::endian(EndianKind k, unsigned bits, Var x) {
    if (is_bottom()) return;
    zone_.normalise();
    const T t = T::endian(k, bits, tnum(x));
    const SRange sr = Interval<Bits<64>>::endian(k, bits, interval(x)).s();
    zone_.endian(k, bits, x);
    store(x, t);
    store_signed(x, sr);
    reduce(x);
}

void ZoneTnumState::assume(const Branch& br, Var x, Var y) {
    if (is_bottom()) return;
    zone_.normalise();
    const T ty0 = tnum(y);
    const auto [tx, ty] = T::assume(br, tnum(x), ty0);
    if (tx.is_bottom() || ty.is_bottom()) return set_bottom();
    const auto [ix, iy] = Interval<Bits<64>>::assume(br, interval(x), interval(y));
    if (ix.is_bottom() || iy.is_bottom()) return set_bottom();
    if (ty0.is_const() && x != y)
        zone_.assume(br, x, ty0.value.raw());
    else
        zone_.assume(br, x, y);
    if (x == y) {
        store(x, tx.meet(ty));
        store_signed(x, ix.s().meet(iy.s()));
    } else {
        store(x, tx);
        store(y, ty);
        store_signed(x, ix.s());
        store_signed(y, iy.s());
    }
    reduce(x);
    reduce(y);
}

void ZoneTnumState::assume(const Branch& br, Var x, std::uint64_t c) {
    if (is_bottom()) return;
    zone_.normalise();
    const auto [tx, tc] = T::assume(br, tnum(x), T::constant(Bits<64>(c)));
    if (tx.is_bottom() || tc.is_bottom()) return set_bottom();
    const auto [ix, ic] =
        Interval<Bits<64>>::assume(br, interval(x), Interval<Bits<64>>::constant(Bits<64>(c)));
    if (ix.is_bottom() || ic.is_bottom()) return set_bottom();
    zone_.assume(br, x, c);
    store(x, tx);
    store_signed(x, ix.s());
    reduce(x);
}

}  // namespace bpflab::dom
