// SPDX-License-Identifier: Apache-2.0
// bpflab: the zone × tnum product — reduction both ways, relations kept, soundness on runs.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "domains/zone_tnum.hpp"
#include "tests/domains/zone_runs.hpp"

using bpflab::AluOp;
using bpflab::Bits;
using bpflab::Cond;
using bpflab::dom::AluSpec;
using bpflab::dom::Branch;
using bpflab::dom::Var;
using bpflab::dom::ZoneTnumState;
using namespace bpflab::test::zone_runs;

TEST_CASE("zone+tnum: constants above 2^63 stay exact; known bits bound the zone") {
    ZoneTnumState s;
    CHECK(s.is_top());
    s.assign(0, kMax);
    CHECK(s.interval(0).u().is_constant());
    CHECK(s.interval(0).u().lo().raw() == kMax);
    CHECK(s.zone().bounds(0).lo >= std::uint64_t{1} << 63);  // the zone alone: x > 2^63
    // Known bits -> zone: x & 0xf0 is at most 0xf0, and x := y + 1 relates through it.
    s.havoc(1);
    s.apply(AluSpec{AluOp::And, true, 0}, 1, std::uint64_t{0xf0});
    s.assign(2, Var{1});
    s.apply(AluSpec{AluOp::Add, true, 0}, 2, std::uint64_t{1});
    CHECK(s.zone().difference(2, 1) == 1);
    CHECK(s.tnum(2).contains(Bits<64>(0xf1)));
    CHECK_FALSE(s.tnum(2).contains(Bits<64>(0xf2)));  // the tnum knows bits the zone cannot
    // Zone -> known bits: x <= 15 makes the bits above 3 known zero.
    ZoneTnumState t;
    t.assume(Branch{Cond::Le, false, true}, 0, std::uint64_t{15});
    CHECK(t.tnum(0).mask.raw() == 0xf);
    // A comparison against a register the tnum knows to be a large constant.
    ZoneTnumState u;
    u.assign(1, kMax - 1);
    u.assume(Branch{Cond::Gt, false, true}, 0, Var{1});
    CHECK(u.interval(0).u().is_constant());
    u.assume(Branch{Cond::Ne, false, true}, 0, kMax);
    CHECK(u.is_bottom());
}

TEST_CASE("zone+tnum: signed bounds that are two unsigned ranges are kept") {
    // x s<= 63 is [0, 63] ∪ [2^63, 2^64): nothing for an unsigned zone; then x s>= 0 makes it
    // [0, 63], which the zone holds.
    ZoneTnumState s;
    s.assume(Branch{Cond::Sgt, false, false}, 0, std::uint64_t{63});
    CHECK(s.interval(0).s().hi().sraw() == 63);
    CHECK(s.interval(0).u().is_top());
    s.assume(Branch{Cond::Slt, false, false}, 0, std::uint64_t{0});
    CHECK(s.interval(0).u().hi().raw() == 63);
    CHECK(s.zone().bounds(0).hi == 63);
    // x in [0, 10], x -= 5: [-5, 5] signed; x s< 0 is then [-5, -1], and x + 5 is in [0, 4].
    ZoneTnumState t;
    t.assume(Branch{Cond::Le, false, true}, 0, std::uint64_t{10});
    t.apply(AluSpec{AluOp::Sub, true, 0}, 0, std::uint64_t{5});
    CHECK(t.interval(0).s().lo().sraw() == -5);
    CHECK(t.interval(0).s().hi().sraw() == 5);
    t.assume(Branch{Cond::Slt, false, true}, 0, std::uint64_t{0});
    t.apply(AluSpec{AluOp::Add, true, 0}, 0, std::uint64_t{5});
    CHECK(t.interval(0).u().hi().raw() == 4);
    // A join keeps a signed range that straddles zero: -1 on one side, [0, 5] on the other.
    ZoneTnumState a, b;
    a.assign(0, ~std::uint64_t{0});
    b.assume(Branch{Cond::Le, false, true}, 0, std::uint64_t{5});
    const ZoneTnumState j = a.join(b);
    CHECK(j.interval(0).s().lo().sraw() == -1);
    CHECK(j.interval(0).s().hi().sraw() == 5);
    CHECK(a.leq(j));
    CHECK(b.leq(j));
}

TEST_CASE("zone+tnum: the packet pattern is still proven relationally") {
    enum : Var { kPkt = 0, kEnd = 1, kP = 2, kQ = 3 };
    ZoneTnumState s;
    s.assume(Branch{Cond::Le, false, true}, kPkt, std::uint64_t{1} << 40);
    s.assume(Branch{Cond::Le, false, true}, kPkt, Var{kEnd});
    s.assign(kP, Var{kPkt});
    s.assign(kQ, Var{kP});
    s.apply(AluSpec{AluOp::Add, true, 0}, kQ, std::uint64_t{14});
    s.assume(Branch{Cond::Gt, false, false}, kQ, Var{kEnd});
    CHECK(s.zone().difference(kP, kEnd) <= -14);
}

TEST_CASE("zone+tnum: soundness on random runs and lattice laws") {
    int lost = 0;
    const long checks =
        soundness_runs<ZoneTnumState>(77, 100, 30, [&](int run, int k, const std::string& what) {
            ++lost;
            FAIL_CHECK("run " << run << " step " << k << " (" << what << ") lost a valuation");
        });
    MESSAGE("valuation checks: " << checks);
    CHECK(checks > 3000);
    CHECK(lost == 0);
    std::mt19937_64 rng(3);
    for (int run = 0; run < 40; ++run) {
        ZoneTnumState a, b;
        std::vector<Valuation> va = random_valuations(rng, 6), vb = va;
        for (int k = 0; k < 12 && !va.empty(); ++k) step(rng, a, va);
        for (int k = 0; k < 12 && !vb.empty(); ++k) step(rng, b, vb);
        const ZoneTnumState j = a.join(b), m = a.meet(b), w = a.widen(j), n = w.narrow(j);
        CHECK(a.leq(j));
        CHECK(b.leq(j));
        CHECK(m.leq(a));
        CHECK(m.leq(b));
        CHECK(j.leq(w));
        CHECK(n.leq(w));
        for (const auto& v : va) CHECK(contains(j, v));
        for (const auto& v : vb) CHECK(contains(w, v));
        for (const auto& v : vb) CHECK(contains(n, v));
    }
}
