// SPDX-License-Identifier: Apache-2.0
// bpflab: the zone state — relational transfer, wrap-around, and soundness against concrete runs.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "core/semantics.hpp"
#include "domains/zone_state.hpp"

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

constexpr std::uint64_t kMax = ~std::uint64_t{0};
const AluSpec kAdd{AluOp::Add, true, 0};

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

namespace {

// ---- soundness against concrete valuations -----------------------------------------------

constexpr Var kVars = 5;
using Valuation = std::array<std::uint64_t, kVars>;

std::uint64_t interesting(std::mt19937_64& rng) {
    static constexpr std::array<std::uint64_t, 14> kPool{0,
                                                         1,
                                                         2,
                                                         14,
                                                         255,
                                                         0x7fff'ffff,
                                                         0x8000'0000,
                                                         0xffff'ffff,
                                                         0x1'0000'0000,
                                                         0x7fff'ffff'ffff'ffff,
                                                         0x8000'0000'0000'0000,
                                                         kMax - 1,
                                                         kMax,
                                                         1500};
    switch (rng() % 4) {
        case 0:
            return kPool[rng() % kPool.size()] + (rng() % 3) - 1;
        case 1:
            return rng();
        default:
            return rng() % 64;
    }
}

bool contains(const ZoneState& s, const Valuation& v) {
    if (s.is_bottom()) return false;
    for (Var x = 0; x < kVars; ++x) {
        if (!s.bounds(x).contains(v[x])) return false;
        if (!s.tnum(x).contains(Bits<64>(v[x]))) return false;
        if (!s.interval(x).contains(Bits<64>(v[x]))) return false;
        for (Var y = 0; y < kVars; ++y) {
            const auto d = s.difference(x, y);
            if (d != kInf && static_cast<Wide>(v[x]) - static_cast<Wide>(v[y]) > d) return false;
        }
    }
    return true;
}

constexpr std::array<AluOp, 16> kOps{AluOp::Add,  AluOp::Sub, AluOp::Mul,  AluOp::Div,
                                     AluOp::SDiv, AluOp::Mod, AluOp::SMod, AluOp::Or,
                                     AluOp::And,  AluOp::Xor, AluOp::Lsh,  AluOp::Rsh,
                                     AluOp::Arsh, AluOp::Neg, AluOp::Mov,  AluOp::MovSx};
constexpr std::array<Cond, 11> kConds{Cond::Eq, Cond::Ne,  Cond::Set, Cond::Gt,  Cond::Ge, Cond::Lt,
                                      Cond::Le, Cond::Sgt, Cond::Sge, Cond::Slt, Cond::Sle};

bool branch_holds(const Branch& br, std::uint64_t a, std::uint64_t b) {
    const bool taken = bpflab::sem::jump_word<Bits<64>>(br.cond, br.is32, a, b);
    return taken == br.holds;
}

// One random step applied to the state and to every valuation (dropping those that do not
// take the chosen branch side). Returns a description for failure messages.
std::string step(std::mt19937_64& rng, ZoneState& s, std::vector<Valuation>& vals) {
    const Var x = static_cast<Var>(rng() % kVars), y = static_cast<Var>(rng() % kVars);
    const std::uint64_t c = rng() % 3 == 0 ? interesting(rng) : rng() % 40;
    switch (rng() % 10) {
        case 0: {
            s.havoc(x);
            for (auto& v : vals) v[x] = interesting(rng);
            return "havoc";
        }
        case 1: {
            s.assign(x, c);
            for (auto& v : vals) v[x] = c;
            return "assign c";
        }
        case 2: {
            s.assign(x, y);
            for (auto& v : vals) v[x] = v[y];
            return "assign y";
        }
        case 3:
        case 4: {
            const AluSpec op{kOps[rng() % kOps.size()], rng() % 3 != 0,
                             static_cast<unsigned>(8u << (rng() % 3))};
            const bool reg = rng() % 2 == 0;
            if (reg)
                s.apply(op, x, y);
            else
                s.apply(op, x, c);
            for (auto& v : vals)
                v[x] = bpflab::sem::alu_reg_word<Bits<64>>(op.op, op.is64, Bits<64>(v[x]),
                                                           Bits<64>(reg ? v[y] : c), op.sx_bits)
                           .raw();
            return "apply " + std::to_string(static_cast<int>(op.op)) + (op.is64 ? "" : "/32") +
                   (reg ? " reg" : " imm");
        }
        case 5: {
            const auto k = static_cast<EndianKind>(rng() % 3);
            const unsigned bits = 16u << (rng() % 3);
            s.endian(k, bits, x);
            for (auto& v : vals) v[x] = bpflab::sem::endian(k, bits, v[x]);
            return "endian";
        }
        default: {
            Branch br{kConds[rng() % kConds.size()], rng() % 3 == 0, rng() % 2 == 0};
            const bool reg = rng() % 2 == 0;
            auto other = [&](const Valuation& v) { return reg ? v[y] : c; };
            // Take a side at least one valuation takes, so runs stay alive.
            bool any = false;
            for (const auto& v : vals) any = any || branch_holds(br, v[x], other(v));
            if (!any) br.holds = !br.holds;
            if (reg)
                s.assume(br, x, y);
            else
                s.assume(br, x, c);
            std::erase_if(vals,
                          [&](const Valuation& v) { return !branch_holds(br, v[x], other(v)); });
            return "assume " + std::to_string(static_cast<int>(br.cond)) + (br.is32 ? "/32" : "") +
                   (br.holds ? "" : " not") + (reg ? " reg" : " imm");
        }
    }
}

}  // namespace

TEST_CASE("soundness: every concrete valuation taking the branches stays in the state") {
    std::mt19937_64 rng(2024);
    int checks = 0, relational = 0;
    for (int run = 0; run < 400; ++run) {
        ZoneState s;
        std::vector<Valuation> vals(12);
        for (auto& v : vals)
            for (auto& x : v) x = interesting(rng);
        for (int k = 0; k < 30 && !vals.empty(); ++k) {
            const std::string what = step(rng, s, vals);
            for (const auto& v : vals) {
                ++checks;
                if (!contains(s, v)) {
                    FAIL_CHECK("run " << run << " step " << k << " (" << what
                                      << ") lost a valuation");
                    break;
                }
            }
            for (Var x = 0; x < kVars; ++x)
                for (Var y = 0; y < kVars; ++y)
                    if (x != y && s.difference(x, y) != kInf && s.bounds(x).hi > 0xffff)
                        ++relational;
        }
    }
    MESSAGE("valuation checks: " << checks << ", relational facts seen: " << relational);
    CHECK(checks > 10000);
    CHECK(relational > 0);
}

TEST_CASE("lattice laws on zone states built by random runs") {
    std::mt19937_64 rng(99);
    for (int run = 0; run < 100; ++run) {
        ZoneState a, b;
        std::vector<Valuation> va(6), vb(6);
        for (auto& v : va)
            for (auto& x : v) x = interesting(rng);
        vb = va;
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
