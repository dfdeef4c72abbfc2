// SPDX-License-Identifier: Apache-2.0
// bpflab: tnum unit tests — known values, optimality of add/sub and the bitwise operations at
// 8 bits, the three multiplications compared on precision, 64-bit soundness against random
// members, and the harness catching a deliberately broken operator.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/semantics.hpp"
#include "domains/tnum.hpp"
#include "tests/domains/harness.hpp"

using bpflab::AluOp;
using bpflab::Bits;
using bpflab::Cond;
using bpflab::EndianKind;
using namespace bpflab::dom;
using namespace bpflab::dom::test;

namespace {

using T8 = Tnum<W8>;
using T64 = Tnum<Bits<64>>;
using B64 = Bits<64>;

T64 tn(std::uint64_t v, std::uint64_t m) {
    return {B64(v), B64(m)};
}
T64 k64(std::uint64_t c) {
    return T64::constant(B64(c));
}
bool same(const T64& a, const T64& b) {
    return a.value == b.value && a.mask == b.mask;
}
template <class T>
bool same_t(const T& a, const T& b) {
    return a.value == b.value && a.mask == b.mask;
}
/// a * b with the multiplication of the tnum type D, as a T8.
template <class D>
T8 mul_as(const T8& a, const T8& b) {
    const D r = D::mul(D(a.value, a.mask), D(b.value, b.mask));
    return {r.value, r.mask};
}
T64 alu64(AluOp op, const T64& a, const T64& b, bool is64 = true, unsigned sx = 0) {
    return T64::alu({op, is64, sx}, a, b);
}

}  // namespace

TEST_CASE("tnum basics: constants, ranges, lattice, names") {
    CHECK(T64::name() == "tnum");
    CHECK(Tnum<B64, TnumMul::Kernel2017>::name() == "tnum-mul2017");
    CHECK(Tnum<B64, TnumMul::Union2025>::name() == "tnum-mul2025");
    CHECK(tnum_mul_from_name("tnum-mul2017") == TnumMul::Kernel2017);
    CHECK(tnum_mul_from_name("tnum") == TnumMul::Cgo2022);
    CHECK_FALSE(tnum_mul_from_name("interval").has_value());
    CHECK(same(T64(), T64::top()));
    CHECK(same(T64::range(B64(3), B64(10)), tn(0, 0xf)));
    CHECK(same(T64::range(B64(16), B64(31)), tn(16, 0xf)));
    CHECK(same(T64::range(B64(0), B64(~0ull)), T64::top()));
    CHECK(same(T64::range(B64(7), B64(7)), k64(7)));
    CHECK(same(k64(4).join(k64(5)), tn(4, 1)));
    CHECK(same(tn(4, 3).meet(tn(1, 0xc)), tn(5, 0)));
    CHECK(tn(4, 3).meet(tn(1, 8)).is_bottom());
    CHECK(tn(4, 3).meet(tn(8, 0)).is_bottom());
    CHECK(T64::in(tn(0, 0xff), k64(0x42)));
    CHECK_FALSE(T64::in(k64(0x42), tn(0, 0xff)));
    CHECK(k64(9).equals_const(B64(9)));
    CHECK_FALSE(tn(8, 1).is_const());
    CHECK(T64::is_aligned(tn(0x10, 0x30), 16));
    CHECK_FALSE(T64::is_aligned(tn(0x10, 0x31), 16));
    CHECK(same(T64::cast(tn(0x1234, 0xf0000), 1), k64(0x34)));
    CHECK(to_string(T8(W8(0b100), W8(0b11))) == "0b000001xx");
    CHECK(to_string(T8::bottom()) == "bottom");
}

TEST_CASE("tnum kernel operations on known values") {
    // {2, 3} + 1 = {3, 4}: 011 and 100 differ in every low bit.
    CHECK(same(T64::add(tn(2, 1), k64(1)), tn(0, 7)));
    CHECK(same(T64::sub(k64(10), k64(3)), k64(7)));
    CHECK(same(T64::sub(tn(4, 1), k64(1)), tn(0, 7)));
    CHECK(same(T64::neg(k64(1)), k64(~0ull)));
    CHECK(same(T64::bit_and(tn(0, 0xff), k64(0x0f)), tn(0, 0x0f)));
    CHECK(same(T64::bit_or(tn(0, 0xff), k64(0x0f)), tn(0x0f, 0xf0)));
    CHECK(same(T64::bit_xor(tn(0x0f, 0xf0), k64(0xff)), tn(0, 0xf0)));
    CHECK(same(T64::lshift(tn(1, 2), 4), tn(0x10, 0x20)));
    CHECK(same(T64::rshift(tn(0x10, 0x20), 4), tn(1, 2)));
    CHECK(same(T64::arshift(tn(0, 1ull << 63), 60), tn(0, ~0ull << 3)));
    CHECK(same(T64::arshift(k64(1ull << 63), 60), k64(~0ull << 3)));
    CHECK(same(T64::arshift(k64(0x80000000), 4, 32), k64(0xf8000000)));
    CHECK(same(T64::mul(k64(6), k64(7)), k64(42)));
    CHECK(same(T64::subreg(tn(0x1234'0000'0000, 0xff)), tn(0, 0xff)));
    CHECK(same(T64::clear_subreg(tn(0x1'0000'0001, 0x10)), k64(0x1'0000'0000)));
    CHECK(same(T64::with_subreg(k64(0x1'0000'0000), tn(5, 2)), tn(0x1'0000'0005, 2)));
    CHECK(same(T64::const_subreg(tn(0, ~0ull), bpflab::Bits<32>(7)), tn(7, 0xffff'ffff'0000'0000)));
    CHECK(same(T64::bswap16(tn(0x1200, 0x00f0)), tn(0x12, 0xf000)));
    CHECK(same(T64::bswap32(k64(0x11223344)), k64(0x44332211)));
    CHECK(same(T64::bswap64(k64(0x1122334455667788)), k64(0x8877665544332211)));
    CHECK(same(T64::endian(EndianKind::ToLe, 16, tn(0x02345, 0xf0000)), k64(0x2345)));
}

TEST_CASE("tnum ALU forms the kernel lacks: tnum shifts, division, 32-bit and movsx") {
    // Shift by {1, 3}: join of 1 << 1 and 1 << 3; amounts are masked to 63.
    CHECK(same(alu64(AluOp::Lsh, k64(1), tn(1, 2)), tn(0, 0b1010)));
    CHECK(same(alu64(AluOp::Lsh, k64(1), k64(65)), k64(2)));
    CHECK(same(alu64(AluOp::Rsh, k64(0x80), tn(0, 1)), tn(0, 0xc0)));
    CHECK(same(alu64(AluOp::Arsh, k64(1ull << 63), k64(63)), k64(~0ull)));
    // Division and remainder: exact on constants, with the ISA's zero and overflow rules.
    CHECK(same(alu64(AluOp::Div, k64(100), k64(7)), k64(14)));
    CHECK(same(alu64(AluOp::Div, k64(100), k64(0)), k64(0)));
    CHECK(same(alu64(AluOp::Mod, k64(100), k64(0)), k64(100)));
    CHECK(same(alu64(AluOp::SDiv, k64(1ull << 63), k64(~0ull)), k64(1ull << 63)));
    CHECK(same(alu64(AluOp::SMod, k64(1ull << 63), k64(~0ull)), k64(0)));
    CHECK(same(alu64(AluOp::SDiv, k64(static_cast<std::uint64_t>(-7)), k64(2)),
               k64(static_cast<std::uint64_t>(-3))));
    CHECK(same(alu64(AluOp::Mod, T64::top(), k64(8)), tn(0, 7)));
    CHECK(same(alu64(AluOp::Div, tn(0x10005, 0xff00), k64(16)), tn(0x1000, 0xff0)));
    CHECK(same(alu64(AluOp::Div, tn(0, 0xff), tn(0, 1)), tn(0, 0xff)));
    CHECK(alu64(AluOp::Div, tn(0, 0xff), tn(1, 0xe)).leq(tn(0, 0xff)));
    CHECK(alu64(AluOp::Mod, T64::top(), tn(1, 0xe)).leq(tn(0, 0xf)));
    CHECK(alu64(AluOp::SMod, tn(0, 0xff), tn(1, 0xe)).leq(tn(0, 0xf)));
    // [-256, -1] / -16 lies in [0, 16]: known signs fix the quotient's sign.
    const T64 q = alu64(AluOp::SDiv, tn(~0xffull, 0xff), k64(static_cast<std::uint64_t>(-16)));
    CHECK(q.leq(tn(0, 0x1f)));
    CHECK(q.contains(B64(16)));
    // 32-bit forms compute on the low halves and zero-extend.
    CHECK(same(alu64(AluOp::Add, k64(0xffff'ffff), k64(1), false), k64(0)));
    CHECK(same(alu64(AluOp::Mov, k64(0), T64::top(), false), tn(0, 0xffff'ffff)));
    CHECK(same(alu64(AluOp::Lsh, k64(1), k64(33), false), k64(2)));
    CHECK(same(alu64(AluOp::MovSx, k64(0), k64(0x80), true, 8), k64(0xffff'ffff'ffff'ff80)));
    CHECK(same(alu64(AluOp::MovSx, k64(0), k64(0x8000), false, 16), k64(0xffff'8000)));
    CHECK(same(alu64(AluOp::MovSx, k64(0), tn(0, 0x80), true, 8), tn(0, 0xffff'ffff'ffff'ff80)));
    CHECK(same(alu64(AluOp::Neg, k64(5), T64::bottom()), k64(static_cast<std::uint64_t>(-5))));
    CHECK(alu64(AluOp::Add, T64::bottom(), k64(1)).is_bottom());
}

TEST_CASE("tnum branch refinement") {
    using bpflab::dom::Branch;
    auto assume = [](Cond c, const T64& a, const T64& b, bool holds = true, bool is32 = false) {
        return T64::assume(Branch{c, is32, holds}, a, b);
    };
    CHECK(same(assume(Cond::Lt, T64::top(), k64(16)).first, tn(0, 0xf)));
    CHECK(same(assume(Cond::Ge, T64::top(), k64(16), false).first, tn(0, 0xf)));
    CHECK(same(assume(Cond::Gt, k64(16), T64::top()).second, tn(0, 0xf)));
    CHECK(same(assume(Cond::Eq, tn(4, 3), tn(1, 0xc)).second, k64(5)));
    CHECK(same(assume(Cond::Ne, tn(4, 1), k64(4)).first, k64(5)));
    CHECK(same(assume(Cond::Ne, tn(4, 1), k64(5)).first, k64(4)));
    CHECK(same(assume(Cond::Ne, tn(4, 3), k64(5)).first, tn(4, 3)));
    CHECK(same(assume(Cond::Set, tn(0, 0xff), k64(0x10)).first, tn(0x10, 0xef)));
    CHECK(same(assume(Cond::Set, tn(0, 0xff), k64(0x10), false).first, tn(0, 0xef)));
    CHECK(same(assume(Cond::Slt, T64::top(), k64(0)).first, tn(1ull << 63, ~0ull >> 1)));
    CHECK(same(assume(Cond::Sge, T64::top(), k64(0)).first, tn(0, ~0ull >> 1)));
    // JMP32 refines the low half and keeps the high half.
    const auto r32 = assume(Cond::Lt, tn(0x1'0000'0000, 0xffff'ffff), k64(16), true, true);
    CHECK(same(r32.first, tn(0x1'0000'0000, 0xf)));
    // Dead sides.
    CHECK(assume(Cond::Lt, k64(3), k64(2)).first.is_bottom());
    CHECK(assume(Cond::Ne, k64(5), k64(5)).first.is_bottom());
    CHECK(assume(Cond::Eq, k64(5), k64(6)).second.is_bottom());
    CHECK(assume(Cond::Set, tn(0, 0xf0), k64(0x0f)).first.is_bottom());
    CHECK(assume(Cond::Set, k64(1), k64(1), false).second.is_bottom());
    CHECK(assume(Cond::Sgt, k64(1ull << 63), T64::top()).first.is_bottom());
    CHECK(assume(Cond::Lt, k64(0x1'0000'0005), k64(3), true, true).first.is_bottom());
}

TEST_CASE("tnum dead branch sides are exactly the bottom ones at 8 bits") {
    std::mt19937_64 rng(0xdead);
    const auto samples = sample<T8>(rng, 40, 9);
    for (const Branch& br : all_branches()) {
        const auto failure = check_assume_dead(br, samples);
        CHECK_MESSAGE(!failure, failure.value_or(""));
    }
}

TEST_CASE("tnum add, sub and the bitwise operations are optimal at 8 bits") {
    std::mt19937_64 rng(7);
    const auto samples = sample<T8>(rng, 40, 15);
    std::vector<std::vector<std::uint8_t>> g;
    for (const T8& v : samples) g.push_back(gamma(v));
    unsigned pairs = 0;
    for (AluOp op : {AluOp::Add, AluOp::Sub, AluOp::And, AluOp::Or, AluOp::Xor, AluOp::Neg}) {
        const auto& table = alu_table({op, true, 0});
        for (std::size_t i = 0; i < samples.size(); ++i)
            for (std::size_t j = 0; j < samples.size(); ++j) {
                const T8& a = samples[i];
                const T8& b = samples[j];
                if (g[i].empty() || g[j].empty()) continue;
                Set256 concrete;
                for (auto x : g[i])
                    for (auto y : g[j]) concrete.set(table[x * 256u + y]);
                const T8 best = abstract<T8>(concrete);
                const T8 got = T8::alu({op, true, 0}, a, b);
                INFO(op_name(op), "(", to_string(a), ", ", to_string(b), ") = ", to_string(got),
                     ", best ", to_string(best));
                REQUIRE(same_t(got, best));
                ++pairs;
            }
    }
    MESSAGE("optimal on ", pairs, " pairs");
}

TEST_CASE("tnum precision per ALU operation at 8 bits (measured, reported)") {
    std::mt19937_64 rng(8);
    const auto samples = sample<T8>(rng, 16, 32);
    std::string table;
    for (const AluSpec& spec : all_alu_specs()) {
        if (!spec.is64) continue;
        const Precision p = alu_precision(spec, samples);
        table += " " + describe(spec) + " " + std::to_string(100 * p.optimal / p.pairs) + "%";
        const bool optimal_by_design = spec.op == AluOp::Add || spec.op == AluOp::Sub ||
                                       spec.op == AluOp::And || spec.op == AluOp::Or ||
                                       spec.op == AluOp::Xor || spec.op == AluOp::Mov;
        if (optimal_by_design) CHECK(p.optimal == p.pairs);
    }
    MESSAGE("optimal results over ", samples.size() * samples.size(), " pairs:", table);
}

TEST_CASE("the three multiplications compared on precision at 8 bits") {
    using K = Tnum<W8, TnumMul::Kernel2017>;
    using C = Tnum<W8, TnumMul::Cgo2022>;
    using U = Tnum<W8, TnumMul::Union2025>;
    std::mt19937_64 rng(2022);
    const auto samples = sample<T8>(rng, 200, 3);
    std::vector<std::vector<std::uint8_t>> g;
    for (const T8& v : samples) g.push_back(gamma(v));
    // better[p][q]: how often variant p is strictly more precise than q (0 = 2017, 1 = 2022,
    // 2 = 2025); optimal[p]: how often p equals the best tnum of the concrete products.
    unsigned better[3][3] = {}, optimal[3] = {}, total = 0;
    for (std::size_t i = 0; i < samples.size(); i += 1)
        for (std::size_t j = 0; j < samples.size(); j += 3) {
            const T8& a = samples[i];
            const T8& b = samples[j];
            if (a.is_bottom() || b.is_bottom() || a.is_const() || b.is_const()) continue;
            const T8 r[3] = {mul_as<K>(a, b), mul_as<C>(a, b), mul_as<U>(a, b)};
            Set256 concrete;
            for (auto x : g[i])
                for (auto y : g[j]) concrete.set((x * y) & 0xff);
            const T8 best = abstract<T8>(concrete);
            ++total;
            for (int p = 0; p < 3; ++p) {
                REQUIRE(best.leq(r[p]));  // sound
                if (same_t(r[p], best)) ++optimal[p];
                for (int q = 0; q < 3; ++q)
                    if (r[p].leq(r[q]) && !r[q].leq(r[p])) ++better[p][q];
            }
        }
    MESSAGE("over ", total, " pairs of non-constant tnums: optimal 2017 ", optimal[0], ", 2022 ",
            optimal[1], ", 2025 ", optimal[2], "; strictly more precise: 2022>2017 ", better[1][0],
            ", 2017>2022 ", better[0][1], ", 2025>2022 ", better[2][1], ", 2022>2025 ",
            better[1][2], ", 2025>2017 ", better[2][0], ", 2017>2025 ", better[0][2]);
    CHECK(total > 1000);
    CHECK(better[2][1] > better[1][2]);
    CHECK(optimal[2] >= optimal[1]);
}

namespace {

/// A random 64-bit tnum: constants, low ranges, sparse or dense unknown bits, sign-heavy.
T64 random_tnum(std::mt19937_64& rng) {
    std::uint64_t m = 0;
    switch (rng() % 6) {
        case 0:
            m = 0;
            break;
        case 1:
            m = (std::uint64_t{1} << (rng() % 12)) - 1;
            break;
        case 2:
            m = rng() & rng() & rng();
            break;
        case 3:
            m = rng();
            break;
        case 4:
            m = (rng() & 0xff) | (std::uint64_t{1} << 63);
            break;
        default:
            m = ~std::uint64_t{0} << (rng() % 64);
            break;
    }
    std::uint64_t v = rng();
    if (rng() % 3 == 0) v &= 0xffff;
    if (rng() % 4 == 0) v |= std::uint64_t{1} << 63;
    return tn(v & ~m, m);
}

B64 member(const T64& t, std::mt19937_64& rng) {
    return B64(t.value.raw() | (rng() & t.mask.raw()));
}

}  // namespace

TEST_CASE("64-bit tnum operations contain the concrete results of random members") {
    std::mt19937_64 rng(0x64);
    unsigned checks = 0;
    for (const AluSpec& spec : all_alu_specs()) {
        for (int i = 0; i < 400; ++i) {
            const T64 a = random_tnum(rng), b = random_tnum(rng);
            const T64 r = T64::alu(spec, a, b);
            for (int j = 0; j < 8; ++j) {
                const B64 x = member(a, rng), y = member(b, rng);
                const B64 z =
                    bpflab::sem::alu_reg_word<B64>(spec.op, spec.is64, x, y, spec.sx_bits);
                INFO(describe(spec), " ", to_string(a), " ", to_string(b), " x=", x.raw(),
                     " y=", y.raw());
                REQUIRE(r.contains(z));
                ++checks;
            }
        }
    }
    for (const Branch& br : all_branches()) {
        for (int i = 0; i < 400; ++i) {
            const T64 a = random_tnum(rng), b = random_tnum(rng);
            const auto [ra, rb] = T64::assume(br, a, b);
            for (int j = 0; j < 8; ++j) {
                const B64 x = member(a, rng), y = member(b, rng);
                if (bpflab::sem::jump_word<B64>(br.cond, br.is32, x, y) != br.holds) continue;
                INFO(describe(br), " ", to_string(a), " ", to_string(b), " x=", x.raw(),
                     " y=", y.raw());
                REQUIRE((ra.contains(x) && rb.contains(y)));
                ++checks;
            }
        }
    }
    for (auto k : {EndianKind::ToLe, EndianKind::ToBe, EndianKind::Swap})
        for (unsigned bits : {16u, 32u, 64u})
            for (int i = 0; i < 200; ++i) {
                const T64 a = random_tnum(rng);
                const B64 x = member(a, rng);
                REQUIRE(T64::endian(k, bits, a).contains(bpflab::sem::endian_word(k, bits, x)));
                ++checks;
            }
    MESSAGE(checks, " concrete checks at 64 bits");
}

namespace {

/// A tnum whose 64-bit addition forgets the carries: (a.v + b.v, a.m | b.m). Unsound; and a
/// JMP `le` that refines as `lt` would. Everything else forwards to the real tnum.
struct BrokenTnum {
    using Word = W8;
    using Bool = bool;
    T8 t;
    static std::string_view name() { return "broken"; }
    static BrokenTnum top() { return {T8::top()}; }
    static BrokenTnum bottom() { return {T8::bottom()}; }
    static BrokenTnum constant(W8 c) { return {T8::constant(c)}; }
    [[nodiscard]] bool is_top() const { return t.is_top(); }
    [[nodiscard]] bool is_bottom() const { return t.is_bottom(); }
    [[nodiscard]] bool leq(const BrokenTnum& b) const { return t.leq(b.t); }
    [[nodiscard]] BrokenTnum join(const BrokenTnum& b) const { return {t.join(b.t)}; }
    [[nodiscard]] BrokenTnum meet(const BrokenTnum& b) const { return {t.meet(b.t)}; }
    [[nodiscard]] BrokenTnum widen(const BrokenTnum& b) const { return {t.widen(b.t)}; }
    [[nodiscard]] BrokenTnum narrow(const BrokenTnum& b) const { return {t.narrow(b.t)}; }
    void join_with(const BrokenTnum& b) { t.join_with(b.t); }
    void meet_with(const BrokenTnum& b) { t.meet_with(b.t); }
    void widen_with(const BrokenTnum& b) { t.widen_with(b.t); }
    void narrow_with(const BrokenTnum& b) { t.narrow_with(b.t); }
    [[nodiscard]] bool contains(W8 x) const { return t.contains(x); }
    [[nodiscard]] bool well_formed() const { return true; }
    static BrokenTnum alu(const AluSpec& s, const BrokenTnum& a, const BrokenTnum& b) {
        if (s.op != AluOp::Add || !s.is64) return {T8::alu(s, a.t, b.t)};
        const W8 m = a.t.mask | b.t.mask;
        return {T8((a.t.value + b.t.value) & ~m, m)};
    }
    static BrokenTnum endian(EndianKind k, unsigned bits, const BrokenTnum& a) {
        return {T8::endian(k, bits, a.t)};
    }
    static std::pair<BrokenTnum, BrokenTnum> assume(const Branch& br, const BrokenTnum& a,
                                                    const BrokenTnum& b) {
        Branch wrong = br;
        if (br.cond == Cond::Le) wrong.cond = Cond::Lt;
        const auto [ra, rb] = T8::assume(wrong, a.t, b.t);
        return {{ra}, {rb}};
    }
};
static_assert(SmallDomain<BrokenTnum>);

}  // namespace

TEST_CASE("the harness reports a deliberately broken tnum operation") {
    std::mt19937_64 rng(11);
    const auto samples = sample<BrokenTnum>(rng, 20, 17);
    const auto add = check_alu_sound<BrokenTnum>({AluOp::Add, true, 0}, samples);
    REQUIRE(add.has_value());
    MESSAGE("caught: ", add->message());
    CHECK_FALSE(add->result.contains(W8(add->concrete)));
    CHECK(W8(add->concrete) == W8(add->x) + W8(add->y));
    // The 32-bit addition and the other operations are the real ones: nothing to report.
    CHECK_FALSE(check_alu_sound<BrokenTnum>({AluOp::Add, false, 0}, samples).has_value());
    CHECK_FALSE(check_alu_sound<BrokenTnum>({AluOp::Sub, true, 0}, samples).has_value());
    const auto le = check_assume_sound<BrokenTnum>({Cond::Le, false, true}, samples);
    REQUIRE(le.has_value());
    MESSAGE("caught: ", le->message());
    CHECK(le->x == le->y);
    CHECK_FALSE(check_assume_sound<BrokenTnum>({Cond::Lt, false, true}, samples).has_value());
}
