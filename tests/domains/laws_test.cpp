// SPDX-License-Identifier: Apache-2.0
// bpflab: lattice laws of every value domain — exhaustively at 8 bits over samples, and for the
// 64-bit tnum against random members.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>

#include "domains/tnum.hpp"
#include "tests/domains/harness.hpp"

using bpflab::Bits;
using namespace bpflab::dom;
using namespace bpflab::dom::test;

TEST_CASE_TEMPLATE_DEFINE("lattice laws hold at 8 bits over samples", V, laws_8) {
    std::mt19937_64 rng(0x1a77);
    const auto samples = sample<V>(rng, 60, 5);
    INFO("domain ", V::name(), ", ", samples.size(), " samples");
    const auto failure = check_laws(samples);
    CHECK_MESSAGE(!failure, failure.value_or(""));
}

TEST_CASE_TEMPLATE_DEFINE("widening chains stabilise at 8 bits", V, widening_8) {
    std::mt19937_64 rng(0x3c1d);
    const auto samples = sample<V>(rng, 100, 3);
    INFO("domain ", V::name());
    // A loose bound: any domain of finite height or with a real widening stays far below it.
    const auto failure = check_widening(samples, rng, 300, 60, 40);
    CHECK_MESSAGE(!failure, failure.value_or(""));
}

TEST_CASE_TEMPLATE_APPLY(laws_8, SmallDomains);
TEST_CASE_TEMPLATE_APPLY(widening_8, SmallDomains);

namespace {

using T64 = Tnum<Bits<64>>;

/// A random 64-bit tnum: unknown bits sparse, dense or in a low run.
T64 random_tnum(std::mt19937_64& rng) {
    std::uint64_t m = 0;
    switch (rng() % 4) {
        case 0:
            m = rng() & rng() & rng();
            break;
        case 1:
            m = rng();
            break;
        case 2:
            m = (std::uint64_t{1} << (rng() % 64)) - 1;
            break;
        default:
            m = 0;
            break;
    }
    return {Bits<64>(rng() & ~m), Bits<64>(m)};
}

/// A random member of a non-bottom tnum.
Bits<64> member(const T64& t, std::mt19937_64& rng) {
    return Bits<64>(t.value.raw() | (rng() & t.mask.raw()));
}

}  // namespace

TEST_CASE("64-bit tnum lattice laws against random members") {
    std::mt19937_64 rng(64);
    const T64 top = T64::top(), bot = T64::bottom();
    CHECK(top.is_top());
    CHECK(T64().is_top());
    CHECK(bot.is_bottom());
    CHECK(T64(Bits<64>(1), Bits<64>(3)).is_bottom());
    for (int i = 0; i < 20000; ++i) {
        const T64 a = random_tnum(rng), c = random_tnum(rng);
        CHECK(bot.leq(a));
        CHECK(a.leq(top));
        CHECK(a.leq(a));
        CHECK(a.well_formed());
        const Bits<64> x = member(a, rng);
        REQUIRE(a.contains(x));
        // b contains x, so x is in the meet; a ⊔ b contains every member of either.
        const std::uint64_t bm = rng() & rng();
        const T64 b(Bits<64>(x.raw() & ~bm), Bits<64>(bm));
        const T64 j = a.join(b), m = a.meet(b);
        CHECK(a.leq(j));
        CHECK(b.leq(j));
        CHECK(j.contains(member(a, rng)));
        CHECK(j.contains(member(b, rng)));
        CHECK(m.contains(x));
        CHECK(m.leq(a));
        CHECK(m.leq(b));
        const Bits<64> y = member(m, rng);
        CHECK((a.contains(y) && b.contains(y)));
        // leq is containment: members of a are members of anything above it.
        const T64 above = a.join(c);
        CHECK(a.leq(above));
        CHECK(above.contains(member(a, rng)));
        // A constant that differs from a member in a known bit is outside a: the meet is empty.
        const std::uint64_t known = ~a.mask.raw();
        if (known != 0) {
            const T64 other = T64::constant(Bits<64>(x.raw() ^ (known & (0 - known))));
            CHECK(a.meet(other).is_bottom());
            CHECK_FALSE(a.contains(other.value));
        }
        CHECK(a.join(a).leq(a));
        CHECK(a.meet(a).leq(a));
        // Widening contains both arguments, and changes nothing when nothing grew.
        CHECK(j.leq(a.widen(j)));
        CHECK(a.leq(a.widen(j)));
        CHECK((a.widen(a).leq(a) && a.leq(a.widen(a))));
        CHECK(j.narrow(a).leq(a));
        T64 t = a;
        t.join_with(b);
        CHECK((t.leq(j) && j.leq(t)));
        t = a;
        t.meet_with(b);
        CHECK((t.leq(m) && m.leq(t)));
    }
}
