// SPDX-License-Identifier: Apache-2.0
// bpflab: the kernel's scalar product — synchronisation, log notation, fixed point against the
// fixed rounds, and 64-bit random-member soundness.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "core/semantics.hpp"
#include "domains/kernel.hpp"

using bpflab::AluOp;
using bpflab::Bits;
using bpflab::Cond;
using bpflab::EndianKind;
using namespace bpflab::dom;

namespace {

using W64 = Bits<64>;
using W8 = Bits<8>;
using K64 = KernelScalar<W64>;
using K8 = KernelScalar<W8>;
using F8 = KernelFixedRounds<W8>;
using T64 = Tnum<W64>;
using T8 = Tnum<W8>;
constexpr std::uint64_t kOnes64 = ~std::uint64_t{0};

K64 urange(std::uint64_t lo, std::uint64_t hi) {
    return K64::make(T64::top(), Interval<W64>::of(UInterval<W64>(lo, hi)));
}

/// γ of an 8-bit value as a bit set.
std::array<std::uint64_t, 4> gamma8(const auto& v) {
    std::array<std::uint64_t, 4> g{};
    for (unsigned x = 0; x < 256; ++x)
        if (v.contains(W8(x))) g[x >> 6] |= std::uint64_t{1} << (x & 63);
    return g;
}
bool subset(const std::array<std::uint64_t, 4>& a, const std::array<std::uint64_t, 4>& b) {
    for (unsigned i = 0; i < 4; ++i)
        if ((a[i] & ~b[i]) != 0) return false;
    return true;
}

/// A random unsynchronised 8-bit scalar: a random tnum and random (possibly contradictory)
/// views, the kind of value a transfer function hands to the synchronisation.
template <class K>
K random_raw8(std::mt19937_64& rng) {
    auto pair = [&](unsigned bits) {
        const unsigned m = (1u << bits) - 1;
        unsigned a = rng() & m, b = rng() & m;
        if (a > b) std::swap(a, b);
        return std::pair{a, b};
    };
    const unsigned mask = static_cast<unsigned>(rng() & rng() & 0xff) | (rng() % 2 ? 0xf0u : 0u);
    const T8 t(W8(rng() & ~mask), W8(mask));
    const auto [ul, uh] = pair(8);
    const auto [sl, sh] = pair(8);
    const auto [hl, hh] = pair(4);
    const auto [gl, gh] = pair(4);
    UInterval<W8> u(ul, uh);
    SInterval<W8> s(sl ^ 0x80u, sh ^ 0x80u);
    UInterval<Bits<4>> hu(hl, hh);
    SInterval<Bits<4>> hs(gl ^ 0x8u, gh ^ 0x8u);
    switch (rng() % 4) {  // leave some views unconstrained, as real values do
        case 0:
            s = SInterval<W8>();
            break;
        case 1:
            hu = UInterval<Bits<4>>(), hs = SInterval<Bits<4>>();
            break;
        case 2:
            u = UInterval<W8>();
            break;
        default:
            break;
    }
    return K(t, Interval<W8>(u, s, hu, hs));
}

}  // namespace

TEST_CASE("kernel log notation") {
    CHECK(to_string(K64::constant(W64(42))) == "42");
    CHECK(to_string(K64::constant(W64(~std::uint64_t{0}))) == "-1");
    CHECK(to_string(K64::top()) == "scalar()");
    // r &= 0xff; if r > 0: the kernel prints scalar(umin=1,umax=255,var_off=(0x0; 0xff)).
    const K64 masked = K64::alu({AluOp::And, true, 0}, K64::top(), K64::constant(W64(0xff)));
    CHECK(to_string(masked) == "scalar(umax=255,var_off=(0x0; 0xff))");
    const auto [pos, zero] = K64::assume({Cond::Gt, false, true}, masked, K64::constant(W64(0)));
    CHECK(to_string(pos) == "scalar(umin=1,umax=255,var_off=(0x0; 0xff))");
    CHECK(to_string(zero) == "0");
    // A signed range crossing zero prints its signed bounds, and the 32-bit ones only where
    // they say more.
    const K64 s =
        K64::make(T64::top(), Interval<W64>::of(SInterval<W64>(static_cast<std::uint64_t>(-5), 7)));
    MESSAGE("signed range [-5, 7]: " << to_string(s));
    CHECK(to_string(s).find("smin=-5,smax=7") != std::string::npos);
    CHECK(to_string(K64::bottom()) == "bottom");
}

TEST_CASE("synchronisation moves facts between the tnum and the bounds") {
    // Bounds from the tnum: known-zero high bits bound every view.
    const K64 a = K64::make(T64(W64(0x10), W64(0x0f)), Interval<W64>());
    CHECK(a.interval().u().lo() == W64(0x10));
    CHECK(a.interval().u().hi() == W64(0x1f));
    CHECK(a.interval().s().lo() == W64(0x10));
    CHECK(a.interval().u32().hi() == Bits<32>(0x1f));
    // Tnum from the bounds: [0, 0x7fff…] makes the sign bit known zero, and the tnum's known
    // low zeros then lower umax from 0x7f…f to 0x7f…fc.
    const K64 b = K64::make(T64(W64(0), W64(~std::uint64_t{3})),
                            Interval<W64>::of(UInterval<W64>(0, 0x7fffffffffffffffULL)));
    CHECK(b.tnum().mask == W64(0x7ffffffffffffffcULL));
    CHECK(b.interval().u().hi() == W64(0x7ffffffffffffffcULL));
    // 32 → 64: a known high half and a 32-bit range give the 64-bit range.
    const K64 c = K64::make(T64(W64(0x300000000ULL), W64(0xffffffffULL)),
                            Interval<W64>(UInterval<W64>(), SInterval<W64>(),
                                          UInterval<Bits<32>>(5, 9), SInterval<Bits<32>>()));
    CHECK(c.interval().u().lo() == W64(0x300000005ULL));
    CHECK(c.interval().u().hi() == W64(0x300000009ULL));
    CHECK(c.tnum().mask == W64(0xf));
    // Contradiction between tnum and bounds: bottom.
    CHECK(K64::make(T64::constant(W64(7)), Interval<W64>::of(UInterval<W64>(8, 9))).is_bottom());
}

TEST_CASE("transfer and branches on the product") {
    const K64 r = K64::alu({AluOp::Add, true, 0}, urange(0, 0xff), K64::constant(W64(0x100)));
    CHECK(r.interval().u().lo() == W64(0x100));
    CHECK(r.interval().u().hi() == W64(0x1ff));
    CHECK(r.tnum().value == W64(0x100));
    CHECK(r.tnum().mask == W64(0xff));
    // Overflowing add: the unsigned view goes to top, and so the tnum knows nothing of the
    // carry.
    const K64 o = K64::alu({AluOp::Add}, urange(~std::uint64_t{0} - 1, ~std::uint64_t{0}),
                           K64::constant(W64(2)));
    CHECK(o.contains(W64(0)));
    CHECK(o.contains(W64(1)));
    // Division by zero gives 0.
    CHECK(to_string(K64::alu({AluOp::Div}, urange(3, 9), K64::constant(W64(0)))) == "0");
    // A dead branch side makes both operands bottom.
    const auto [x, y] = K64::assume({Cond::Eq, false, true}, K64::constant(W64(4)), urange(5, 10));
    CHECK(x.is_bottom());
    CHECK(y.is_bottom());
    // JSET on a known bit pattern: (x & 1) == 0 with x in [0, 3] leaves {0, 2}.
    const auto [e, f] = K64::assume({Cond::Set, false, false}, urange(0, 3), K64::constant(W64(1)));
    CHECK(e.interval().u().hi() == W64(2));
    CHECK(e.tnum().mask == W64(2));
}

TEST_CASE("fixed point against the kernel's fixed rounds: a random search at 8 bits") {
    std::mt19937_64 rng(0xf1c5);
    constexpr int kTrials = 4000;
    int better = 0, worse = 0, max_rounds = 0, non_bottom = 0;
    bool shown = false;
    for (int i = 0; i < kTrials; ++i) {
        const K8 raw = random_raw8<K8>(rng);
        int used = 0;
        const K8 fix = raw.synced_counting(&used);
        max_rounds = std::max(max_rounds, used);
        const F8 fixed = F8(raw.tnum(), raw.interval()).synced();
        // Soundness of both schedules: nothing of the raw value's γ is lost.
        const auto g_raw = gamma8(raw), g_fix = gamma8(fix), g_fixed = gamma8(fixed);
        REQUIRE(subset(g_raw, g_fix));
        REQUIRE(subset(g_raw, g_fixed));
        if (!fix.is_bottom()) ++non_bottom;
        // The fixed point is a fixed point.
        REQUIRE(fix.synced().same(fix));
        // Compare the bounds that the representations keep (γ is the same set for both when
        // the reduction is complete; the views are what the verifier reads).
        const bool fix_le = fix.leq(K8(fixed.tnum(), fixed.interval()));
        const bool fixed_le = K8(fixed.tnum(), fixed.interval()).leq(fix);
        if (fix_le && !fixed_le) {
            ++better;
            if (!shown) {
                shown = true;
                MESSAGE("example: raw tnum "
                        << to_string(raw.tnum()) << " views u[" << raw.interval().u().lo().raw()
                        << "," << raw.interval().u().hi().raw() << "] s["
                        << raw.interval().s().lo().sraw() << "," << raw.interval().s().hi().sraw()
                        << "] u4[" << raw.interval().u32().lo().raw() << ","
                        << raw.interval().u32().hi().raw() << "] s4["
                        << raw.interval().s32().lo().sraw() << ","
                        << raw.interval().s32().hi().sraw() << "]\n  fixed rounds: "
                        << to_string(fixed) << "\n  fixed point:  " << to_string(fix));
            }
        }
        if (fixed_le && !fix_le) ++worse;
    }
    MESSAGE("fixed point strictly more precise than "
            << kKernelSyncRounds << " fixed rounds in " << better << " of " << kTrials
            << " random raw values (" << non_bottom << " non-bottom); less precise in " << worse
            << "; most rounds used " << max_rounds);
    CHECK(shown);
    CHECK(worse == 0);
    CHECK(max_rounds < K8::kMaxRounds);
}

namespace {

/// An abstract value together with concrete words known to be in it (its witnesses).
template <class V>
struct Witnessed {
    V v;
    std::vector<std::uint64_t> xs;
};

/// A boundary-heavy random 64-bit word.
std::uint64_t edge_word(std::mt19937_64& rng) {
    static constexpr std::array<std::uint64_t, 12> kEdges{0,
                                                          1,
                                                          2,
                                                          0x7f,
                                                          0xff,
                                                          0x7fffffff,
                                                          0x80000000,
                                                          0xffffffff,
                                                          0x100000000,
                                                          0x7fffffffffffffff,
                                                          0x8000000000000000,
                                                          0xffffffffffffffff};
    switch (rng() % 4) {
        case 0:
            return kEdges[rng() % kEdges.size()] + (rng() % 5) - 2;
        case 1:
            return rng() % 1000;
        case 2:
            return 0 - (rng() % 1000);
        default:
            return rng();
    }
}

}  // namespace

TEST_CASE_TEMPLATE("64-bit random-member soundness along chains of operations", V, Interval<W64>,
                   KernelScalar<W64>, KernelFixedRounds<W64>) {
    std::mt19937_64 rng(0x64b17);
    const std::vector<bpflab::dom::AluSpec> specs = [] {
        std::vector<bpflab::dom::AluSpec> out;
        for (unsigned op = 0; op <= static_cast<unsigned>(AluOp::MovSx); ++op)
            for (const bool is64 : {true, false})
                for (const unsigned sx : {8u, 16u, 32u}) {
                    out.push_back({static_cast<AluOp>(op), is64, sx});
                    if (static_cast<AluOp>(op) != AluOp::MovSx) break;
                }
        return out;
    }();
    std::vector<Witnessed<V>> pool;
    for (int i = 0; i < 60; ++i) {
        std::uint64_t lo = edge_word(rng), hi = rng() % 3 == 0 ? lo + rng() % 300 : edge_word(rng);
        if (lo > hi) std::swap(lo, hi);
        Witnessed<V> w{V::constant(W64(lo)).join(V::constant(W64(hi))), {lo, hi}};
        for (int k = 0; k < 6; ++k) {
            const std::uint64_t x = lo + (hi - lo == kOnes64 ? rng() : rng() % (hi - lo + 1));
            if (w.v.contains(W64(x))) w.xs.push_back(x);
        }
        pool.push_back(w);
    }
    long checked = 0;
    for (int step = 0; step < 4000; ++step) {
        const auto& a = pool[rng() % pool.size()];
        const auto& b = pool[rng() % pool.size()];
        Witnessed<V> out;
        switch (rng() % 8) {
            case 0: {
                const Cond c = static_cast<Cond>(rng() % 11);
                const bpflab::dom::Branch br{c, rng() % 2 == 0, rng() % 2 == 0};
                const auto [ra, rb] = V::assume(br, a.v, b.v);
                for (const auto x : a.xs)
                    for (const auto y : b.xs) {
                        const bool taken =
                            bpflab::sem::jump_word<W64>(c, br.is32, x, y) == br.holds;
                        if (!taken) continue;
                        ++checked;
                        if (!ra.contains(W64(x)) || !rb.contains(W64(y)))
                            FAIL_CHECK("assume " << int(c) << " is32 " << br.is32 << " holds "
                                                 << br.holds << " loses " << x << ", " << y);
                        if (out.xs.size() < 8) out.xs.push_back(x);
                    }
                out.v = ra;
                break;
            }
            case 1: {
                const auto k = static_cast<EndianKind>(rng() % 3);
                const unsigned bits = 16u << (rng() % 3);
                out.v = V::endian(k, bits, a.v);
                for (const auto x : a.xs) {
                    const W64 z = bpflab::sem::endian_word<W64>(k, bits, x);
                    ++checked;
                    if (!out.v.contains(z)) FAIL_CHECK("endian misses " << x);
                    out.xs.push_back(z.raw());
                }
                break;
            }
            default: {
                const auto& spec = specs[rng() % specs.size()];
                out.v = V::alu(spec, a.v, b.v);
                for (const auto x : a.xs)
                    for (const auto y : b.xs) {
                        const W64 z =
                            bpflab::sem::alu_reg_word<W64>(spec.op, spec.is64, x, y, spec.sx_bits);
                        ++checked;
                        if (!out.v.contains(z))
                            FAIL_CHECK("op " << int(spec.op) << " is64 " << spec.is64 << " sx "
                                             << spec.sx_bits << ": " << x << ", " << y << " -> "
                                             << z.raw() << " escapes");
                        if (out.xs.size() < 8) out.xs.push_back(z.raw());
                    }
            }
        }
        if (!out.xs.empty()) pool.push_back(out);
    }
    MESSAGE(V::name() << ": " << checked << " concrete results checked along " << pool.size()
                      << " witnessed values");
}
