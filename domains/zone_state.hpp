// SPDX-License-Identifier: Apache-2.0
// bpflab: the zone state domain — 64-bit register variables related by difference bounds.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/word.hpp"
#include "domains/interval.hpp"
#include "domains/state.hpp"
#include "domains/tnum.hpp"
#include "domains/zone/dbm.hpp"
#include "domains/zone/urange.hpp"

namespace bpflab::dom {

/// A NumericState (domains/state.hpp) over a difference-bound matrix; registry name `zone`.
///
/// Interpretation: variable x stands for its unsigned 64-bit value read as a mathematical
/// integer in [0, 2^64). DBM index x + 1 holds x - 1 (a bias of one), so differences between
/// variables are the integers' own, and bounds through the zero variable are shifted by one:
/// x <= c is the entry c - 1, x >= c the entry 1 - c. The bias makes both facts at the sign
/// boundary representable (x <= 2^63 - 1 as entry 2^63 - 2, x >= 2^63 as entry 1 - 2^63), since
/// INT64_MAX is the DBM's +∞. Every variable the state has seen carries x >= 0 explicitly (so
/// relations derive lower bounds from it); x <= 2^64 - 1 and bounds past int64 stay implicit (not
/// recorded = +∞, sound), and projections intersect with [0, 2^64 - 1]. Constants above 2^63 are
/// recorded as x > 2^63 only (the zone+tnum product keeps them exact).
///
/// Variables are dense small integers: the matrix grows to the largest variable seen.
///
/// Normalisation: every transfer function and lattice operation leaves the DBM closed, except
/// widen and narrow, whose results stay unclosed (closing a widened value can break the
/// termination of the iteration). Transfer functions close such a state first; const observers
/// (interval, leq, join …) read a closed copy. `is_bottom` is a plain read, and never misses an
/// empty DBM in either form: a widened or narrowed value contains its (non-empty) right argument.
/// (Emptiness that only the unrecorded bounds past INT64_MAX would show is not detected: sound.)
///
/// Transfer soundness in one line: relational updates are used only where the zone proves that
/// no wrap-around happens (then 64-bit arithmetic is integer arithmetic); everything else
/// havocs x and records the unsigned bounds the interval domain (domains/interval.hpp) gives.
class ZoneState {
  public:
    using Bool = bool;
    static constexpr std::string_view kName = "zone";

    /// Top: no variable is constrained. A default-constructed state is top.
    ZoneState() = default;

    /// Closes the DBM if a widening or narrowing left it unclosed (no-op otherwise). Const
    /// observers of an unclosed state close a private copy on every call (O(n³) each), so a
    /// client reading many projections of a widened state normalises it once first.
    void normalise();
    [[nodiscard]] bool is_normalised() const { return dbm_.is_closed(); }

    // ---- lattice ----
    [[nodiscard]] static ZoneState top() { return {}; }
    [[nodiscard]] static ZoneState bottom();
    /// Whether nothing beyond the implicit [0, 2^64) ranges is known.
    [[nodiscard]] bool is_top() const;
    [[nodiscard]] bool is_bottom() const { return dbm_.is_bottom(); }
    [[nodiscard]] bool leq(const ZoneState& b) const;
    [[nodiscard]] ZoneState join(const ZoneState& b) const;
    [[nodiscard]] ZoneState meet(const ZoneState& b) const;
    /// Assumes this->leq(b); plain zone widening (growing bounds become +∞).
    [[nodiscard]] ZoneState widen(const ZoneState& b) const { return widen(b, {}); }
    /// Widening with thresholds: each value t is a stop for x <= t, x >= t, x - y <= ±t.
    [[nodiscard]] ZoneState widen(const ZoneState& b, std::span<const zone::Bound> t) const;
    /// Assumes b.leq(*this); refines only unbounded entries.
    [[nodiscard]] ZoneState narrow(const ZoneState& b) const;
    void join_with(const ZoneState& b) { *this = join(b); }
    void meet_with(const ZoneState& b) { *this = meet(b); }
    void widen_with(const ZoneState& b) { *this = widen(b); }
    void narrow_with(const ZoneState& b) { *this = narrow(b); }

    // ---- transfer (NumericState) ----
    /// Forgets x (x keeps only its implicit range).
    void havoc(Var x);
    /// x := c (exact for c <= 2^63; x > 2^63 otherwise).
    void assign(Var x, std::uint64_t c);
    /// x := y, relational (x - y = 0).
    void assign(Var x, Var y);
    /// x := x op y. 64-bit add keeps relations when no wrap-around is possible (x shifted by
    /// y's range, and x' - y = old x); moves are copies when the value is unchanged by the
    /// width; constants are folded exactly; the rest goes through the range projection.
    void apply(const AluSpec& op, Var x, Var y);
    /// x := x op c (c as the ISA presents it). Add/Sub of a constant is a relational shift when
    /// the zone proves x + c does not wrap (also for the 32-bit form within [0, 2^32)).
    void apply(const AluSpec& op, Var x, std::uint64_t c);
    /// x := byte-order conversion of x (the identity when provably so, else a projection).
    void endian(EndianKind k, unsigned bits, Var x);
    /// Meets with the branch side `x cond y`: unsigned comparisons (and signed ones between
    /// values known non-negative as signed, and 32-bit ones between values below 2^32 / 2^31)
    /// add difference constraints (!= turns x <= y into x < y); every comparison also refines
    /// both ranges through the interval domain.
    void assume(const Branch& br, Var x, Var y);
    /// Meets with the branch side `x cond c`.
    void assume(const Branch& br, Var x, std::uint64_t c);

    // ---- projections ----
    /// The unsigned bounds of x (empty on bottom).
    [[nodiscard]] zone::URange bounds(Var x) const;
    /// The interval of x (its unsigned bounds; the other views derived from them).
    [[nodiscard]] Interval<Bits<64>> interval(Var x) const;
    /// The known bits of x, from its bounds.
    [[nodiscard]] Tnum<Bits<64>> tnum(Var x) const;
    /// The bound c of x - y <= c (+∞ if none), read from the closed form.
    [[nodiscard]] zone::Bound difference(Var x, Var y) const;
    /// Meets x with [r.lo, r.hi] (bottom if r is empty).
    void refine(Var x, zone::URange r);
    /// The matrix (DBM index x + 1 holds x - 1; see above).
    [[nodiscard]] const Dbm& dbm() const { return dbm_; }

  private:
    [[nodiscard]] static Dbm::Index index(Var x) { return static_cast<Dbm::Index>(x) + 1; }
    /// Grows the matrix to hold variable x, recording x >= 0 for each new variable.
    void ensure(Var x);
    /// `d` grown to n variables with the implicit x >= 0 facts of new ones.
    [[nodiscard]] static Dbm grown(const Dbm& d, std::size_t n);
    /// x := x + d for an exact integer d, when x + d stays in [0, 2^64) for every x.
    [[nodiscard]] bool try_shift(Var x, zone::Wide d);
    /// Havocs x and records r.
    void set_range(Var x, zone::URange r);

    Dbm dbm_;
};

static_assert(NumericState<ZoneState>);

}  // namespace bpflab::dom
