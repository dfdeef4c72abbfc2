// SPDX-License-Identifier: Apache-2.0
// bpflab: difference-bound matrices (zones): conjunctions of `x - y <= c` over integer variables.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "domains/zone/bound.hpp"

namespace bpflab::dom {

/// A difference-bound matrix over variables 1..n and the zero variable 0 (the constant 0, so
/// `x - 0 <= c` is an upper bound of x and `0 - x <= c` a lower bound). Entry (i, j) is the
/// bound c of `x_i - x_j <= c`; +∞ means no constraint. Variables range over the integers;
/// what they stand for is the client's business (ZoneState: unsigned 64-bit values).
///
/// Storage is one flat row-major (n+1)×(n+1) vector; no per-entry allocation.
///
/// Normalisation is explicit. A DBM is *closed* when every entry is the tightest bound its
/// constraints imply (shortest paths, Floyd–Warshall) and no negative cycle exists (otherwise
/// it is bottom). `close()` normalises; `is_closed()` tells. Operations say what they need:
///   keep closure:   add_constraint (incremental), forget, assign, assign_const, shift, join,
///                   meet, ensure_vars;
///   need closure:   bounds and projections are tightest only on a closed DBM (sound always);
///                   join/leq close private copies of unclosed operands (never `*this`);
///   drop closure:   widen, narrow, set_entry (results are sound, close before precise use).
/// A default-constructed Dbm is top over no variable (so also top over any variable).
class Dbm {
  public:
    using Bool = bool;
    using Bound = zone::Bound;
    /// A variable index: 0 is the zero variable, 1..num_vars() the variables.
    using Index = std::size_t;

    Dbm() = default;
    /// Top over `n` variables.
    explicit Dbm(std::size_t n);

    // ---- lattice (domains/lattice.hpp) ----
    [[nodiscard]] static Dbm top() { return Dbm(); }
    [[nodiscard]] static Dbm bottom();
    /// Whether no constraint is recorded (off-diagonal entries all +∞).
    [[nodiscard]] bool is_top() const;
    /// Whether the DBM is known empty: exact on a closed DBM; on an unclosed one an empty DBM
    /// may answer false (never mutates; call close() first).
    [[nodiscard]] bool is_bottom() const { return bottom_; }
    /// γ(this) ⊆ γ(b): entrywise on the closure of this (a copy if this is unclosed).
    [[nodiscard]] bool leq(const Dbm& b) const;
    /// Least upper bound in the zone lattice: entrywise max of the closures; result closed.
    [[nodiscard]] Dbm join(const Dbm& b) const;
    /// Intersection: entrywise min, then closed (may become bottom).
    [[nodiscard]] Dbm meet(const Dbm& b) const;
    /// Standard widening (assumes this->leq(b)): stable entries kept, growing ones become +∞.
    /// The result is not closed; iterate on it unclosed for termination.
    [[nodiscard]] Dbm widen(const Dbm& b) const { return widen(b, {}); }
    /// Widening with thresholds (`thresholds` sorted ascending): a growing entry jumps to the
    /// least threshold at or above its new value, or +∞ past the last one.
    [[nodiscard]] Dbm widen(const Dbm& b, std::span<const Bound> thresholds) const;
    /// Narrowing (assumes b.leq(*this)): only +∞ entries of this take b's entry; not closed.
    [[nodiscard]] Dbm narrow(const Dbm& b) const;
    void join_with(const Dbm& b) { *this = join(b); }
    void meet_with(const Dbm& b) { *this = meet(b); }
    void widen_with(const Dbm& b) { *this = widen(b); }
    void narrow_with(const Dbm& b) { *this = narrow(b); }

    // ---- structure ----
    [[nodiscard]] std::size_t num_vars() const { return dim_ - 1; }
    /// Adds unconstrained variables so that num_vars() >= n (no-op if already); keeps closure.
    void ensure_vars(std::size_t n);
    /// The bound of `x_i - x_j <= c` (+∞ for indices past num_vars(), 0 on the diagonal).
    [[nodiscard]] Bound at(Index i, Index j) const {
        if (i >= dim_ || j >= dim_) return i == j ? 0 : zone::kInf;
        return m_[i * dim_ + j];
    }
    [[nodiscard]] bool is_closed() const { return closed_; }

    // ---- normalisation ----
    /// Floyd–Warshall shortest paths, O(n³); a negative cycle makes the DBM bottom.
    void close();
    /// Adds `x_i - x_j <= c` (growing the matrix if needed). On a closed DBM the closure is
    /// updated incrementally in O(n²) (m'(k,l) = min(m(k,l), m(k,i) + c + m(j,l))), and a
    /// negative cycle through the new edge gives bottom; on an unclosed one only the entry
    /// is tightened.
    void add_constraint(Index i, Index j, Bound c);
    /// Overwrites one entry without propagation (drops closure; for tests and reductions).
    void set_entry(Index i, Index j, Bound c);

    // ---- transfer ----
    /// Removes every constraint on x_x (havoc). Keeps closure.
    void forget(Index x);
    /// x := y + c, exactly (y may be x: a shift; y may be 0: a constant). Keeps closure.
    void assign(Index x, Index y, zone::Wide c);
    /// x := c.
    void assign_const(Index x, zone::Wide c) { assign(x, 0, c); }
    /// x := x + t for some t in [lo, hi] (lo <= hi): x' - z <= (x - z) + hi, z - x' <= (z - x)
    /// - lo. Keeps closure (a path through x' gains hi - lo >= 0).
    void shift_by_range(Index x, zone::Wide lo, zone::Wide hi);
    /// The bound c of `x <= c` (+∞ if none): entry (x, 0).
    [[nodiscard]] Bound upper(Index x) const { return at(x, 0); }
    /// The bound c of `-x <= c`, i.e. x >= -c (+∞ if none): entry (0, x).
    [[nodiscard]] Bound neg_lower(Index x) const { return at(0, x); }

    friend bool operator==(const Dbm& a, const Dbm& b);

  private:
    [[nodiscard]] Bound& ref(Index i, Index j) { return m_[i * dim_ + j]; }
    void set_bottom();
    /// A closed copy of *this (a cheap copy when already closed).
    [[nodiscard]] Dbm closed_copy() const;

    std::size_t dim_ = 1;
    std::vector<Bound> m_ = std::vector<Bound>(1, 0);
    bool bottom_ = false;
    bool closed_ = true;
};

}  // namespace bpflab::dom
