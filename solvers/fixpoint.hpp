// SPDX-License-Identifier: Apache-2.0
// bpflab: the fixpoint engine — generic over graph and lattice, knows nothing of eBPF.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/wto.hpp"
#include "domains/lattice.hpp"

namespace bpflab::fix {

using dom::Lattice;

/// Iteration policy.
struct Options {
    /// Joins at a loop head before widening starts (0: widen from the second visit on).
    unsigned widening_delay = 2;
    /// Descending (narrowing) passes over each component once it has stabilised.
    unsigned narrowing_passes = 2;
    /// Upper bound on ascending iterations of one component before giving up with top; a safety
    /// net for widenings that do not stabilise (a bug in a domain), never hit by a correct one.
    unsigned max_iterations = 10'000;
    /// The engine stops when this time has passed (checked every 64 transfers); the result is
    /// then incomplete (Stats::timed_out) and must not be read as an invariant.
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

/// What the engine did.
struct Stats {
    std::uint64_t transfers = 0;            ///< vertex transfer functions applied
    std::uint64_t edge_transfers = 0;       ///< edge transfer functions applied
    std::vector<unsigned> head_iterations;  ///< per vertex: ascending iterations (heads only)
    std::uint64_t widenings = 0;
    std::uint64_t narrowings = 0;
    std::size_t states_stored = 0;  ///< invariants kept (one per reachable vertex)
    double seconds = 0;
    bool gave_up = false;    ///< some component hit max_iterations
    bool timed_out = false;  ///< Options::deadline passed: the states are incomplete
};

/// The problem the engine solves: a graph with `vertex_count()` vertices, successor and
/// predecessor lists, an entry vertex with its initial state, and transfer functions.
///
///   vertex_count(), root(), successors(v), predecessors(v)  the graph (ids 0..n-1);
///   entry_state()          the state on entry to root();
///   transfer(v, pre)       the state after v given the state before it;
///   edge(u, v, post_u)     the state flowing along u -> v (branch refinement; identity by default
///                          is the caller's choice) — it may be bottom (a dead edge);
///   widen(v, old, next)    the widening at head v (assumes old.leq(next)); a problem that uses
///                          thresholds applies them here.
template <class P, class L>
concept Problem = Lattice<L> && requires(const P& p, std::size_t v, const L& s) {
    { p.vertex_count() } -> std::convertible_to<std::size_t>;
    { p.root() } -> std::convertible_to<std::size_t>;
    p.successors(v);
    p.predecessors(v);
    { p.entry_state() } -> std::convertible_to<L>;
    { p.transfer(v, s) } -> std::convertible_to<L>;
    { p.edge(v, v, s) } -> std::convertible_to<L>;
    { p.widen(v, s, s) } -> std::convertible_to<L>;
};

/// The invariants: the state before each vertex (bottom for unreachable ones) and after it.
template <Lattice L>
struct Result {
    std::vector<L> pre;
    std::vector<L> post;
    Stats stats;
};

/// Solves `problem` by Bourdoncle's recursive iteration strategy over a weak topological order:
/// vertices in WTO order; each component iterated from its head until the head's state is stable,
/// widening at the head after `widening_delay` joins, then `narrowing_passes` descending passes.
///
/// Soundness: every vertex's pre-state over-approximates the join of its incoming edge states at
/// the end (the ascending phase stops only at a post-fixpoint, and narrowing keeps a
/// post-fixpoint because each descending step recomputes from sound inputs and meets with
/// narrow(old, new), which lies between new and old).
template <Lattice L, class P>
requires Problem<P, L>
class Engine {
  public:
    Engine(const P& problem, Options options = {}) : p_(problem), opt_(options) {}

    [[nodiscard]] Result<L> solve() {
        const auto start = std::chrono::steady_clock::now();
        const std::size_t n = p_.vertex_count();
        r_.pre.assign(n, L::bottom());
        r_.post.assign(n, L::bottom());
        r_.stats = Stats{};
        r_.stats.head_iterations.assign(n, 0);
        wto_ = make_wto(n, p_.root(), [&](std::size_t v) { return p_.successors(v); });
        for (const WtoElement& e : wto_.elements()) {
            if (r_.stats.timed_out) break;
            visit(e);
        }
        for (std::size_t v = 0; v < n; ++v)
            if (wto_.contains(v)) ++r_.stats.states_stored;
        r_.stats.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return std::move(r_);
    }

  private:
    /// The join of the states flowing into v (plus the entry state at the root).
    [[nodiscard]] L incoming(std::size_t v) {
        L in = v == p_.root() ? L(p_.entry_state()) : L::bottom();
        for (auto u : p_.predecessors(v)) {
            const std::size_t from = static_cast<std::size_t>(u);
            if (!wto_.contains(from)) continue;
            ++r_.stats.edge_transfers;
            in.join_with(p_.edge(from, v, r_.post[from]));
        }
        return in;
    }

    void apply(std::size_t v) {
        ++r_.stats.transfers;
        if ((r_.stats.transfers & 63) == 0 && std::chrono::steady_clock::now() > opt_.deadline)
            r_.stats.timed_out = true;
        r_.post[v] = p_.transfer(v, r_.pre[v]);
    }

    void visit(const WtoElement& e) {
        if (!e.is_component) {
            r_.pre[e.vertex] = incoming(e.vertex);
            apply(e.vertex);
            return;
        }
        const std::size_t h = e.vertex;
        // Ascending phase: join, then widen, until the head's pre-state is stable.
        r_.pre[h] = incoming(h);
        for (unsigned it = 1;; ++it) {
            ++r_.stats.head_iterations[h];
            apply(h);
            for (const WtoElement& inner : e.body) visit(inner);
            if (r_.stats.timed_out) return;
            L next = incoming(h);
            if (next.leq(r_.pre[h])) break;
            if (it >= opt_.max_iterations) {
                r_.stats.gave_up = true;
                r_.pre[h] = L::top();
                apply(h);
                for (const WtoElement& inner : e.body) visit(inner);
                break;
            }
            if (it > opt_.widening_delay) {
                ++r_.stats.widenings;
                r_.pre[h] = p_.widen(h, r_.pre[h], r_.pre[h].join(next));
            } else {
                r_.pre[h].join_with(next);
            }
        }
        // Descending phase: a bounded number of narrowing passes.
        // A pass whose result is no longer a post-fixpoint (a non-monotone transfer can do that)
        // is undone: the previous, stable head state is restored and the body recomputed.
        for (unsigned pass = 0; pass < opt_.narrowing_passes && !r_.stats.timed_out; ++pass) {
            L next = incoming(h);
            if (r_.pre[h].leq(next)) break;  // already the least this pass can give
            ++r_.stats.narrowings;
            L stable = r_.pre[h];
            r_.pre[h] = r_.pre[h].narrow(next);
            apply(h);
            for (const WtoElement& inner : e.body) visit(inner);
            if (!incoming(h).leq(r_.pre[h])) {
                r_.pre[h] = std::move(stable);
                apply(h);
                for (const WtoElement& inner : e.body) visit(inner);
                break;
            }
        }
    }

    const P& p_;
    Options opt_;
    Wto wto_;
    Result<L> r_;
};

/// Convenience: `fix::solve<L>(problem, options)`.
template <Lattice L, class P>
requires Problem<P, L>
[[nodiscard]] Result<L> solve(const P& problem, Options options = {}) {
    return Engine<L, P>(problem, options).solve();
}

}  // namespace bpflab::fix
