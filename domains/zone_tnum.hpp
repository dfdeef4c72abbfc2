// SPDX-License-Identifier: Apache-2.0
// bpflab: the zone × tnum product state — relations from the zone, known bits per variable,
// each reducing the other, and the signed bounds an unsigned zone cannot hold.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/word.hpp"
#include "domains/interval.hpp"
#include "domains/state.hpp"
#include "domains/tnum.hpp"
#include "domains/zone_state.hpp"

namespace bpflab::dom {

/// ZoneState × (Var → Tnum<Bits<64>>), a NumericState; registry name `zone+tnum`.
/// γ = γ(zone) ∩ { v | v(x) ∈ γ(tnum(x)) for every x }.
///
/// Reduction (after each transfer on the variables it wrote, and on demand when a tnum is
/// read): the tnum meets the range of the zone's bounds (Tnum::range), and the zone meets the
/// tnum's bounds [value, value | mask]; a stored signed range meets the interval projection,
/// whose unsigned view then bounds the zone. Every step intersects with sets that contain γ,
/// so it is sound; one round each way is done (the zone closes, so its side is already tight).
/// Projections meet both components: an exact constant above 2^63 that the zone cannot record
/// stays exact through the tnum.
///
/// Bottom is the zone's bottom; a tnum becoming bottom makes the zone bottom. Tnums beyond the
/// vector's end are top. A default-constructed state is top.
class ZoneTnumState {
  public:
    using Bool = bool;
    using T = Tnum<Bits<64>>;
    using SRange = SInterval<Bits<64>>;
    static constexpr std::string_view kName = "zone+tnum";

    ZoneTnumState() = default;

    /// Closes the zone after a widening or narrowing (see ZoneState::normalise).
    void normalise() { zone_.normalise(); }

    // ---- lattice: componentwise ----
    [[nodiscard]] static ZoneTnumState top() { return {}; }
    [[nodiscard]] static ZoneTnumState bottom();
    [[nodiscard]] bool is_top() const;
    [[nodiscard]] bool is_bottom() const { return zone_.is_bottom(); }
    [[nodiscard]] bool leq(const ZoneTnumState& b) const;
    [[nodiscard]] ZoneTnumState join(const ZoneTnumState& b) const;
    [[nodiscard]] ZoneTnumState meet(const ZoneTnumState& b) const;
    [[nodiscard]] ZoneTnumState widen(const ZoneTnumState& b) const { return widen(b, {}); }
    /// Zone widening with thresholds (sorted ascending), tnum and signed-range widening.
    [[nodiscard]] ZoneTnumState widen(const ZoneTnumState& b, std::span<const zone::Bound> t) const;
    [[nodiscard]] ZoneTnumState narrow(const ZoneTnumState& b) const;
    void join_with(const ZoneTnumState& b) { *this = join(b); }
    void meet_with(const ZoneTnumState& b) { *this = meet(b); }
    void widen_with(const ZoneTnumState& b) { *this = widen(b); }
    void narrow_with(const ZoneTnumState& b) { *this = narrow(b); }

    // ---- transfer: both components on reduced inputs, then reduce the written variables ----
    void havoc(Var x);
    void assign(Var x, std::uint64_t c);
    void assign(Var x, Var y);
    void apply(const AluSpec& op, Var x, Var y);
    void apply(const AluSpec& op, Var x, std::uint64_t c);
    void endian(EndianKind k, unsigned bits, Var x);
    void assume(const Branch& br, Var x, Var y);
    void assume(const Branch& br, Var x, std::uint64_t c);

    // ---- projections (both components met) ----
    [[nodiscard]] Interval<Bits<64>> interval(Var x) const;
    [[nodiscard]] T tnum(Var x) const;
    [[nodiscard]] const ZoneState& zone() const { return zone_; }

  private:
    /// The stored tnum of x (top past the end).
    [[nodiscard]] T stored(Var x) const { return x < tnums_.size() ? tnums_[x] : T::top(); }
    void store(Var x, const T& t);
    /// The stored signed range of x (top past the end).
    [[nodiscard]] SRange stored_signed(Var x) const {
        return x < signed_.size() ? signed_[x] : SRange::top();
    }
    /// Keeps s as x's signed range: a range of non-negative values goes into the zone's bounds
    /// instead (so that only ranges with negative members are stored); bottom empties the state.
    void store_signed(Var x, const SRange& s);
    /// Both-way reduction of x; bottom when the components disagree.
    void reduce(Var x);
    void set_bottom();

    ZoneState zone_;
    std::vector<T> tnums_;
    std::vector<SRange> signed_;
};

static_assert(NumericState<ZoneTnumState>);

}  // namespace bpflab::dom
