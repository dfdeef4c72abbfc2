// SPDX-License-Identifier: Apache-2.0
// bpflab: every registered domain as a state — random runs against concrete valuations, and the
// lattice laws on the states those runs produce.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/semantics.hpp"
#include "domains/projection.hpp"
#include "domains/registry.hpp"

namespace {

using bpflab::Bits;
using namespace bpflab::dom;  // NOLINT(google-build-using-namespace)

constexpr Var kVars = 4;
using Valuation = std::array<std::uint64_t, kVars>;

std::uint64_t pick_value(std::mt19937_64& rng) {
    static constexpr std::array<std::uint64_t, 10> kEdges{0,
                                                          1,
                                                          14,
                                                          0x7fffffff,
                                                          0x80000000,
                                                          0xffffffff,
                                                          0x100000000,
                                                          0x7fffffffffffffff,
                                                          0x8000000000000000,
                                                          ~std::uint64_t{0}};
    switch (rng() % 3) {
        case 0:
            return kEdges[rng() % kEdges.size()];
        case 1:
            return rng() % 100;
        default:
            return rng();
    }
}

constexpr std::array kOps{
    bpflab::AluOp::Add,  bpflab::AluOp::Sub, bpflab::AluOp::Mul,  bpflab::AluOp::Div,
    bpflab::AluOp::SDiv, bpflab::AluOp::Mod, bpflab::AluOp::SMod, bpflab::AluOp::Or,
    bpflab::AluOp::And,  bpflab::AluOp::Xor, bpflab::AluOp::Lsh,  bpflab::AluOp::Rsh,
    bpflab::AluOp::Arsh, bpflab::AluOp::Neg, bpflab::AluOp::Mov,  bpflab::AluOp::MovSx};
constexpr std::array kConds{bpflab::Cond::Eq,  bpflab::Cond::Ne,  bpflab::Cond::Set,
                            bpflab::Cond::Gt,  bpflab::Cond::Ge,  bpflab::Cond::Lt,
                            bpflab::Cond::Le,  bpflab::Cond::Sgt, bpflab::Cond::Sge,
                            bpflab::Cond::Slt, bpflab::Cond::Sle};

bool branch_holds(const Branch& br, std::uint64_t a, std::uint64_t b) {
    return bpflab::sem::jump_word<Bits<64>>(br.cond, br.is32, a, b) == br.holds;
}

/// Whether valuation v lies in the projections of state s.
template <class S>
std::string outside(const S& s, const Valuation& v) {
    for (Var x = 0; x < kVars; ++x) {
        if (!s.interval(x).contains(v[x])) return "interval of v" + std::to_string(x);
        if (!s.tnum(x).contains(v[x])) return "tnum of v" + std::to_string(x);
    }
    return {};
}

/// One random run: a state abstracting a few valuations, then random operations applied to the
/// state and to every valuation; after each, every surviving valuation must lie in the state.
template <class S>
std::string random_run(std::mt19937_64& rng, S& out) {
    std::vector<Valuation> vals(1 + rng() % 4);
    S s = S::bottom();
    for (Valuation& v : vals) {
        S one = S::top();
        for (Var x = 0; x < kVars; ++x) {
            v[x] = pick_value(rng);
            one.assign(x, v[x]);
        }
        s.join_with(one);
    }
    for (int step = 0; step < 12; ++step) {
        const Var x = static_cast<Var>(rng() % kVars), y = static_cast<Var>(rng() % kVars);
        const std::uint64_t c = pick_value(rng);
        std::string what;
        switch (rng() % 5) {
            case 0: {
                AluSpec op{kOps[rng() % kOps.size()], rng() % 2 == 0, 0};
                if (op.op == bpflab::AluOp::MovSx) op.sx_bits = std::array{8u, 16u, 32u}[rng() % 3];
                if (op.op == bpflab::AluOp::MovSx && !op.is64 && op.sx_bits == 32) op.sx_bits = 16;
                s.apply(op, x, y);
                for (Valuation& v : vals)
                    v[x] =
                        bpflab::sem::alu_reg_word<Bits<64>>(op.op, op.is64, v[x], v[y], op.sx_bits)
                            .raw();
                what = "apply reg";
                break;
            }
            case 1: {
                const AluSpec op{kOps[rng() % 13], rng() % 2 == 0, 0};
                s.apply(op, x, c);
                for (Valuation& v : vals)
                    v[x] = bpflab::sem::alu_reg_word<Bits<64>>(op.op, op.is64, v[x], c, 0).raw();
                what = "apply imm";
                break;
            }
            case 2: {
                s.assign(x, y);
                for (Valuation& v : vals) v[x] = v[y];
                what = "copy";
                break;
            }
            case 3: {
                const Branch br{kConds[rng() % kConds.size()], rng() % 2 == 0, rng() % 2 == 0};
                s.assume(br, x, y);
                std::erase_if(vals,
                              [&](const Valuation& v) { return !branch_holds(br, v[x], v[y]); });
                what = "assume reg";
                break;
            }
            default: {
                const Branch br{kConds[rng() % kConds.size()], rng() % 2 == 0, rng() % 2 == 0};
                s.assume(br, x, c);
                std::erase_if(vals, [&](const Valuation& v) { return !branch_holds(br, v[x], c); });
                what = "assume imm";
                break;
            }
        }
        if (vals.empty()) break;
        if (s.is_bottom()) return what + ": bottom while a valuation survives";
        for (const Valuation& v : vals)
            if (auto o = outside(s, v); !o.empty()) return what + ": " + o;
    }
    out = s;
    return {};
}

}  // namespace

TEST_CASE("every registered domain: random runs stay sound, and its states obey the lattice laws") {
    for (const DomainInfo& d : kDomains) {
        CAPTURE(d.name);
        with_state_domain(d.name, [&]<class S>() {
            static_assert(NumericState<S>);
            std::mt19937_64 rng(42);
            std::vector<S> states;
            int failures = 0;
            for (int run = 0; run < 300; ++run) {
                S s = S::top();
                const std::string err = random_run(rng, s);
                if (!err.empty() && ++failures <= 3) FAIL_CHECK(std::string(d.name) << ": " << err);
                if (err.empty() && states.size() < 24) states.push_back(s);
            }
            CHECK(failures == 0);
            CHECK(S::bottom().leq(S::top()));
            CHECK(S::bottom().is_bottom());
            for (const S& a : states) {
                CHECK(a.leq(a));
                CHECK(a.leq(S::top()));
                CHECK(S::bottom().leq(a));
                for (const S& b : states) {
                    const S j = a.join(b), m = a.meet(b), w = a.widen(j);
                    CHECK(a.leq(j));
                    CHECK(b.leq(j));
                    CHECK(m.leq(a));
                    CHECK(a.leq(w));
                    CHECK(j.leq(w));
                }
            }
            return 0;
        });
    }
}

TEST_CASE("every registered domain: widening stabilises a counting loop") {
    for (const DomainInfo& d : kDomains) {
        CAPTURE(d.name);
        with_state_domain(d.name, [&]<class S>() {
            // x = 0; loop { x += 1 } — the head state must stop growing after a few widenings.
            S head = S::top();
            head.assign(Var{0}, std::uint64_t{0});
            int steps = 0;
            for (; steps < 200; ++steps) {
                S body = head;
                body.apply(AluSpec{bpflab::AluOp::Add, true, 0}, 0, std::uint64_t{1});
                S next = head.join(body);
                if (next.leq(head)) break;
                head = head.widen(next);
            }
            CHECK(steps < 70);
            CHECK(head.interval(0).contains(Bits<64>(12345)));
            return 0;
        });
    }
    CHECK(find_domain("zone+tnum") != nullptr);
    CHECK(find_domain("octagon") == nullptr);
    CHECK_THROWS_AS(with_state_domain("octagon", []<class S>() { return 0; }),
                    std::invalid_argument);
}
