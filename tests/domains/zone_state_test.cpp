// SPDX-License-Identifier: Apache-2.0
// bpflab: the zone state — relational transfer, wrap-around, and soundness against concrete runs.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "core/semantics.hpp"
#include "domains/zone_state.hpp"
#include "tests/domains/zone_runs.hpp"

using bpflab::AluOp;
using bpflab::Bits;
using bpflab::Cond;
using bpflab::EndianKind;
using bpflab::dom::AluSpec;
using bpflab::dom::Branch;
using bpflab::dom::Var;
using bpflab::dom::ZoneState;
using bpflab::dom::zone::kInf;
using bpflab::dom::zone::URange;
using bpflab::dom::zone::Wide;

namespace {

using namespace bpflab::test::zone_runs;
constexpr AluSpec kAdd{AluOp::Add, true, 0};

}  // namespace

TEST_CASE("constants, copies and shifts are exact and relational") {
    ZoneState s;
    CHECK(s.is_top());
    s.assign(0, std::uint64_t{10});
    s.assign(1, Var{0});
    s.apply(kAdd, 1, std::uint64_t{5});
    CHECK(s.bounds(1) == URange{15, 15});
    CHECK(s.difference(1, 0) == 5);
    CHECK(s.difference(0, 1) == -5);
    s.havoc(0);
    CHECK(s.bounds(0) == URange{0, kMax});
    CHECK(s.bounds(1) == URange{15, 15});
    s.assign(2, std::uint64_t{1} << 63);
    CHECK(s.bounds(2) == URange{std::uint64_t{1} << 63, kMax});  // recorded as x >= 2^63
    s.assign(2, kMax);
    CHECK(s.bounds(2).lo >= std::uint64_t{1} << 63);
    CHECK(s.tnum(1).equals_const(Bits<64>(15)));
}

TEST_CASE("x := y + 1 with y possibly 2^64 - 1 does not claim x > y") {
    ZoneState s;
    s.havoc(0);
    s.assign(1, Var{0});
    s.apply(kAdd, 1, std::uint64_t{1});
    CHECK(s.difference(0, 1) == kInf);  // y - x <= -1 would be wrong at y = 2^64 - 1
    CHECK(s.bounds(1) == URange{0, kMax});
    // With y bounded the relation is kept.
    ZoneState t;
    t.assume(Branch{Cond::Le, false, true}, 0, std::uint64_t{100});
    t.assign(1, Var{0});
    t.apply(kAdd, 1, std::uint64_t{1});
    CHECK(t.difference(0, 1) == -1);
    CHECK(t.bounds(1) == URange{1, 101});
    // Subtracting below zero wraps: no relation, sound bounds.
    ZoneState u;
    u.assume(Branch{Cond::Le, false, true}, 0, std::uint64_t{3});
    u.apply(AluSpec{AluOp::Sub, true, 0}, 0, std::uint64_t{5});
    CHECK(u.bounds(0).contains(kMax));
    CHECK(u.bounds(0).contains(kMax - 4));
    // -1 as an immediate: x - 1 when x >= 1.
    ZoneState v;
    v.assume(Branch{Cond::Ge, false, true}, 0, std::uint64_t{1});
    v.assume(Branch{Cond::Le, false, true}, 0, std::uint64_t{9});
    v.apply(kAdd, 0, kMax);
    CHECK(v.bounds(0) == URange{0, 8});
}

TEST_CASE("the packet pattern: q = p + 14; if q > end: dead; else p + 14 <= end") {
    enum : Var { kPkt = 0, kEnd = 1, kP = 2, kQ = 3, kSize = 4 };
    ZoneState s;
    s.assume(Branch{Cond::Le, false, true}, kPkt, std::uint64_t{1} << 40);
    s.assume(Branch{Cond::Le, false, true}, kSize, std::uint64_t{1500});
    s.assign(kEnd, Var{kPkt});
    s.apply(kAdd, kEnd, Var{kSize});  // end = pkt + size: end - pkt ∈ [0, 1500]
    CHECK(s.difference(kEnd, kPkt) == 1500);
    CHECK(s.difference(kPkt, kEnd) == 0);
    s.assign(kP, Var{kPkt});
    s.assign(kQ, Var{kP});
    s.apply(kAdd, kQ, std::uint64_t{14});
    ZoneState taken = s, fall = s;
    taken.assume(Branch{Cond::Gt, false, true}, kQ, Var{kEnd});
    fall.assume(Branch{Cond::Gt, false, false}, kQ, Var{kEnd});
    CHECK_FALSE(taken.is_bottom());
    CHECK_FALSE(fall.is_bottom());
    CHECK(fall.difference(kQ, kEnd) <= 0);
    CHECK(fall.difference(kP, kEnd) <= -14);  // a 14-byte access at p is within the packet
    CHECK(fall.difference(kEnd, kP) == 1500);
    // The same check again on the fall-through side is dead.
    ZoneState again = fall;
    again.assume(Branch{Cond::Gt, false, true}, kQ, Var{kEnd});
    CHECK(again.is_bottom());
    // Joining the two sides forgets the check.
    CHECK(taken.join(fall).difference(kP, kEnd) == 0);
}

TEST_CASE("comparisons: unsigned adds differences, signed only on non-negative values") {
    ZoneState s;
    s.assume(Branch{Cond::Lt, false, true}, 0, Var{1});
    CHECK(s.difference(0, 1) == -1);
    CHECK(s.bounds(1).lo == 1);  // from x >= 0
    ZoneState t;
    t.assume(Branch{Cond::Slt, false, true}, 0, Var{1});  // unknown signs: no relation
    CHECK(t.difference(0, 1) == kInf);
    t.assume(Branch{Cond::Le, false, true}, 0, std::uint64_t{50});
    t.assume(Branch{Cond::Le, false, true}, 1, std::uint64_t{50});
    t.assume(Branch{Cond::Slt, false, true}, 0, Var{1});
    CHECK(t.difference(0, 1) == -1);
    ZoneState u;
    u.assume(Branch{Cond::Eq, false, true}, 0, Var{1});
    u.assume(Branch{Cond::Eq, false, true}, 1, std::uint64_t{7});
    CHECK(u.bounds(0) == URange{7, 7});
    u.assume(Branch{Cond::Ne, false, true}, 0, std::uint64_t{7});
    CHECK(u.is_bottom());
    ZoneState v;
    v.assume(Branch{Cond::Sgt, false, true}, 0, std::uint64_t{3});  // x s> 3: positive
    CHECK(v.bounds(0) == URange{4, kMax >> 1});
    v.assume(Branch{Cond::Slt, false, true}, 0, std::uint64_t{1000});  // now signed-positive
    CHECK(v.bounds(0) == URange{4, 999});
    v.assume(Branch{Cond::Lt, true, true}, 0, std::uint64_t{10});  // JMP32 within 2^32: exact
    CHECK(v.bounds(0) == URange{4, 9});
    ZoneState w;
    w.assume(Branch{Cond::Lt, false, true}, 0, std::uint64_t{0});
    CHECK(w.is_bottom());
    ZoneState ne;  // i <= n, then i != n: i < n
    ne.assume(Branch{Cond::Le, false, true}, 0, Var{1});
    ne.assume(Branch{Cond::Eq, false, false}, 0, Var{1});
    CHECK(ne.difference(0, 1) == -1);
    ne.assign(2, Var{0});
    ne.assume(Branch{Cond::Ne, false, true}, 2, Var{0});  // a copy differs from itself: dead
    CHECK(ne.is_bottom());
    ZoneState z;
    z.assume(Branch{Cond::Set, false, true}, 0, Var{1});
    CHECK(z.bounds(0).lo == 1);
    CHECK(z.bounds(1).lo == 1);
}

TEST_CASE("non-relational operations project through ranges and forget relations") {
    ZoneState s;
    s.assume(Branch{Cond::Le, false, true}, 0, std::uint64_t{1000});
    s.assign(1, Var{0});
    s.apply(AluSpec{AluOp::And, true, 0}, 1, std::uint64_t{0xff});
    CHECK(s.bounds(1) == URange{0, 0xff});
    CHECK(s.difference(1, 0) == 0xff);  // only through the bounds of 1 and 0 >= 0
    s.apply(AluSpec{AluOp::Lsh, true, 0}, 1, std::uint64_t{2});
    CHECK(s.bounds(1) == URange{0, 0x3fc});
    s.apply(AluSpec{AluOp::Mov, false, 0}, 2, Var{1});  // 32-bit copy of a small value: a copy
    CHECK(s.difference(2, 1) == 0);
    s.endian(EndianKind::ToLe, 16, 2);  // identity below 2^16
    CHECK(s.difference(2, 1) == 0);
    s.endian(EndianKind::ToBe, 16, 2);
    CHECK(s.bounds(2) == URange{0, 0xffff});
    s.apply(AluSpec{AluOp::Add, false, 0}, 1, std::uint64_t{0xffff'ffff});  // 32-bit x - 1
    CHECK(s.bounds(1) == URange{0, 0xffff'ffff});                           // may wrap at 0
}

TEST_CASE("zone state widening: plain goes to the implicit range, thresholds stop at values") {
    // i = 0; loop { i += 1 } with j = i - 1 kept relationally.
    ZoneState s;
    s.assign(0, std::uint64_t{0});
    const std::vector<bpflab::dom::zone::Bound> thresholds{100, 4096};
    ZoneState plain = s, with = s;
    for (int k = 0; k < 10; ++k) {
        ZoneState next = with;
        next.assign(1, Var{0});
        next.apply(kAdd, 0, std::uint64_t{1});
        const ZoneState w = with.widen(with.join(next), thresholds);
        if (w.leq(with)) break;
        with = w;
        if (k == 0) CHECK(with.bounds(0) == URange{0, 100});
    }
    CHECK(with.bounds(0).lo == 0);
    ZoneState next = plain;
    next.apply(kAdd, 0, std::uint64_t{1});
    plain = plain.widen(plain.join(next));
    CHECK_FALSE(plain.is_normalised());  // widening leaves the matrix unclosed
    CHECK(plain.bounds(0) == URange{0, kMax});
    plain.normalise();
    CHECK(plain.is_normalised());
}

TEST_CASE("a counting loop: widening keeps i <= n, the exit gives i = n and a bounded access") {
    // n <= 1000; i = 0; while (i < n) { q = pkt + i; i += 1; }  (variables: i 0, n 1, pkt 2, q 3)
    ZoneState entry;
    entry.assume(Branch{Cond::Le, false, true}, 1, std::uint64_t{1000});
    entry.assume(Branch{Cond::Le, false, true}, 2, std::uint64_t{1} << 40);
    entry.assign(0, std::uint64_t{0});
    auto body = [](ZoneState s) {
        s.assume(Branch{Cond::Lt, false, true}, 0, Var{1});
        s.assign(3, Var{2});
        s.apply(kAdd, 3, Var{0});
        s.apply(kAdd, 0, std::uint64_t{1});
        return s;
    };
    ZoneState head = entry;
    int iterations = 0;
    for (; iterations < 20; ++iterations) {
        const ZoneState next = entry.join(body(head));
        if (next.leq(head)) break;
        head = head.widen(next);
    }
    CHECK(iterations < 5);
    CHECK(head.difference(0, 1) == 0);  // i <= n at the head
    CHECK(head.bounds(0) == URange{0, 1000});
    const ZoneState in = body(head);
    CHECK(in.difference(3, 2) <= 999);  // q - pkt = i <= n - 1 <= 999
    CHECK(in.difference(2, 3) <= 0);    // q >= pkt
    ZoneState exit = head;
    exit.assume(Branch{Cond::Lt, false, false}, 0, Var{1});
    CHECK(exit.difference(0, 1) == 0);
    CHECK(exit.difference(1, 0) == 0);  // i = n
}

TEST_CASE("soundness: every concrete valuation taking the branches stays in the state") {
    int lost = 0;
    const long checks =
        soundness_runs<ZoneState>(2024, 250, 30, [&](int run, int k, const std::string& what) {
            ++lost;
            FAIL_CHECK("run " << run << " step " << k << " (" << what << ") lost a valuation");
        });
    MESSAGE("valuation checks: " << checks);
    CHECK(checks > 10000);
    CHECK(lost == 0);
}

TEST_CASE("relations survive random runs: some differences beyond the variables' bounds") {
    std::mt19937_64 rng(5);
    int relational = 0;
    for (int run = 0; run < 100; ++run) {
        ZoneState s;
        std::vector<Valuation> vals = random_valuations(rng, 8);
        for (int k = 0; k < 30 && !vals.empty(); ++k) {
            step(rng, s, vals);
            // A difference tighter than what the two bounds alone give is a relational fact.
            for (Var x = 0; x < kVars; ++x)
                for (Var y = 0; y < kVars; ++y) {
                    const auto d = s.difference(x, y);
                    const auto bx = s.bounds(x), by = s.bounds(y);
                    if (x != y && d != kInf && !s.is_bottom() &&
                        static_cast<Wide>(d) < static_cast<Wide>(bx.hi) - static_cast<Wide>(by.lo))
                        ++relational;
                }
        }
    }
    MESSAGE("relational facts seen: " << relational);
    CHECK(relational > 100);
}

TEST_CASE("lattice laws on zone states built by random runs") {
    std::mt19937_64 rng(99);
    for (int run = 0; run < 100; ++run) {
        ZoneState a, b;
        std::vector<Valuation> va = random_valuations(rng, 6), vb = va;
        for (int k = 0; k < 12 && !va.empty(); ++k) step(rng, a, va);
        for (int k = 0; k < 12 && !vb.empty(); ++k) step(rng, b, vb);
        const ZoneState j = a.join(b), m = a.meet(b), w = a.widen(j), n = w.narrow(j);
        CHECK(a.leq(j));
        CHECK(b.leq(j));
        CHECK(m.leq(a));
        CHECK(m.leq(b));
        CHECK(j.leq(w));
        CHECK(j.leq(n));
        CHECK(n.leq(w));
        CHECK(ZoneState::bottom().leq(a));
        CHECK(a.leq(ZoneState::top()));
        for (const auto& v : va) CHECK(contains(j, v));
        for (const auto& v : vb) CHECK(contains(w, v));
        for (const auto& v : va) CHECK(contains(n, v));
    }
}
