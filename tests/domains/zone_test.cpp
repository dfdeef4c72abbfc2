// SPDX-License-Identifier: Apache-2.0
// bpflab: difference-bound matrices — closure, incremental closure, lattice laws, assignment.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "domains/lattice.hpp"
#include "domains/zone/dbm.hpp"

using bpflab::dom::Dbm;
using bpflab::dom::zone::Bound;
using bpflab::dom::zone::kInf;
using bpflab::dom::zone::kMinBound;

static_assert(bpflab::dom::Lattice<Dbm>);

namespace {

// A satisfiable DBM over n variables: constraints x_i - x_j <= v_i - v_j + slack around a
// hidden valuation v (returned), so `v` is always a witness.
struct Sample {
    Dbm dbm;
    std::vector<std::int64_t> witness;  // index 0 is the zero variable
};

Sample random_dbm(std::mt19937_64& rng, std::size_t n, std::size_t constraints) {
    Sample s{Dbm(n), std::vector<std::int64_t>(n + 1, 0)};
    std::uniform_int_distribution<std::int64_t> value(-100, 100), slack(0, 20);
    std::uniform_int_distribution<std::size_t> var(0, n);
    for (std::size_t i = 1; i <= n; ++i) s.witness[i] = value(rng);
    for (std::size_t k = 0; k < constraints; ++k) {
        const auto i = var(rng), j = var(rng);
        if (i == j) continue;
        s.dbm.set_entry(i, j, std::min(s.dbm.at(i, j), s.witness[i] - s.witness[j] + slack(rng)));
    }
    return s;
}

bool satisfies(const Dbm& d, const std::vector<std::int64_t>& v) {
    if (d.is_bottom()) return false;
    for (std::size_t i = 0; i < v.size(); ++i)
        for (std::size_t j = 0; j < v.size(); ++j)
            if (d.at(i, j) != kInf && v[i] - v[j] > d.at(i, j)) return false;
    return true;
}

}  // namespace

TEST_CASE("closure derives transitive bounds and detects negative cycles") {
    Dbm d(3);
    d.set_entry(1, 2, 3);
    d.set_entry(2, 3, 4);
    d.set_entry(3, 0, 10);  // x3 <= 10
    CHECK_FALSE(d.is_closed());
    d.close();
    CHECK(d.is_closed());
    CHECK(d.at(1, 3) == 7);
    CHECK(d.upper(1) == 17);
    CHECK(d.upper(2) == 14);
    CHECK(d.neg_lower(1) == kInf);

    Dbm cyc(2);
    cyc.set_entry(1, 2, 3);
    cyc.set_entry(2, 1, -4);  // x1 - x2 <= 3 and x2 - x1 <= -4: 0 <= -1
    cyc.close();
    CHECK(cyc.is_bottom());

    Dbm inc(2);
    inc.add_constraint(1, 2, 3);
    CHECK_FALSE(inc.is_bottom());
    inc.add_constraint(2, 1, -3);  // x1 - x2 = 3: a zero cycle is fine
    CHECK_FALSE(inc.is_bottom());
    inc.add_constraint(2, 1, -4);
    CHECK(inc.is_bottom());
    CHECK(Dbm::bottom().is_bottom());
    CHECK(Dbm::top().is_top());
    CHECK(Dbm(5).is_top());
}

TEST_CASE("saturating bounds never become tighter than the exact sum") {
    Dbm d(2);
    d.add_constraint(1, 2, kInf - 1);
    d.add_constraint(2, 0, kInf - 1);
    CHECK(d.upper(1) == kInf);  // the exact sum overflows: no bound, not a wrapped one
    Dbm e(2);
    e.add_constraint(1, 2, kMinBound + 1);
    e.add_constraint(2, 0, -5);
    CHECK(e.upper(1) == kMinBound);  // exact sum below INT64_MIN: clamped to INT64_MIN
    CHECK(bpflab::dom::zone::bound_add(kMinBound, kMinBound) == kMinBound);
    CHECK(bpflab::dom::zone::bound_add(kInf - 1, 1) == kInf);
    CHECK(bpflab::dom::zone::bound_add(kInf - 1, -1) == kInf - 2);
}

TEST_CASE("closure near the int64 limits is never tighter than exact shortest paths") {
    // Reference: Floyd-Warshall on 128-bit integers without saturation.
    using bpflab::dom::zone::Wide;
    std::mt19937_64 rng(5);
    const std::array<Bound, 9> edge{
        0, 5, -5, Bound{1} << 62, -(Bound{1} << 62), kInf - 3, kMinBound + 3, kMinBound, kInf - 1};
    int exact_bottoms = 0, compared = 0;
    for (int round = 0; round < 300; ++round) {
        const std::size_t n = 4;
        Dbm d(n);
        std::vector<Wide> ref((n + 1) * (n + 1), 0);
        std::vector<bool> inf((n + 1) * (n + 1), true);
        for (std::size_t i = 0; i <= n; ++i) inf[i * (n + 1) + i] = false;
        for (int k = 0; k < 7; ++k) {
            const std::size_t i = rng() % (n + 1), j = rng() % (n + 1);
            const Bound c = edge[rng() % edge.size()];
            if (i == j || c >= d.at(i, j)) continue;
            d.set_entry(i, j, c);
            ref[i * (n + 1) + j] = c;
            inf[i * (n + 1) + j] = false;
        }
        for (std::size_t k = 0; k <= n; ++k)
            for (std::size_t i = 0; i <= n; ++i)
                for (std::size_t j = 0; j <= n; ++j) {
                    const std::size_t ik = i * (n + 1) + k, kj = k * (n + 1) + j,
                                      ij = i * (n + 1) + j;
                    if (inf[ik] || inf[kj]) continue;
                    if (inf[ij] || ref[ik] + ref[kj] < ref[ij]) {
                        ref[ij] = ref[ik] + ref[kj];
                        inf[ij] = false;
                    }
                }
        bool ref_bottom = false;
        for (std::size_t i = 0; i <= n; ++i) ref_bottom = ref_bottom || ref[i * (n + 1) + i] < 0;
        d.close();
        if (ref_bottom) {
            ++exact_bottoms;
            continue;  // saturation may hide a cycle (sound); the matrix is then unconstrained
        }
        REQUIRE_FALSE(d.is_bottom());  // never bottom when a valuation exists
        for (std::size_t i = 0; i <= n; ++i)
            for (std::size_t j = 0; j <= n; ++j) {
                const std::size_t ij = i * (n + 1) + j;
                ++compared;
                if (inf[ij]) {
                    CHECK(d.at(i, j) == kInf);
                } else if (ref[ij] >= kInf) {
                    CHECK(d.at(i, j) == kInf);  // a bound past INT64_MAX - 1 is +∞
                } else {
                    // Sound; not always exact: a path whose prefix saturates is looser.
                    CHECK(static_cast<Wide>(d.at(i, j)) >= ref[ij]);
                }
            }
    }
    CHECK(exact_bottoms > 0);
    CHECK(compared > 1000);
}

TEST_CASE("incremental closure equals full closure on random DBMs of 10 to 64 variables") {
    std::mt19937_64 rng(42);
    int bottoms = 0, compared = 0;
    for (std::size_t n : {10u, 17u, 33u, 64u}) {
        for (int round = 0; round < 6; ++round) {
            Sample s = random_dbm(rng, n, n * 3);
            s.dbm.close();
            REQUIRE_FALSE(s.dbm.is_bottom());
            CHECK(satisfies(s.dbm, s.witness));
            std::uniform_int_distribution<std::size_t> var(0, n);
            std::uniform_int_distribution<std::int64_t> bound(-150, 150);
            for (int step = 0; step < 8; ++step) {
                const auto i = var(rng), j = var(rng);
                const Bound c = bound(rng);
                Dbm inc = s.dbm;
                inc.add_constraint(i, j, c);
                Dbm full = s.dbm;
                full.set_entry(i, j, std::min(full.at(i, j), c));
                full.close();
                CHECK(inc.is_closed());
                CHECK(inc.is_bottom() == full.is_bottom());
                CHECK(inc == full);
                ++compared;
                if (inc.is_bottom()) {
                    ++bottoms;
                    continue;
                }
                s.dbm = inc;
            }
        }
    }
    CHECK(compared == 4 * 6 * 8);
    CHECK(bottoms > 0);  // the random constraints reach the negative-cycle path too
}

TEST_CASE("closure keeps every witness and tightens to the shortest paths") {
    std::mt19937_64 rng(7);
    for (int round = 0; round < 20; ++round) {
        Sample s = random_dbm(rng, 12, 40);
        Dbm closed = s.dbm;
        closed.close();
        CHECK(satisfies(closed, s.witness));
        CHECK(closed.leq(s.dbm));
        CHECK(s.dbm.leq(closed));  // same concretisation
        Dbm again = closed;
        again.close();
        CHECK(again == closed);  // idempotent
    }
}

TEST_CASE("lattice laws of join, meet, widening and narrowing") {
    std::mt19937_64 rng(11);
    for (int round = 0; round < 40; ++round) {
        const std::size_t n = 8;
        Sample a = random_dbm(rng, n, 20), b = random_dbm(rng, n, 20);
        a.dbm.close();
        b.dbm.close();
        const Dbm j = a.dbm.join(b.dbm);
        CHECK(j.is_closed());
        CHECK(a.dbm.leq(j));
        CHECK(b.dbm.leq(j));
        CHECK(satisfies(j, a.witness));
        CHECK(satisfies(j, b.witness));
        CHECK(j == b.dbm.join(a.dbm));
        CHECK(a.dbm.join(a.dbm) == a.dbm);
        const Dbm m = a.dbm.meet(b.dbm);
        CHECK(m.leq(a.dbm));
        CHECK(m.leq(b.dbm));
        if (satisfies(b.dbm, a.witness)) CHECK(satisfies(m, a.witness));
        CHECK(a.dbm.meet(a.dbm) == a.dbm);
        CHECK(Dbm::bottom().leq(a.dbm));
        CHECK(a.dbm.leq(Dbm::top()));
        CHECK(a.dbm.join(Dbm::bottom()) == a.dbm);
        CHECK(a.dbm.meet(Dbm::top()) == a.dbm);
        // widening: an upper bound of both arguments; narrowing: between its arguments.
        const Dbm w = a.dbm.widen(j);
        CHECK(a.dbm.leq(w));
        CHECK(j.leq(w));
        const Dbm r = w.narrow(j);
        CHECK(j.leq(r));
        CHECK(r.leq(w));
    }
}

TEST_CASE("widening stabilises an increasing chain; thresholds stop at the next constant") {
    // x1 <= 1, 2, 3, ...: plain widening jumps to +∞ at once.
    Dbm a(1), b(1);
    a.add_constraint(1, 0, 1);
    b.add_constraint(1, 0, 2);
    b.add_constraint(0, 1, 0);
    a.add_constraint(0, 1, 0);
    const Dbm w = a.widen(b);
    CHECK(w.upper(1) == kInf);
    CHECK(w.neg_lower(1) == 0);  // stable lower bound kept
    const std::vector<Bound> thresholds{-1, 0, 16, 64, 1500};
    // The loop x := x + 1 from x = 1, iterated as x ∇ (x ⊔ f(x)): 1 -> 16 -> 64 -> 1500 -> +∞.
    Dbm x = a;
    std::vector<Bound> seen;
    int steps = 0;
    for (; steps < 100; ++steps) {
        Dbm fx = x;
        fx.assign(1, 1, 1);
        const Dbm wx = x.widen(x.join(fx), thresholds);
        if (wx == x) break;
        x = wx;
        seen.push_back(x.upper(1));
    }
    CHECK(seen == std::vector<Bound>{16, 64, 1500, kInf});
    CHECK(x.upper(1) == kInf);
    CHECK(steps < 3000);
    // Narrowing refines only the +∞ entries.
    Dbm tight(1);
    tight.add_constraint(1, 0, 99);
    tight.add_constraint(0, 1, -3);
    const Dbm nw = w.narrow(tight);
    CHECK(nw.upper(1) == 99);
    CHECK(nw.neg_lower(1) == 0);
}

TEST_CASE("assignment x := y + c is exact and relational; forget drops x only") {
    Dbm d(3);
    d.add_constraint(2, 0, 10);  // y <= 10
    d.add_constraint(0, 2, -2);  // y >= 2
    d.assign(1, 2, 5);           // x := y + 5
    CHECK(d.is_closed());
    CHECK(d.upper(1) == 15);
    CHECK(d.neg_lower(1) == -7);
    CHECK(d.at(1, 2) == 5);
    CHECK(d.at(2, 1) == -5);
    d.assign(1, 1, -3);  // x := x - 3
    CHECK(d.upper(1) == 12);
    CHECK(d.at(1, 2) == 2);
    d.assign_const(3, 40);
    CHECK(d.upper(3) == 40);
    CHECK(d.neg_lower(3) == -40);
    CHECK(d.at(1, 3) == 12 - 40);
    d.forget(1);
    CHECK(d.upper(1) == kInf);
    CHECK(d.at(1, 2) == kInf);
    CHECK(d.upper(2) == 10);
    // Closure after assignment agrees with the incremental result.
    Dbm full = d;
    full.close();
    CHECK(full == d);
}

TEST_CASE("the packet pattern is proven relationally") {
    // Variables: 1 pkt, 2 end, 3 p, 4 q. end >= pkt (size >= 0, unknown).
    enum : std::size_t { kPkt = 1, kEnd = 2, kP = 3, kQ = 4 };
    Dbm d(4);
    d.add_constraint(kPkt, kEnd, 0);
    d.assign(kP, kPkt, 0);  // p = pkt
    d.assign(kQ, kP, 14);   // q = p + 14
    Dbm dead = d;
    dead.add_constraint(kEnd, kQ, -1);  // q > end
    CHECK_FALSE(dead.is_bottom());      // both sides are feasible without more knowledge
    Dbm safe = d;
    safe.add_constraint(kQ, kEnd, 0);  // q <= end
    CHECK(safe.at(kP, kEnd) == -14);   // p + 14 <= end: a 14-byte access at p is in bounds
    CHECK(safe.at(kPkt, kEnd) == -14);
    CHECK(d.at(kP, kEnd) == 0);  // not known before the check
    // A second check q > end after the first is dead.
    Dbm again = safe;
    again.add_constraint(kEnd, kQ, -1);
    CHECK(again.is_bottom());
}

TEST_CASE("operations grow the matrix on demand and compare across sizes") {
    Dbm small(2), big(6);
    small.add_constraint(1, 0, 5);
    big.add_constraint(1, 0, 7);
    CHECK(small.leq(big));
    CHECK_FALSE(big.leq(small));
    const Dbm j = small.join(big);
    CHECK(j.num_vars() == 6);
    CHECK(j.upper(1) == 7);
    Dbm grow;
    grow.add_constraint(9, 3, 1);
    CHECK(grow.num_vars() == 9);
    CHECK(grow.at(9, 3) == 1);
    CHECK(grow.at(20, 21) == kInf);
}
