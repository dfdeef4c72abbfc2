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
}

void ZoneTnumState::store(Var x, const T& t) {
    if (x >= tnums_.size()) tnums_.resize(static_cast<std::size_t>(x) + 1, T::top());
    tnums_[x] = t;
}

bool ZoneTnumState::is_top() const {
    return zone_.is_top() &&
           std::all_of(tnums_.begin(), tnums_.end(), [](const T& t) { return t.is_top(); });
}

bool ZoneTnumState::leq(const ZoneTnumState& b) const {
    if (is_bottom()) return true;
    if (b.is_bottom() || !zone_.leq(b.zone_)) return false;
    const std::size_t n = std::max(tnums_.size(), b.tnums_.size());
    for (std::size_t i = 0; i < n; ++i)  // this side reduced: γ(this) ⊆ γ(tnum(i))
        if (!tnum(static_cast<Var>(i)).leq(b.stored(static_cast<Var>(i)))) return false;
    return true;
}

namespace {

enum class Op { Join, Meet, Widen, Narrow };

T combine_tnum(Op op, const T& a, const T& b) {
    switch (op) {
        case Op::Join:
            return a.join(b);
        case Op::Widen:
            return a.widen(b);
        case Op::Meet:
        case Op::Narrow:
            return a.meet(b);
    }
    return a.join(b);
}

// The tnum side of the binary lattice operations, pointwise (top past either end).
std::vector<T> combine_tnums(Op op, const std::vector<T>& ta, const std::vector<T>& tb) {
    std::vector<T> out(std::max(ta.size(), tb.size()), T::top());
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] =
            combine_tnum(op, i < ta.size() ? ta[i] : T::top(), i < tb.size() ? tb[i] : T::top());
    return out;
}

}  // namespace

ZoneTnumState ZoneTnumState::join(const ZoneTnumState& b) const {
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
    return r;
}

ZoneTnumState ZoneTnumState::meet(const ZoneTnumState& b) const {
    if (is_bottom()) return *this;
    if (b.is_bottom()) return b;
    ZoneTnumState r;
    r.zone_ = zone_.meet(b.zone_);
    r.tnums_ = combine_tnums(Op::Meet, tnums_, b.tnums_);
    if (r.zone_.is_bottom()) return bottom();
    for (std::size_t i = 0; i < r.tnums_.size(); ++i) {
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
    r.tnums_ = combine_tnums(Op::Widen, tnums_, b.tnums_);
    return r;
}

ZoneTnumState ZoneTnumState::narrow(const ZoneTnumState& b) const {
    if (is_bottom() || b.is_bottom()) return bottom();
    ZoneTnumState r;
    r.zone_ = zone_.narrow(b.zone_);
    r.tnums_ = combine_tnums(Op::Narrow, tnums_, b.tnums_);
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
}

T ZoneTnumState::tnum(Var x) const {
    if (is_bottom()) return T::bottom();
    return stored(x).meet(zone_.tnum(x));
}

Interval<Bits<64>> ZoneTnumState::interval(Var x) const {
    if (is_bottom()) return Interval<Bits<64>>::bottom();
    const T t = tnum(x);
    if (t.is_bottom()) return Interval<Bits<64>>::bottom();
    const auto from_bits = Interval<Bits<64>>::of(UInterval<Bits<64>>(t.value, t.value | t.mask));
    return zone_.interval(x).meet(from_bits);
}

// ---- transfer -----------------------------------------------------------------------------------

void ZoneTnumState::havoc(Var x) {
    if (is_bottom()) return;
    zone_.normalise();
    zone_.havoc(x);
    if (x < tnums_.size()) tnums_[x] = T::top();
}

void ZoneTnumState::assign(Var x, std::uint64_t c) {
    if (is_bottom()) return;
    zone_.normalise();
    zone_.assign(x, c);
    store(x, T::constant(Bits<64>(c)));
}

void ZoneTnumState::assign(Var x, Var y) {
    if (is_bottom() || x == y) return;
    zone_.normalise();
    const T ty = tnum(y);
    zone_.assign(x, y);
    store(x, ty);
}

void ZoneTnumState::apply(const AluSpec& op, Var x, Var y) {
    if (is_bottom()) return;
    zone_.normalise();
    const T ty = tnum(y);
    const T t = T::alu(op, tnum(x), ty);
    // A constant the tnum knows but the zone may not (above 2^63) goes in as a constant.
    if (ty.is_const())
        zone_.apply(op, x, ty.value.raw());
    else
        zone_.apply(op, x, y);
    store(x, t);
    reduce(x);
}

void ZoneTnumState::apply(const AluSpec& op, Var x, std::uint64_t c) {
    if (is_bottom()) return;
    zone_.normalise();
    const T t = T::alu(op, tnum(x), T::constant(Bits<64>(c)));
    zone_.apply(op, x, c);
    store(x, t);
    reduce(x);
}

void ZoneTnumState::endian(EndianKind k, unsigned bits, Var x) {
    if (is_bottom()) return;
    zone_.normalise();
    const T t = T::endian(k, bits, tnum(x));
    zone_.endian(k, bits, x);
    store(x, t);
    reduce(x);
}

void ZoneTnumState::assume(const Branch& br, Var x, Var y) {
    if (is_bottom()) return;
    zone_.normalise();
    const T ty0 = tnum(y);
    const auto [tx, ty] = T::assume(br, tnum(x), ty0);
    if (tx.is_bottom() || ty.is_bottom()) return set_bottom();
    if (ty0.is_const() && x != y)
        zone_.assume(br, x, ty0.value.raw());
    else
        zone_.assume(br, x, y);
    if (x == y) {
        store(x, tx.meet(ty));
    } else {
        store(x, tx);
        store(y, ty);
    }
    reduce(x);
    reduce(y);
}

void ZoneTnumState::assume(const Branch& br, Var x, std::uint64_t c) {
    if (is_bottom()) return;
    zone_.normalise();
    const auto [tx, tc] = T::assume(br, tnum(x), T::constant(Bits<64>(c)));
    if (tx.is_bottom() || tc.is_bottom()) return set_bottom();
    zone_.assume(br, x, c);
    store(x, tx);
    reduce(x);
}

}  // namespace bpflab::dom
