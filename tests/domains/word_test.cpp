// SPDX-License-Identifier: Apache-2.0
// bpflab: the machine word algebra agrees with native arithmetic and with SMT-LIB's rules.
#include <doctest/doctest.h>

#include <cstdint>

#include "core/word.hpp"

using bpflab::Bits;

TEST_CASE("Bits<8> wraps, compares and shifts as an 8-bit machine word") {
    for (unsigned x = 0; x < 256; ++x) {
        for (unsigned y = 0; y < 256; y += 7) {
            const Bits<8> a(x), b(y);
            CHECK((a + b).raw() == ((x + y) & 0xff));
            CHECK((a - b).raw() == ((x - y) & 0xff));
            CHECK((a * b).raw() == ((x * y) & 0xff));
            CHECK(slt(a, b) == (static_cast<std::int8_t>(x) < static_cast<std::int8_t>(y)));
            CHECK(shl(a, b).raw() == (y >= 8 ? 0u : ((x << y) & 0xff)));
            CHECK(lshr(a, b).raw() == (y >= 8 ? 0u : (x >> y)));
            const int s = static_cast<std::int8_t>(x);
            CHECK(ashr(a, b).raw() == (static_cast<unsigned>(s >> (y >= 8 ? 7 : y)) & 0xff));
            CHECK(udiv(a, b).raw() == (y == 0 ? 0xffu : x / y));
            CHECK(urem(a, b).raw() == (y == 0 ? x : x % y));
        }
    }
}

TEST_CASE("signed division follows SMT-LIB, including the overflow and zero cases") {
    const Bits<8> smin = Bits<8>::smin(), m1(0xff), zero(0);
    CHECK(sdiv(smin, m1) == smin);
    CHECK(srem(smin, m1) == zero);
    CHECK(sdiv(Bits<8>(5), zero) == m1);
    CHECK(sdiv(Bits<8>(0xfb), zero) == Bits<8>(1));
    CHECK(srem(Bits<8>(0xfb), zero) == Bits<8>(0xfb));
    CHECK(sdiv(Bits<8>(0xf9), Bits<8>(2)).sraw() == -3);
    CHECK(srem(Bits<8>(0xf9), Bits<8>(2)).sraw() == -1);
}

TEST_CASE("width changes and smear") {
    const Bits<64> v(0x80000000ffffff80ULL);
    CHECK(bpflab::trunc<32>(v).raw() == 0xffffff80u);
    CHECK(bpflab::sext<64>(bpflab::trunc<8>(v)).raw() == 0xffffffffffffff80ULL);
    CHECK(bpflab::zext<64>(bpflab::trunc<8>(v)).raw() == 0x80u);
    CHECK(bpflab::smear_right(Bits<64>(0x1000)).raw() == 0x1fffu);
    CHECK(bpflab::smear_right(Bits<64>(0)).raw() == 0u);
    CHECK(bpflab::Half<Bits<8>>::kBits == 4);
}
