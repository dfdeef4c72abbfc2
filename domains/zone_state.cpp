// SPDX-License-Identifier: Apache-2.0
// bpflab: the zone state — lattice, projections and transfer functions over unsigned 64-bit
// values (see zone_state.hpp for the interpretation and the closure discipline).
#include "domains/zone_state.hpp"

#include <algorithm>
#include <vector>

#include "core/semantics.hpp"
#include "domains/interval.hpp"

namespace bpflab::dom {

using zone::Bound;
using zone::kInf;
using zone::URange;
using zone::Wide;

namespace {

constexpr std::uint64_t kU32Max = 0xffff'ffff;
constexpr Wide kU64Max = (Wide{1} << 64) - 1;

// The DBM holds x - kBias for each variable x (see zone_state.hpp): bounds convert here.
constexpr Wide kBias = 1;
/// The DBM entry (x, 0) for x <= hi.
constexpr Bound upper_entry(std::uint64_t hi) {
    return zone::clamp_bound(static_cast<Wide>(hi) - kBias);
}
/// The DBM entry (0, x) for x >= lo.
constexpr Bound lower_entry(std::uint64_t lo) {
    return zone::clamp_bound(kBias - static_cast<Wide>(lo));
}
/// The implicit x >= 0.
constexpr Bound kNonNegative = lower_entry(0);

// The non-relational projection goes through the interval domain (domains/interval.hpp).
using Ivl = Interval<Bits<64>>;
Ivl to_interval(URange r) {
    if (r.empty()) return Ivl::bottom();
    return Ivl::of(UInterval<Bits<64>>(Bits<64>(r.lo), Bits<64>(r.hi)));
}
URange to_range(const Ivl& i) {
    if (i.is_bottom()) return {1, 0};
    return {i.u().lo().raw(), i.u().hi().raw()};
}

}  // namespace

// ---- structure ------------------------------------------------------------------------------

ZoneState ZoneState::bottom() {
    ZoneState s;
    s.dbm_ = Dbm::bottom();
    return s;
}

Dbm ZoneState::grown(const Dbm& d, std::size_t n) {
    if (d.is_bottom() || d.num_vars() >= n) return d;
    Dbm g = d;
    const std::size_t old = g.num_vars();
    g.ensure_vars(n);
    // x >= 0 for a fresh variable: unrelated to the others, so the closure is kept.
    for (std::size_t v = old + 1; v <= n; ++v) g.add_constraint(0, v, kNonNegative);
    return g;
}

void ZoneState::ensure(Var x) {
    if (index(x) > dbm_.num_vars()) dbm_ = grown(dbm_, index(x));
}

void ZoneState::normalise() {
    if (!dbm_.is_closed()) dbm_.close();
}

// ---- lattice --------------------------------------------------------------------------------

bool ZoneState::is_top() const {
    if (is_bottom()) return false;
    Dbm d = dbm_;
    if (!d.is_closed()) d.close();
    for (Dbm::Index i = 0; i <= d.num_vars(); ++i)
        for (Dbm::Index j = 0; j <= d.num_vars(); ++j) {
            if (i == j) continue;
            // (0, x) is the implicit x >= 0 or weaker; any other finite entry is a fact.
            if (i == 0 ? d.at(i, j) < kNonNegative : d.at(i, j) != kInf) return false;
        }
    return true;
}

bool ZoneState::leq(const ZoneState& b) const {
    if (is_bottom()) return true;
    if (b.is_bottom()) return false;
    const std::size_t n = std::max(dbm_.num_vars(), b.dbm_.num_vars());
    return grown(dbm_, n).leq(grown(b.dbm_, n));
}

ZoneState ZoneState::join(const ZoneState& b) const {
    const std::size_t n = std::max(dbm_.num_vars(), b.dbm_.num_vars());
    ZoneState r;
    r.dbm_ = grown(dbm_, n).join(grown(b.dbm_, n));
    return r;
}

ZoneState ZoneState::meet(const ZoneState& b) const {
    const std::size_t n = std::max(dbm_.num_vars(), b.dbm_.num_vars());
    ZoneState r;
    r.dbm_ = grown(dbm_, n).meet(grown(b.dbm_, n));
    return r;
}

ZoneState ZoneState::widen(const ZoneState& b, std::span<const Bound> t) const {
    const std::size_t n = std::max(dbm_.num_vars(), b.dbm_.num_vars());
    // A threshold t stands for the bounds x <= t and x >= t (biased entries t - 1 and 1 - t)
    // and the differences x - y <= ±t: each entry form becomes a stop of the DBM widening.
    std::vector<Bound> stops;
    stops.reserve(4 * t.size());
    for (const Bound v : t) {
        for (const Wide e : {static_cast<Wide>(v), static_cast<Wide>(v) - kBias,
                             -static_cast<Wide>(v), kBias - static_cast<Wide>(v)})
            if (zone::clamp_bound(e) != kInf) stops.push_back(zone::clamp_bound(e));
    }
    std::sort(stops.begin(), stops.end());
    stops.erase(std::unique(stops.begin(), stops.end()), stops.end());
    ZoneState r;
    r.dbm_ = grown(dbm_, n).widen(grown(b.dbm_, n), stops);
    return r;
}

ZoneState ZoneState::narrow(const ZoneState& b) const {
    const std::size_t n = std::max(dbm_.num_vars(), b.dbm_.num_vars());
    ZoneState r;
    r.dbm_ = grown(dbm_, n).narrow(grown(b.dbm_, n));
    return r;
}

// ---- projections ----------------------------------------------------------------------------

Interval<Bits<64>> ZoneState::interval(Var x) const {
    return to_interval(bounds(x));
}

URange ZoneState::bounds(Var x) const {
    if (is_bottom()) return {1, 0};
    if (!dbm_.is_closed()) {
        ZoneState c = *this;
        c.normalise();
        return c.bounds(x);
    }
    const Bound up = dbm_.upper(index(x)), neg_lo = dbm_.neg_lower(index(x));
    URange r;
    const Wide hi = static_cast<Wide>(up) + kBias, lo = kBias - static_cast<Wide>(neg_lo);
    if (hi < 0) return {1, 0};  // unreachable on a closed DBM holding x >= 0
    if (up != kInf && hi < kU64Max) r.hi = static_cast<std::uint64_t>(hi);
    if (neg_lo != kInf && lo > 0) r.lo = static_cast<std::uint64_t>(lo);
    return r;
}

Tnum<Bits<64>> ZoneState::tnum(Var x) const {
    const URange r = bounds(x);
    if (r.empty()) return Tnum<Bits<64>>::bottom();
    return Tnum<Bits<64>>::range(Bits<64>(r.lo), Bits<64>(r.hi));
}

Bound ZoneState::difference(Var x, Var y) const {
    if (is_bottom()) return zone::kMinBound;
    if (!dbm_.is_closed()) {
        ZoneState c = *this;
        c.normalise();
        return c.difference(x, y);
    }
    return dbm_.at(index(x), index(y));
}

void ZoneState::refine(Var x, URange r) {
    if (is_bottom()) return;
    normalise();
    ensure(x);
    // The meet with the current bounds catches emptiness the DBM cannot represent (bounds past
    // INT64_MAX are not recorded).
    if (bounds(x).meet(r).empty()) {
        dbm_ = Dbm::bottom();
        return;
    }
    dbm_.add_constraint(index(x), 0, upper_entry(r.hi));  // +∞ (no-op) when not representable
    if (r.lo > 0) dbm_.add_constraint(0, index(x), lower_entry(r.lo));
}

// ---- transfer -------------------------------------------------------------------------------

void ZoneState::havoc(Var x) {
    if (is_bottom()) return;
    normalise();
    ensure(x);
    dbm_.forget(index(x));
    dbm_.add_constraint(0, index(x), kNonNegative);
}

void ZoneState::set_range(Var x, URange r) {
    havoc(x);
    refine(x, r);
}

void ZoneState::assign(Var x, std::uint64_t c) {
    if (is_bottom()) return;
    normalise();
    ensure(x);
    // Exact for c <= 2^63; for larger c the clamped bounds say x > 2^63 and relate x to the
    // others by true (saturated) differences.
    dbm_.assign_const(index(x), static_cast<Wide>(c) - kBias);
}

void ZoneState::assign(Var x, Var y) {
    if (is_bottom() || x == y) return;
    normalise();
    ensure(std::max(x, y));
    dbm_.assign(index(x), index(y), 0);
}

bool ZoneState::try_shift(Var x, Wide d) {
    const URange r = bounds(x);
    if (static_cast<Wide>(r.lo) + d < 0 || static_cast<Wide>(r.hi) + d > kU64Max) return false;
    dbm_.assign(index(x), index(x), d);  // no wrap: the 64-bit sum is the integer sum
    return true;
}

void ZoneState::apply(const AluSpec& op, Var x, std::uint64_t c) {
    if (is_bottom()) return;
    normalise();
    ensure(x);
    const URange xr = bounds(x);
    const bool add = op.op == AluOp::Add, sub = op.op == AluOp::Sub;
    if (op.is64 && (add || sub)) {
        const Wide d = static_cast<std::int64_t>(c);
        if (try_shift(x, add ? d : -d)) return;
    } else if (!op.is64 && (add || sub) && xr.hi <= kU32Max) {
        // 32-bit form on a value that is its own low half: (x + c) mod 2^32 is x + d for the
        // signed reading d of c's low half whenever x + d stays in [0, 2^32).
        const Wide d32 = static_cast<std::int32_t>(static_cast<std::uint32_t>(c));
        const Wide d = add ? d32 : -d32;
        if (static_cast<Wide>(xr.lo) + d >= 0 && static_cast<Wide>(xr.hi) + d <= kU32Max) {
            dbm_.assign(index(x), index(x), d);
            return;
        }
    }
    if (op.op == AluOp::Mov || op.op == AluOp::MovSx || xr.is_const()) {
        // The result is a constant: compute it with the ISA's own semantics.
        const auto v =
            sem::alu_reg_word<Bits<64>>(op.op, op.is64, Bits<64>(xr.lo), Bits<64>(c), op.sx_bits);
        assign(x, v.raw());
        return;
    }
    set_range(x, to_range(Ivl::alu(op, to_interval(xr), Ivl::constant(Bits<64>(c)))));
}

void ZoneState::apply(const AluSpec& op, Var x, Var y) {
    if (is_bottom()) return;
    normalise();
    ensure(std::max(x, y));
    const URange yr = bounds(y), xr = bounds(x);
    if (yr.is_const()) return apply(op, x, yr.lo);
    const std::uint64_t width_max = op.is64 ? ~std::uint64_t{0} : kU32Max;
    switch (op.op) {
        case AluOp::Mov:  // a copy when y is its own low half (or the move is 64-bit)
            if (yr.hi <= width_max) return assign(x, y);
            break;
        case AluOp::MovSx: {  // a copy when y's sign bit at the source width is clear
            const unsigned bits = op.sx_bits == 0 ? 64 : op.sx_bits;
            const unsigned width = op.is64 ? 64 : 32;
            if (bits >= width ? yr.hi <= width_max : yr.hi < (std::uint64_t{1} << (bits - 1)))
                return assign(x, y);
            break;
        }
        case AluOp::Sub:
        case AluOp::Xor:
            if (x == y) return assign(x, std::uint64_t{0});
            break;
        default:
            break;
    }
    if (x != y && xr.hi <= width_max && yr.hi <= width_max) {
        if (op.op == AluOp::Add && static_cast<Wide>(xr.hi) + yr.hi <= width_max) {
            // No wrap: x' = x + t with t ∈ y's range, and x' - y = old x exactly.
            dbm_.shift_by_range(index(x), yr.lo, yr.hi);
            dbm_.add_constraint(index(x), index(y), zone::clamp_bound(xr.hi));
            dbm_.add_constraint(index(y), index(x), zone::clamp_bound(-static_cast<Wide>(xr.lo)));
            return;
        }
        if (op.op == AluOp::Sub && xr.lo >= yr.hi) {
            // No wrap: x' = x - t with t ∈ y's range.
            dbm_.shift_by_range(index(x), -static_cast<Wide>(yr.hi), -static_cast<Wide>(yr.lo));
            return;
        }
    }
    set_range(x, to_range(Ivl::alu(op, to_interval(xr), to_interval(yr))));
}

void ZoneState::endian(EndianKind k, unsigned bits, Var x) {
    if (is_bottom()) return;
    normalise();
    ensure(x);
    const URange xr = bounds(x);
    if (k == EndianKind::ToLe && (bits >= 64 || xr.hi < (std::uint64_t{1} << bits))) return;
    set_range(x, to_range(Ivl::endian(k, bits, to_interval(xr))));
}

void ZoneState::assume(const Branch& br, Var x, Var y) {
    if (is_bottom()) return;
    normalise();
    ensure(std::max(x, y));
    URange xr = bounds(x), yr = bounds(y);
    if (br.cond != Cond::Set) {
        // The comparison as one between the integers x and y, when the width and signedness do
        // not change its meaning: both below 2^w (unsigned) or 2^(w-1) (signed).
        const Cond c = br.holds ? br.cond : sem::negate(br.cond);
        const bool is_signed = c == Cond::Sgt || c == Cond::Sge || c == Cond::Slt || c == Cond::Sle;
        const unsigned w = br.is32 ? 32 : 64;
        const std::uint64_t limit = is_signed ? (std::uint64_t{1} << (w - 1)) - 1
                                    : w == 64 ? ~std::uint64_t{0}
                                              : kU32Max;
        if (xr.hi <= limit && yr.hi <= limit) {
            const Dbm::Index ix = index(x), iy = index(y);
            switch (c) {
                case Cond::Eq:
                    dbm_.add_constraint(ix, iy, 0);
                    dbm_.add_constraint(iy, ix, 0);
                    break;
                case Cond::Lt:
                case Cond::Slt:
                    dbm_.add_constraint(ix, iy, -1);
                    break;
                case Cond::Le:
                case Cond::Sle:
                    dbm_.add_constraint(ix, iy, 0);
                    break;
                case Cond::Gt:
                case Cond::Sgt:
                    dbm_.add_constraint(iy, ix, -1);
                    break;
                case Cond::Ge:
                case Cond::Sge:
                    dbm_.add_constraint(iy, ix, 0);
                    break;
                case Cond::Ne:
                    // Over the integers, x <= y and x != y give x < y (the loop-exit pattern
                    // `i <= n, i != n`); x = y and x != y is dead.
                    if (dbm_.at(ix, iy) == 0 && dbm_.at(iy, ix) == 0) {
                        dbm_ = Dbm::bottom();
                        return;
                    }
                    if (dbm_.at(ix, iy) == 0) dbm_.add_constraint(ix, iy, -1);
                    if (dbm_.at(iy, ix) == 0) dbm_.add_constraint(iy, ix, -1);
                    break;
                default:
                    break;
            }
            if (is_bottom()) return;
            xr = bounds(x);
            yr = bounds(y);
        }
    }
    const auto [xi, yi] = Ivl::assume(br, to_interval(xr), to_interval(yr));
    if (xi.is_bottom() || yi.is_bottom()) {
        dbm_ = Dbm::bottom();
        return;
    }
    refine(x, to_range(xi));
    refine(y, to_range(yi));
}

void ZoneState::assume(const Branch& br, Var x, std::uint64_t c) {
    if (is_bottom()) return;
    normalise();
    ensure(x);
    const auto [xi, ci] = Ivl::assume(br, to_interval(bounds(x)), Ivl::constant(Bits<64>(c)));
    if (xi.is_bottom() || ci.is_bottom()) {
        dbm_ = Dbm::bottom();
        return;
    }
    refine(x, to_range(xi));
}

}  // namespace bpflab::dom
