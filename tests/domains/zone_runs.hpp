// SPDX-License-Identifier: Apache-2.0
// bpflab: random runs for the zone states' soundness tests — one random operation applied to an
// abstract state and to concrete valuations alike, and the containment check.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/semantics.hpp"
#include "domains/zone_state.hpp"
#include "domains/zone_tnum.hpp"

namespace bpflab::test::zone_runs {

using dom::AluSpec;
using dom::Branch;
using dom::Var;

inline constexpr Var kVars = 5;
inline constexpr std::uint64_t kMax = ~std::uint64_t{0};
using Valuation = std::array<std::uint64_t, kVars>;

/// Values near the edges (0, 2^31, 2^32, 2^63, 2^64) half of the time, small or random else.
inline std::uint64_t interesting(std::mt19937_64& rng) {
    static constexpr std::array<std::uint64_t, 14> kPool{0,
                                                         1,
                                                         2,
                                                         14,
                                                         255,
                                                         1500,
                                                         0x7fff'ffff,
                                                         0x8000'0000,
                                                         0xffff'ffff,
                                                         0x1'0000'0000,
                                                         0x7fff'ffff'ffff'ffff,
                                                         0x8000'0000'0000'0000,
                                                         kMax - 1,
                                                         kMax};
    switch (rng() % 4) {
        case 0:
            return kPool[rng() % kPool.size()] + (rng() % 3) - 1;
        case 1:
            return rng();
        default:
            return rng() % 64;
    }
}

inline const dom::ZoneState& zone_of(const dom::ZoneState& s) {
    return s;
}
inline const dom::ZoneState& zone_of(const dom::ZoneTnumState& s) {
    return s.zone();
}

/// Whether v is in γ(s) as the projections and the zone's differences describe it.
template <class S>
bool contains(const S& s, const Valuation& v) {
    if (s.is_bottom()) return false;
    for (Var x = 0; x < kVars; ++x) {
        if (!s.tnum(x).contains(Bits<64>(v[x]))) return false;
        if (!s.interval(x).contains(Bits<64>(v[x]))) return false;
        for (Var y = 0; y < kVars; ++y) {
            const auto d = zone_of(s).difference(x, y);
            if (d != dom::zone::kInf &&
                static_cast<dom::zone::Wide>(v[x]) - static_cast<dom::zone::Wide>(v[y]) > d)
                return false;
        }
    }
    return true;
}

inline constexpr std::array<AluOp, 16> kOps{AluOp::Add,  AluOp::Sub, AluOp::Mul,  AluOp::Div,
                                            AluOp::SDiv, AluOp::Mod, AluOp::SMod, AluOp::Or,
                                            AluOp::And,  AluOp::Xor, AluOp::Lsh,  AluOp::Rsh,
                                            AluOp::Arsh, AluOp::Neg, AluOp::Mov,  AluOp::MovSx};
inline constexpr std::array<Cond, 11> kConds{Cond::Eq,  Cond::Ne,  Cond::Set, Cond::Gt,
                                             Cond::Ge,  Cond::Lt,  Cond::Le,  Cond::Sgt,
                                             Cond::Sge, Cond::Slt, Cond::Sle};

inline bool branch_holds(const Branch& br, std::uint64_t a, std::uint64_t b) {
    return sem::jump_word<Bits<64>>(br.cond, br.is32, a, b) == br.holds;
}

/// One random operation applied to s and to every valuation; valuations not taking the chosen
/// branch side are dropped (the side is one that some valuation takes). Returns what it did.
template <class S>
std::string step(std::mt19937_64& rng, S& s, std::vector<Valuation>& vals) {
    const Var x = static_cast<Var>(rng() % kVars), y = static_cast<Var>(rng() % kVars);
    const std::uint64_t c = rng() % 3 == 0 ? interesting(rng) : rng() % 40;
    switch (rng() % 10) {
        case 0:
            s.havoc(x);
            for (auto& v : vals) v[x] = interesting(rng);
            return "havoc";
        case 1:
            s.assign(x, c);
            for (auto& v : vals) v[x] = c;
            return "assign c";
        case 2:
            s.assign(x, y);
            for (auto& v : vals) v[x] = v[y];
            return "assign y";
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
                v[x] = sem::alu_reg_word<Bits<64>>(op.op, op.is64, Bits<64>(v[x]),
                                                   Bits<64>(reg ? v[y] : c), op.sx_bits)
                           .raw();
            return "apply " + std::to_string(static_cast<int>(op.op)) + (op.is64 ? "" : "/32") +
                   (reg ? " reg" : " imm");
        }
        case 5: {
            const auto k = static_cast<EndianKind>(rng() % 3);
            const unsigned bits = 16u << (rng() % 3);
            s.endian(k, bits, x);
            for (auto& v : vals) v[x] = sem::endian(k, bits, v[x]);
            return "endian";
        }
        default: {
            Branch br{kConds[rng() % kConds.size()], rng() % 3 == 0, rng() % 2 == 0};
            const bool reg = rng() % 2 == 0;
            auto other = [&](const Valuation& v) { return reg ? v[y] : c; };
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

/// Random valuations of the kVars variables.
inline std::vector<Valuation> random_valuations(std::mt19937_64& rng, std::size_t n) {
    std::vector<Valuation> vals(n);
    for (auto& v : vals)
        for (auto& x : v) x = interesting(rng);
    return vals;
}

/// Runs `runs` random sequences of up to `steps` operations from top; returns the number of
/// (valuation, step) pairs checked, and reports every lost valuation through `lost`.
template <class S, class Lost>
long soundness_runs(std::uint64_t seed, int runs, int steps, Lost lost) {
    std::mt19937_64 rng(seed);
    long checks = 0;
    for (int run = 0; run < runs; ++run) {
        S s;
        std::vector<Valuation> vals = random_valuations(rng, 12);
        for (int k = 0; k < steps && !vals.empty(); ++k) {
            const std::string what = step(rng, s, vals);
            for (const auto& v : vals) {
                ++checks;
                if (!contains(s, v)) {
                    lost(run, k, what);
                    break;
                }
            }
        }
    }
    return checks;
}

}  // namespace bpflab::test::zone_runs
