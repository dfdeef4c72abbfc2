// SPDX-License-Identifier: Apache-2.0
// bpflab: a domain-agnostic test harness for value domains at 8 bits: samples, concretisation,
// lattice laws and exhaustive soundness of every ALU operation, branch and byte swap.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/isa.hpp"
#include "core/semantics.hpp"
#include "core/word.hpp"
#include "domains/interval.hpp"
#include "domains/kernel.hpp"
#include "domains/tnum.hpp"
#include "domains/value.hpp"

namespace bpflab::dom::test {

using W8 = Bits<8>;

/// A value domain over 8-bit words: small enough to enumerate every concrete value.
template <class V>
concept SmallDomain = ValueDomain<V> && std::same_as<typename V::Word, W8>;

/// A set of 8-bit words.
struct Set256 {
    std::array<std::uint64_t, 4> w{};
    void set(unsigned x) { w[x >> 6] |= std::uint64_t{1} << (x & 63); }
    [[nodiscard]] bool test(unsigned x) const { return ((w[x >> 6] >> (x & 63)) & 1) != 0; }
    [[nodiscard]] bool any() const { return (w[0] | w[1] | w[2] | w[3]) != 0; }
    [[nodiscard]] bool intersects(const Set256& o) const {
        return ((w[0] & o.w[0]) | (w[1] & o.w[1]) | (w[2] & o.w[2]) | (w[3] & o.w[3])) != 0;
    }
    [[nodiscard]] bool subset_of(const Set256& o) const {
        for (unsigned i = 0; i < 4; ++i)
            if ((w[i] & ~o.w[i]) != 0) return false;
        return true;
    }
    [[nodiscard]] Set256 operator&(const Set256& o) const {
        return {{w[0] & o.w[0], w[1] & o.w[1], w[2] & o.w[2], w[3] & o.w[3]}};
    }
    [[nodiscard]] Set256 operator|(const Set256& o) const {
        return {{w[0] | o.w[0], w[1] | o.w[1], w[2] | o.w[2], w[3] | o.w[3]}};
    }
    [[nodiscard]] unsigned count() const {
        unsigned n = 0;
        for (auto x : w) n += static_cast<unsigned>(__builtin_popcountll(x));
        return n;
    }
    /// Calls f(x) for each member x in increasing order.
    template <class F>
    void for_each(F f) const {
        for (unsigned i = 0; i < 4; ++i)
            for (std::uint64_t bits = w[i]; bits != 0; bits &= bits - 1)
                f(static_cast<std::uint8_t>(i * 64 +
                                            static_cast<unsigned>(std::countr_zero(bits))));
    }
    /// The members in increasing order.
    [[nodiscard]] std::vector<std::uint8_t> members() const {
        std::vector<std::uint8_t> out;
        for_each([&](std::uint8_t x) { out.push_back(x); });
        return out;
    }
    friend bool operator==(const Set256&, const Set256&) = default;
    friend auto operator<=>(const Set256&, const Set256&) = default;
};

/// γ(v) as a set, by asking `contains` for each of the 256 words.
template <SmallDomain V>
[[nodiscard]] Set256 gamma_set(const V& v) {
    Set256 s;
    for (unsigned x = 0; x < 256; ++x)
        if (v.contains(W8(x))) s.set(x);
    return s;
}

/// γ(v): the values `contains` accepts, in increasing order.
template <SmallDomain V>
[[nodiscard]] std::vector<std::uint8_t> gamma(const V& v) {
    return gamma_set(v).members();
}

/// The best abstraction the domain's join reaches of a set: the join of its constants.
template <SmallDomain V>
[[nodiscard]] V abstract(const Set256& s) {
    V out = V::bottom();
    for (auto x : s.members()) out.join_with(V::constant(W8(x)));
    return out;
}

/// Text for a message: the domain's `to_string` when it has one (found by ADL), else γ.
template <SmallDomain V>
[[nodiscard]] std::string describe(const V& v) {
    if constexpr (requires { to_string(v); }) {
        return to_string(v);
    } else {
        const auto g = gamma(v);
        std::string s = "{";
        for (std::size_t i = 0; i < g.size() && i < 12; ++i)
            s += (i ? "," : "") + std::to_string(g[i]);
        if (g.size() > 12) s += ",… (" + std::to_string(g.size()) + " values)";
        return s + "}";
    }
}

[[nodiscard]] inline std::string op_name(AluOp op) {
    static constexpr const char* kNames[] = {"add",  "sub", "mul", "div",  "sdiv", "mod",
                                             "smod", "or",  "and", "xor",  "lsh",  "rsh",
                                             "arsh", "neg", "mov", "movsx"};
    return kNames[static_cast<unsigned>(op)];
}
[[nodiscard]] inline std::string cond_name(Cond c) {
    static constexpr const char* kNames[] = {"eq", "ne",  "set", "gt",  "ge", "lt",
                                             "le", "sgt", "sge", "slt", "sle"};
    return kNames[static_cast<unsigned>(c)];
}
[[nodiscard]] inline std::string describe(const AluSpec& s) {
    return op_name(s.op) + (s.is64 ? "64" : "32") +
           (s.op == AluOp::MovSx ? " sx" + std::to_string(s.sx_bits) : "");
}
[[nodiscard]] inline std::string describe(const Branch& b) {
    return std::string(b.holds ? "" : "!") + cond_name(b.cond) + (b.is32 ? "32" : "64");
}

/// Every ALU operation in both widths; MovSx with each source width 8, 16, 32.
[[nodiscard]] inline std::vector<AluSpec> all_alu_specs() {
    std::vector<AluSpec> out;
    for (unsigned op = 0; op <= static_cast<unsigned>(AluOp::MovSx); ++op)
        for (bool is64 : {true, false}) {
            if (static_cast<AluOp>(op) != AluOp::MovSx) {
                out.push_back({static_cast<AluOp>(op), is64, 0});
                continue;
            }
            for (unsigned sx : {8u, 16u, 32u}) out.push_back({AluOp::MovSx, is64, sx});
        }
    return out;
}

/// Every condition at both widths, on both sides.
[[nodiscard]] inline std::vector<Branch> all_branches() {
    std::vector<Branch> out;
    for (unsigned c = 0; c <= static_cast<unsigned>(Cond::Sle); ++c)
        for (bool is32 : {false, true})
            for (bool holds : {true, false}) out.push_back({static_cast<Cond>(c), is32, holds});
    return out;
}

/// Samples for property tests: top, bottom, constants (every one by default; every
/// `constant_stride`-th plus the edge values 0x7f, 0x80, 0xff otherwise), `n` abstractions of
/// random small sets (scattered values and short runs), and `n` results of the domain's own
/// ALU and branch operations on earlier samples. Values with equal γ are kept once.
template <SmallDomain V>
[[nodiscard]] std::vector<V> sample(std::mt19937_64& rng, std::size_t n,
                                    unsigned constant_stride = 1) {
    std::vector<V> pool{V::top(), V::bottom()};
    for (unsigned c = 0; c < 256; c += constant_stride) pool.push_back(V::constant(W8(c)));
    for (unsigned c : {0x7fu, 0x80u, 0xffu, 1u}) pool.push_back(V::constant(W8(c)));
    auto byte = [&] { return static_cast<unsigned>(rng() & 0xff); };
    for (std::size_t i = 0; i < n; ++i) {
        Set256 s;
        const unsigned k = 2 + static_cast<unsigned>(rng() % 4);
        if (i % 2 == 0) {
            for (unsigned j = 0; j < k; ++j) s.set(byte());
        } else {
            const unsigned base = byte(), len = 1 + static_cast<unsigned>(rng() % 24);
            for (unsigned j = 0; j < len; ++j) s.set((base + j) & 0xff);
        }
        pool.push_back(abstract<V>(s));
    }
    const auto specs = all_alu_specs();
    const auto branches = all_branches();
    const std::size_t base = pool.size();
    for (std::size_t i = 0; i < n; ++i) {
        const V& a = pool[2 + rng() % (base - 2)];
        const V& b = pool[2 + rng() % (base - 2)];
        if (i % 3 != 2) {
            pool.push_back(V::alu(specs[rng() % specs.size()], a, b));
        } else {
            const auto [ra, rb] = V::assume(branches[rng() % branches.size()], a, b);
            pool.push_back(i % 2 ? ra : rb);
        }
    }
    std::vector<V> out;
    std::set<Set256> seen;
    for (const V& v : pool)
        if (seen.insert(gamma_set(v)).second) out.push_back(v);
    return out;
}

/// Every sample's γ, computed once.
template <SmallDomain V>
[[nodiscard]] std::vector<Set256> gammas(const std::vector<V>& samples) {
    std::vector<Set256> out;
    out.reserve(samples.size());
    for (const V& v : samples) out.push_back(gamma_set(v));
    return out;
}

/// The first violated lattice law over all pairs of samples, as a message; nothing when every
/// law holds. Laws: ⊥ ≤ x ≤ ⊤; x ≤ x; x, y ≤ x⊔y and γ(x⊔y) ⊇ γ(x) ∪ γ(y); x⊓y ≤ x, y and
/// γ(x⊓y) ⊇ γ(x) ∩ γ(y); x⊔x ≡ x ≡ x⊓x; x⊔y ≤ x∇(x⊔y); x ≤ (x⊔y)△x ≤ x⊔y (γ-wise);
/// x ≤ y ⇒ γ(x) ⊆ γ(y); is_bottom ⇒ γ = ∅; is_top ⇒ γ = all; γ(constant(c)) = {c}; the in-place
/// forms agree with the value forms (same γ).
template <SmallDomain V>
[[nodiscard]] std::optional<std::string> check_laws(const std::vector<V>& samples) {
    const V top = V::top(), bot = V::bottom();
    Set256 all;
    for (unsigned x = 0; x < 256; ++x) all.set(x);
    if (!top.is_top() || gamma_set(top) != all) return "top is not top";
    if (!bot.is_bottom() || gamma_set(bot).any()) return "bottom is not bottom";
    for (unsigned c = 0; c < 256; ++c) {
        Set256 one;
        one.set(c);
        if (gamma_set(V::constant(W8(c))) != one)
            return "γ(constant(" + std::to_string(c) + ")) ≠ {c}";
    }
    const auto g = gammas(samples);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const V& x = samples[i];
        const std::string sx = describe(x);
        if (!bot.leq(x) || !x.leq(top)) return "⊥ ≤ x ≤ ⊤ fails for " + sx;
        if (!x.leq(x)) return "x ≤ x fails for " + sx;
        if (x.is_bottom() && g[i].any()) return "is_bottom with members: " + sx;
        if (x.is_top() && g[i] != all) return "is_top without every member: " + sx;
        if (gamma_set(x.join(x)) != g[i] || gamma_set(x.meet(x)) != g[i])
            return "join/meet not idempotent on " + sx;
        for (std::size_t j = 0; j < samples.size(); ++j) {
            const V& y = samples[j];
            const std::string where = " for x = " + sx + ", y = " + describe(y);
            if (x.leq(y) && !g[i].subset_of(g[j])) return "leq without γ inclusion" + where;
            const V jn = x.join(y);
            const Set256 gj = gamma_set(jn);
            if (!x.leq(jn) || !y.leq(jn)) return "x, y ≤ x⊔y fails" + where;
            if (!(g[i] | g[j]).subset_of(gj)) return "γ(x⊔y) ⊉ γ(x) ∪ γ(y)" + where;
            const V mt = x.meet(y);
            const Set256 gm = gamma_set(mt);
            if (!mt.leq(x) || !mt.leq(y)) return "x⊓y ≤ x, y fails" + where;
            if (!(g[i] & g[j]).subset_of(gm)) return "γ(x⊓y) ⊉ γ(x) ∩ γ(y)" + where;
            const V wd = x.widen(jn);
            if (!x.leq(wd) || !jn.leq(wd)) return "x⊔y ≤ x∇(x⊔y) fails" + where;
            const Set256 gn = gamma_set(jn.narrow(x));
            if (!g[i].subset_of(gn) || !gn.subset_of(gj)) return "x ≤ (x⊔y)△x ≤ x⊔y fails" + where;
            V t = x;
            t.join_with(y);
            if (gamma_set(t) != gj) return "join_with ≠ join" + where;
            t = x;
            t.meet_with(y);
            if (gamma_set(t) != gm) return "meet_with ≠ meet" + where;
            t = x;
            t.widen_with(jn);
            if (gamma_set(t) != gamma_set(wd)) return "widen_with ≠ widen" + where;
            t = jn;
            t.narrow_with(x);
            if (gamma_set(t) != gn) return "narrow_with ≠ narrow" + where;
        }
    }
    return std::nullopt;
}

/// Widening stabilises: along `chains` random chains y' = y ∇ (y ⊔ s) of `length` steps with
/// random samples s, y strictly grows at most `bound` times. Returns the first chain that
/// grows more often, as a message.
template <SmallDomain V>
[[nodiscard]] std::optional<std::string> check_widening(const std::vector<V>& samples,
                                                        std::mt19937_64& rng, unsigned chains,
                                                        unsigned length, unsigned bound) {
    for (unsigned c = 0; c < chains; ++c) {
        V y = samples[rng() % samples.size()];
        const std::string start = describe(y);
        unsigned grew = 0;
        for (unsigned i = 0; i < length; ++i) {
            const V next = y.widen(y.join(samples[rng() % samples.size()]));
            if (!y.leq(next)) return "widening is not increasing from " + describe(y);
            if (!next.leq(y)) ++grew;
            y = next;
        }
        if (grew > bound)
            return "widening chain from " + start + " grew " + std::to_string(grew) + " times";
    }
    return std::nullopt;
}

/// A concrete pair whose result the abstract ALU operation misses.
template <SmallDomain V>
struct AluFailure {
    AluSpec spec;
    V a, b, result;
    std::uint8_t x = 0, y = 0, concrete = 0;
    [[nodiscard]] std::string message() const {
        return describe(spec) + "(" + describe(a) + ", " + describe(b) + ") = " + describe(result) +
               " misses " + std::to_string(x) + " op " + std::to_string(y) + " = " +
               std::to_string(concrete);
    }
};

/// The concrete results `alu_reg_word(op, is64, x, y, sx)` at 8 bits, row x, column y; built
/// once per operation and shared by every domain.
[[nodiscard]] inline const std::vector<std::uint8_t>& alu_table(const AluSpec& spec) {
    static std::map<std::tuple<AluOp, bool, unsigned>, std::vector<std::uint8_t>> cache;
    auto& table = cache[{spec.op, spec.is64, spec.sx_bits}];
    if (table.empty()) {
        table.resize(256 * 256);
        for (unsigned x = 0; x < 256; ++x)
            for (unsigned y = 0; y < 256; ++y)
                table[x * 256 + y] = static_cast<std::uint8_t>(
                    sem::alu_reg_word<W8>(spec.op, spec.is64, W8(x), W8(y), spec.sx_bits).raw());
    }
    return table;
}

/// Soundness of `V::alu(spec, ·, ·)` on every pair of samples, against `alu_reg_word` on every
/// concrete pair of their γ. Returns the first counterexample.
template <SmallDomain V>
[[nodiscard]] std::optional<AluFailure<V>> check_alu_sound(const AluSpec& spec,
                                                           const std::vector<V>& samples) {
    const std::vector<std::uint8_t>& table = alu_table(spec);
    std::vector<std::vector<std::uint8_t>> g;
    for (const V& v : samples) g.push_back(gamma(v));
    for (std::size_t i = 0; i < samples.size(); ++i)
        for (std::size_t j = 0; j < samples.size(); ++j) {
            if (g[i].empty() || g[j].empty()) continue;
            const V r = V::alu(spec, samples[i], samples[j]);
            // Raw loops: this is the hot spot, and it runs in Debug and sanitizer builds.
            Set256 concrete;
            std::uint64_t* bits = concrete.w.data();
            const std::uint8_t* ys = g[j].data();
            const std::size_t ny = g[j].size();
            for (auto x : g[i]) {
                const std::uint8_t* row = table.data() + x * 256u;
                for (std::size_t k = 0; k < ny; ++k) {
                    const unsigned z = row[ys[k]];
                    bits[z >> 6] |= std::uint64_t{1} << (z & 63);
                }
            }
            std::optional<std::uint8_t> missed;
            concrete.for_each([&](std::uint8_t z) {
                if (!missed && !r.contains(W8(z))) missed = z;
            });
            if (!missed) continue;
            for (auto x : g[i])
                for (auto y : g[j])
                    if (table[x * 256u + y] == *missed)
                        return AluFailure<V>{spec, samples[i], samples[j], r, x, y, *missed};
        }
    return std::nullopt;
}

/// How precise `V::alu(spec, ·, ·)` is over all pairs of non-empty samples: `optimal` counts
/// the results whose γ equals that of the best abstraction the domain's join reaches of the
/// concrete results (`abstract`), `exact` those whose γ is exactly the concrete results.
struct Precision {
    unsigned pairs = 0, optimal = 0, exact = 0;
};
template <SmallDomain V>
[[nodiscard]] Precision alu_precision(const AluSpec& spec, const std::vector<V>& samples) {
    const std::vector<std::uint8_t>& table = alu_table(spec);
    const auto g = gammas(samples);
    Precision p;
    for (std::size_t i = 0; i < samples.size(); ++i)
        for (std::size_t j = 0; j < samples.size(); ++j) {
            if (!g[i].any() || !g[j].any()) continue;
            Set256 concrete;
            g[i].for_each([&](std::uint8_t x) {
                g[j].for_each([&](std::uint8_t y) { concrete.set(table[x * 256u + y]); });
            });
            const Set256 got = gamma_set(V::alu(spec, samples[i], samples[j]));
            ++p.pairs;
            p.exact += got == concrete;
            p.optimal += got == gamma_set(abstract<V>(concrete));
        }
    return p;
}

/// A concrete pair taking the branch side that a refined operand lost.
template <SmallDomain V>
struct AssumeFailure {
    Branch branch;
    V a, b, refined_a, refined_b;
    std::uint8_t x = 0, y = 0;
    bool lost_first = true;
    [[nodiscard]] std::string message() const {
        return describe(branch) + " on (" + describe(a) + ", " + describe(b) + ") gives (" +
               describe(refined_a) + ", " + describe(refined_b) + ") but (" + std::to_string(x) +
               ", " + std::to_string(y) + ") takes it; lost in the " +
               (lost_first ? "first" : "second") + " operand";
    }
};

/// row[x] = { y | (x, y) takes the branch side `br` }; built once per side.
[[nodiscard]] inline const std::vector<Set256>& branch_rows(const Branch& br) {
    static std::map<std::tuple<Cond, bool, bool>, std::vector<Set256>> cache;
    auto& row = cache[{br.cond, br.is32, br.holds}];
    if (row.empty()) {
        row.resize(256);
        for (unsigned x = 0; x < 256; ++x)
            for (unsigned y = 0; y < 256; ++y)
                if (sem::jump_word<W8>(br.cond, br.is32, W8(x), W8(y)) == br.holds) row[x].set(y);
    }
    return row;
}

/// Soundness of `V::assume(branch, ·, ·)` on every pair of samples: every concrete pair taking
/// the side (`jump_word`, negated when !holds) stays in both refined operands.
template <SmallDomain V>
[[nodiscard]] std::optional<AssumeFailure<V>> check_assume_sound(const Branch& br,
                                                                 const std::vector<V>& samples) {
    const auto& row = branch_rows(br);
    const auto g = gammas(samples);
    std::vector<std::vector<std::uint8_t>> members;
    for (const Set256& s : g) members.push_back(s.members());
    for (std::size_t i = 0; i < samples.size(); ++i)
        for (std::size_t j = 0; j < samples.size(); ++j) {
            // xs: first operands of taking pairs; ys: second operands.
            Set256 xs, ys;
            for (auto x : members[i]) {
                const Set256 partners = row[x] & g[j];
                if (!partners.any()) continue;
                xs.set(x);
                ys = ys | partners;
            }
            if (!xs.any()) continue;
            const auto [ra, rb] = V::assume(br, samples[i], samples[j]);
            std::optional<AssumeFailure<V>> failure;
            auto lost = [&](std::uint8_t x, std::uint8_t y, bool first) {
                if (!failure)
                    failure = AssumeFailure<V>{br, samples[i], samples[j], ra, rb, x, y, first};
            };
            xs.for_each([&](std::uint8_t x) {
                if (!ra.contains(W8(x))) lost(x, (row[x] & g[j]).members().front(), true);
            });
            ys.for_each([&](std::uint8_t y) {
                if (rb.contains(W8(y))) return;
                for (auto x : members[i])
                    if (row[x].test(y)) return lost(x, y, false);
            });
            if (failure) return failure;
        }
    return std::nullopt;
}

/// Precision of dead sides, for domains that promise it: the first pair of samples that no
/// concrete pair of their γ can take along `br` but whose refinement keeps both operands
/// non-bottom, as a message. Not a soundness property (a domain may keep a dead side alive).
template <SmallDomain V>
[[nodiscard]] std::optional<std::string> check_assume_dead(const Branch& br,
                                                           const std::vector<V>& samples) {
    const auto& row = branch_rows(br);
    const auto g = gammas(samples);
    for (std::size_t i = 0; i < samples.size(); ++i)
        for (std::size_t j = 0; j < samples.size(); ++j) {
            bool live = false;
            g[i].for_each([&](std::uint8_t x) { live = live || row[x].intersects(g[j]); });
            if (live) continue;
            const auto [ra, rb] = V::assume(br, samples[i], samples[j]);
            if (!ra.is_bottom() && !rb.is_bottom())
                return describe(br) + " on (" + describe(samples[i]) + ", " + describe(samples[j]) +
                       ") is dead but refines to (" + describe(ra) + ", " + describe(rb) + ")";
        }
    return std::nullopt;
}

/// A member whose byte-order conversion the abstract conversion misses.
template <SmallDomain V>
struct EndianFailure {
    EndianKind kind;
    unsigned bits;
    V a, result;
    std::uint8_t x = 0, concrete = 0;
    [[nodiscard]] std::string message() const {
        static constexpr const char* kKinds[] = {"le", "be", "swap"};
        return std::string(kKinds[static_cast<unsigned>(kind)]) + std::to_string(bits) + "(" +
               describe(a) + ") = " + describe(result) + " misses " + std::to_string(x) + " -> " +
               std::to_string(concrete);
    }
};

/// Soundness of `V::endian` for every kind and width (16, 32, 64) on every sample.
template <SmallDomain V>
[[nodiscard]] std::optional<EndianFailure<V>> check_endian_sound(const std::vector<V>& samples) {
    for (auto k : {EndianKind::ToLe, EndianKind::ToBe, EndianKind::Swap})
        for (unsigned bits : {16u, 32u, 64u})
            for (const V& a : samples) {
                const V r = V::endian(k, bits, a);
                for (auto x : gamma(a)) {
                    const auto z =
                        static_cast<std::uint8_t>(sem::endian_word(k, bits, W8(x)).raw());
                    if (!r.contains(W8(z))) return EndianFailure<V>{k, bits, a, r, x, z};
                }
            }
    return std::nullopt;
}

// ---- the domains under test -------------------------------------------------------------------

/// Every value domain at 8 bits that laws_test.cpp and exhaustive_test.cpp run over: add a
/// domain here (and its header above) and both suites cover it.
using SmallDomains = std::tuple<Tnum<W8, TnumMul::Cgo2022>, Tnum<W8, TnumMul::Kernel2017>,
                                Tnum<W8, TnumMul::Union2025>, UInterval<W8>, Interval<W8>,
                                KernelScalar<W8>, KernelFixedRounds<W8>>;

}  // namespace bpflab::dom::test
