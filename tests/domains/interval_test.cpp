// SPDX-License-Identifier: Apache-2.0
// bpflab: interval domains — known values, the reduction, and random soundness at 8 and 64 bits.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "core/semantics.hpp"
#include "domains/interval.hpp"

using bpflab::AluOp;
using bpflab::Bits;
using bpflab::Cond;
using bpflab::EndianKind;
using bpflab::dom::AluSpec;
using bpflab::dom::Branch;
using bpflab::dom::Interval;
using bpflab::dom::SInterval;
using bpflab::dom::UInterval;

namespace {

using W64 = Bits<64>;
using W8 = Bits<8>;
using I64 = Interval<W64>;
using I8 = Interval<W8>;
using U64 = UInterval<W64>;
using S64 = SInterval<W64>;

constexpr std::uint64_t kOnes = ~std::uint64_t{0};
constexpr std::uint64_t kSmin = std::uint64_t{1} << 63;
constexpr std::uint64_t kSmax = kSmin - 1;

I64 urange(std::uint64_t lo, std::uint64_t hi) {
    return I64::of(U64(lo, hi));
}
I64 srange(std::int64_t lo, std::int64_t hi) {
    return I64::of(S64(static_cast<std::uint64_t>(lo), static_cast<std::uint64_t>(hi)));
}
AluSpec op64(AluOp op, unsigned sx = 0) {
    return {op, true, sx};
}
AluSpec op32(AluOp op, unsigned sx = 0) {
    return {op, false, sx};
}

constexpr std::array kOps{AluOp::Add,  AluOp::Sub, AluOp::Mul, AluOp::Div,  AluOp::SDiv, AluOp::Mod,
                          AluOp::SMod, AluOp::Or,  AluOp::And, AluOp::Xor,  AluOp::Lsh,  AluOp::Rsh,
                          AluOp::Arsh, AluOp::Neg, AluOp::Mov, AluOp::MovSx};
constexpr std::array kConds{Cond::Eq, Cond::Ne,  Cond::Set, Cond::Gt,  Cond::Ge, Cond::Lt,
                            Cond::Le, Cond::Sgt, Cond::Sge, Cond::Slt, Cond::Sle};

std::vector<AluSpec> all_specs() {
    std::vector<AluSpec> specs;
    for (const bool is64 : {true, false})
        for (const AluOp op : kOps) {
            if (op != AluOp::MovSx) {
                specs.push_back({op, is64, 0});
                continue;
            }
            for (const unsigned sx : {8u, 16u, 32u}) specs.push_back({op, is64, sx});
        }
    return specs;
}

/// A random 8-bit interval value: one or two random views (mostly narrow), reduced.
I8 random_i8(std::mt19937_64& rng) {
    auto range = [&](bool narrow) {
        const unsigned lo = rng() & 0xff;
        const unsigned span = narrow ? rng() % 12 : rng() % 256;
        return std::pair{lo, std::min(255u, lo + span)};
    };
    const auto [ulo, uhi] = range(rng() % 4 != 0);
    I8 v = I8::of(UInterval<W8>(ulo, uhi));
    if (rng() % 3 == 0) {
        const auto [slo, shi] = range(false);
        v = v.meet(I8::of(SInterval<W8>(slo ^ 0x80u, shi ^ 0x80u)));
    }
    if (rng() % 4 == 0) {
        const auto [hlo, hhi] = range(true);
        v = v.meet(I8(UInterval<W8>(), SInterval<W8>(), UInterval<Bits<4>>(hlo & 0xf, hhi & 0xf),
                      SInterval<Bits<4>>())
                       .reduced());
    }
    return v;
}

std::vector<std::uint64_t> members(const I8& v) {
    std::vector<std::uint64_t> out;
    for (unsigned x = 0; x < 256; ++x)
        if (v.contains(W8(x))) out.push_back(x);
    return out;
}

}  // namespace

TEST_CASE("UInterval and SInterval lattice on known values") {
    const U64 a(2, 5), b(4, 9);
    CHECK(a.join(b).lo() == W64(2));
    CHECK(a.join(b).hi() == W64(9));
    CHECK(a.meet(b).lo() == W64(4));
    CHECK(a.meet(b).hi() == W64(5));
    CHECK(a.meet(U64(6, 7)).is_bottom());
    CHECK(a.meet(U64(6, 7)).lo() == W64(kOnes));  // canonical bottom [max, min]
    CHECK(U64::bottom().leq(a));
    CHECK(a.leq(U64::top()));
    CHECK(a.widen(b).hi() == W64(kOnes));
    CHECK(a.widen(b).lo() == W64(2));
    const std::array<W64, 3> th{W64(0), W64(16), W64(1024)};
    CHECK(a.widen(b, th).hi() == W64(16));
    CHECK(a.widen(U64(1, 20), th).lo() == W64(0));
    CHECK(a.widen(U64(1, 20), th).hi() == W64(1024));
    CHECK(a.widen(U64(2, 2000), th).hi() == W64(kOnes));
    CHECK(U64(3, kOnes).narrow(U64(3, 40)).hi() == W64(40));
    CHECK(U64(3, 50).narrow(U64(4, 40)).hi() == W64(50));  // finite bounds stay
    const S64 s(static_cast<std::uint64_t>(-4), 3);
    CHECK(s.contains(W64(static_cast<std::uint64_t>(-1))));
    CHECK_FALSE(s.contains(W64(4)));
    CHECK(S64::top().lo() == W64(kSmin));
    // The wrapped meet: {250, …, 255, 0, …, 3} in unsigned order cuts [1, 100] to [1, 3].
    CHECK(UInterval<W8>(1, 100).meet_wrapped(250, 3).hi() == W8(3));
    CHECK(UInterval<W8>(1, 100).meet_wrapped(250, 0).is_bottom());
    CHECK(UInterval<W8>(0, 255).meet_wrapped(250, 3).is_top());
}

TEST_CASE("add and sub: exact without overflow, top of that view when the ends wrap apart") {
    const I64 r = I64::alu(op64(AluOp::Add), urange(10, 20), urange(1, 2));
    CHECK(r.u().lo() == W64(11));
    CHECK(r.u().hi() == W64(22));
    // Unsigned overflow on one end only: top of the unsigned view; signed view stays exact.
    const I64 o = I64::alu(op64(AluOp::Add), urange(kOnes - 1, kOnes), urange(1, 1));
    CHECK(o.u().is_top());
    CHECK(o.s().lo() == W64(kOnes));
    CHECK(o.s().hi() == W64(0));
    // Both ends wrap: the shifted interval.
    const I64 both = I64::alu(op64(AluOp::Add), urange(kOnes - 1, kOnes), urange(5, 5));
    CHECK(both.u().lo() == W64(3));
    CHECK(both.u().hi() == W64(4));
    // Signed overflow on one end: top of the signed view, unsigned exact.
    const I64 so = I64::alu(op64(AluOp::Add), urange(kSmax - 1, kSmax), urange(1, 1));
    CHECK(so.s().is_top());
    CHECK(so.u().lo() == W64(kSmax));
    CHECK(so.u().hi() == W64(kSmin));
    // 32-bit form: the halves, zero-extended.
    const I64 h = I64::alu(op32(AluOp::Add), urange(0xfffffff0, 0xfffffff0), urange(0x20, 0x20));
    CHECK(h.u().lo() == W64(0x10));
    CHECK(h.u().hi() == W64(0x10));
    const I64 s = I64::alu(op64(AluOp::Sub), urange(5, 10), urange(1, 3));
    CHECK(s.u().lo() == W64(2));
    CHECK(s.u().hi() == W64(9));
    const I64 neg = I64::alu(op64(AluOp::Sub), urange(0, 10), urange(1, 3));
    CHECK(neg.u().is_top());
    CHECK(neg.s().lo() == W64(static_cast<std::uint64_t>(-3)));
    CHECK(neg.s().hi() == W64(9));
}

TEST_CASE("mul, div, mod, shifts on known values") {
    const I64 m = I64::alu(op64(AluOp::Mul), urange(3, 4), urange(5, 6));
    CHECK(m.u().lo() == W64(15));
    CHECK(m.u().hi() == W64(24));
    CHECK(I64::alu(op64(AluOp::Mul), urange(3, 1ULL << 40), urange(1, 1ULL << 30)).u().is_top());
    const I64 ms = I64::alu(op64(AluOp::Mul), srange(-3, 2), srange(-5, 4));
    CHECK(ms.s().lo() == W64(static_cast<std::uint64_t>(-12)));
    CHECK(ms.s().hi() == W64(15));
    // Division by zero gives 0; a divisor range holding 0 adds 0.
    const I64 d0 = I64::alu(op64(AluOp::Div), urange(10, 20), urange(0, 0));
    CHECK(d0.u().lo() == W64(0));
    CHECK(d0.u().hi() == W64(0));
    const I64 d = I64::alu(op64(AluOp::Div), urange(10, 20), urange(0, 5));
    CHECK(d.u().lo() == W64(0));
    CHECK(d.u().hi() == W64(20));
    const I64 d2 = I64::alu(op64(AluOp::Div), urange(10, 20), urange(2, 5));
    CHECK(d2.u().lo() == W64(2));
    CHECK(d2.u().hi() == W64(10));
    const I64 sd = I64::alu(op64(AluOp::SDiv), srange(-20, 9), srange(2, 2));
    CHECK(sd.s().lo() == W64(static_cast<std::uint64_t>(-10)));
    CHECK(sd.s().hi() == W64(4));
    // smin / -1 wraps to smin: the transfer must contain it.
    const I64 ov = I64::alu(op64(AluOp::SDiv), srange(INT64_MIN, INT64_MIN + 1), srange(-1, -1));
    CHECK(ov.contains(W64(kSmin)));
    CHECK(ov.contains(W64(kSmax)));
    // Modulo by zero keeps the dividend; 32-bit modulo by zero keeps its low half.
    const I64 m0 = I64::alu(op64(AluOp::Mod), urange(7, 9), urange(0, 0));
    CHECK(m0.u().lo() == W64(7));
    CHECK(m0.u().hi() == W64(9));
    const I64 m32 = I64::alu(op32(AluOp::Mod), urange(0x100000007, 0x100000009), urange(0, 0));
    CHECK(m32.u().lo() == W64(7));
    CHECK(m32.u().hi() == W64(9));
    const I64 mod = I64::alu(op64(AluOp::Mod), urange(0, 1000), urange(16, 16));
    CHECK(mod.u().hi() == W64(15));
    const I64 smod = I64::alu(op64(AluOp::SMod), srange(-100, 5), srange(8, 8));
    CHECK(smod.s().lo() == W64(static_cast<std::uint64_t>(-7)));
    CHECK(smod.s().hi() == W64(5));
    const I64 sh = I64::alu(op64(AluOp::Lsh), urange(1, 3), urange(4, 4));
    CHECK(sh.u().lo() == W64(16));
    CHECK(sh.u().hi() == W64(48));
    // Shift amounts are masked: 65 is 1.
    const I64 shm = I64::alu(op64(AluOp::Rsh), urange(8, 16), urange(65, 65));
    CHECK(shm.u().lo() == W64(4));
    CHECK(shm.u().hi() == W64(8));
    const I64 ar = I64::alu(op64(AluOp::Arsh), srange(-64, 32), urange(2, 3));
    CHECK(ar.s().lo() == W64(static_cast<std::uint64_t>(-16)));
    CHECK(ar.s().hi() == W64(8));
    const I64 sx = I64::alu(op64(AluOp::MovSx, 8), urange(0, 0), urange(0x80, 0x81));
    CHECK(sx.s().lo() == W64(static_cast<std::uint64_t>(-128)));
    CHECK(sx.s().hi() == W64(static_cast<std::uint64_t>(-127)));
    const I64 an = I64::alu(op64(AluOp::And), urange(0, 1000), urange(0, 255));
    CHECK(an.u().hi() == W64(255));
    CHECK(I64::alu(op64(AluOp::Xor), I64::constant(6), I64::constant(3)).u().lo() == W64(5));
}

TEST_CASE("assume refines both operands and marks a dead side bottom") {
    const auto [x, y] = I64::assume({Cond::Lt, false, true}, urange(0, 100), urange(10, 50));
    CHECK(x.u().hi() == W64(49));
    CHECK(y.u().lo() == W64(10));
    const auto [x2, y2] = I64::assume({Cond::Lt, false, true}, urange(20, 100), urange(10, 50));
    CHECK(x2.u().hi() == W64(49));
    CHECK(y2.u().lo() == W64(21));
    // The fall-through side of x < y is x >= y.
    const auto [x3, y3] = I64::assume({Cond::Lt, false, false}, urange(0, 100), urange(10, 50));
    CHECK(x3.u().lo() == W64(10));
    CHECK(y3.u().hi() == W64(50));
    // Dead side: [60, 100] < [10, 50] never holds.
    const auto [dx, dy] = I64::assume({Cond::Lt, false, true}, urange(60, 100), urange(10, 50));
    CHECK(dx.is_bottom());
    CHECK(dy.is_bottom());
    // x < 0 unsigned is dead.
    CHECK(I64::assume({Cond::Lt, false, true}, I64::top(), I64::constant(0)).first.is_bottom());
    // Signed: x s> -1 makes x non-negative, so its unsigned view shrinks too.
    const auto [p, q] = I64::assume({Cond::Sgt, false, true}, I64::top(), srange(-1, -1));
    CHECK(p.s().lo() == W64(0));
    CHECK(p.u().hi() == W64(kSmax));
    // Equality meets; != shaves a constant.
    const auto [e1, e2] = I64::assume({Cond::Eq, false, true}, urange(0, 10), urange(5, 20));
    CHECK(e1.u().lo() == W64(5));
    CHECK(e2.u().hi() == W64(10));
    const auto [n1, n2] = I64::assume({Cond::Ne, false, true}, urange(0, 10), I64::constant(0));
    CHECK(n1.u().lo() == W64(1));
    CHECK(
        I64::assume({Cond::Ne, false, true}, I64::constant(3), I64::constant(3)).first.is_bottom());
    // 32-bit branch with the high half known refines the full views.
    const auto [w1, w2] =
        I64::assume({Cond::Lt, true, true}, urange(0, 0xffffffff), I64::constant(7));
    CHECK(w1.u().hi() == W64(6));
    // JSET: (x & 8) != 0 needs x != 0; == 0 bounds x by ~8.
    const auto [j1, j2] = I64::assume({Cond::Set, false, true}, urange(0, 100), I64::constant(8));
    CHECK(j1.u().lo() == W64(1));
    CHECK(I64::assume({Cond::Set, false, true}, I64::constant(0), I64::top()).first.is_bottom());
}

TEST_CASE("the reduction moves facts between the four views") {
    // Unsigned range below 2^63: the signed view follows.
    const I64 a = urange(5, 1000);
    CHECK(a.s().lo() == W64(5));
    CHECK(a.s().hi() == W64(1000));
    // Full range within one 2^32 block: the low halves follow.
    const I64 b = urange(0x700000010, 0x700000020);
    CHECK(b.u32().lo() == bpflab::Bits<32>(0x10));
    CHECK(b.u32().hi() == bpflab::Bits<32>(0x20));
    // Signed range crossing 0 but small: the low-half view is a wrapped range, still exact in
    // its signed form.
    const I64 c = srange(-3, 4);
    CHECK(c.s32().lo() == bpflab::Bits<32>(static_cast<std::uint32_t>(-3)));
    CHECK(c.s32().hi() == bpflab::Bits<32>(4));
    // Low half known, high half fixed: the full bounds shrink (32 → 64).
    const I64 d = I64(U64(0x500000000, 0x5ffffffff), bpflab::dom::SInterval<W64>(),
                      UInterval<Bits<32>>(8, 9), SInterval<Bits<32>>())
                      .reduced();
    CHECK(d.u().lo() == W64(0x500000008));
    CHECK(d.u().hi() == W64(0x500000009));
    // Bounds move to the nearest word whose low half fits: lo up into the next block.
    const I64 e = I64(U64(0x500000010, 0x9ffffffff), bpflab::dom::SInterval<W64>(),
                      UInterval<Bits<32>>(0, 8), SInterval<Bits<32>>())
                      .reduced();
    CHECK(e.u().lo() == W64(0x600000000));
    CHECK(e.u().hi() == W64(0x900000008));
    // No word left: bottom.
    const I64 f = I64(U64(0xffffffff00000010, kOnes), bpflab::dom::SInterval<W64>(),
                      UInterval<Bits<32>>(0, 8), SInterval<Bits<32>>())
                      .reduced();
    CHECK(f.is_bottom());
}

TEST_CASE("of(unsigned range): the shortcut for small ranges is the reduction's result") {
    const auto same = [](const auto& a, const auto& b) {
        return a.u().lo() == b.u().lo() && a.u().hi() == b.u().hi() && a.s().lo() == b.s().lo() &&
               a.s().hi() == b.s().hi() && a.u32().lo() == b.u32().lo() &&
               a.u32().hi() == b.u32().hi() && a.s32().lo() == b.s32().lo() &&
               a.s32().hi() == b.s32().hi();
    };
    using I8 = bpflab::dom::Interval<bpflab::Bits<8>>;
    using U8 = UInterval<bpflab::Bits<8>>;
    for (unsigned lo = 0; lo < 256; ++lo)
        for (unsigned hi = lo; hi < 256; ++hi) {
            const U8 u{bpflab::Bits<8>(lo), bpflab::Bits<8>(hi)};
            CHECK(same(I8::of(u), I8(u, {}, {}, {}).reduced()));
        }
    std::mt19937_64 rng(0x5a11);
    for (int i = 0; i < 20000; ++i) {
        const int shift = static_cast<int>(rng() % 64);
        std::uint64_t lo = rng() >> shift, hi = rng() >> shift;
        if (lo > hi) std::swap(lo, hi);
        const U64 u{W64(lo), W64(hi)};
        CHECK(same(I64::of(u), I64(u, {}, {}, {}).reduced()));
    }
}

TEST_CASE("Interval<Bits<8>>: random soundness of every ALU op, endian and branch") {
    std::mt19937_64 rng(0x1e7a11);
    const auto specs = all_specs();
    int checked = 0;
    for (int round = 0; round < 120; ++round) {
        const I8 a = random_i8(rng), b = random_i8(rng);
        const auto ma = members(a), mb = members(b);
        for (const AluSpec& spec : specs) {
            const I8 r = I8::alu(spec, a, b);
            for (const auto x : ma)
                for (const auto y : mb) {
                    const W8 z =
                        bpflab::sem::alu_reg_word<W8>(spec.op, spec.is64, x, y, spec.sx_bits);
                    if (!r.contains(z)) {
                        FAIL_CHECK("alu op " << int(spec.op) << " is64 " << spec.is64 << " sx "
                                             << spec.sx_bits << ": " << x << " op " << y << " = "
                                             << z.raw() << " escapes");
                    }
                    ++checked;
                }
        }
        for (const EndianKind k : {EndianKind::ToLe, EndianKind::ToBe, EndianKind::Swap})
            for (const unsigned bits : {16u, 32u, 64u}) {
                const I8 r = I8::endian(k, bits, a);
                for (const auto x : ma) CHECK(r.contains(bpflab::sem::endian_word<W8>(k, bits, x)));
            }
        for (const Cond c : kConds)
            for (const bool is32 : {false, true})
                for (const bool holds : {true, false}) {
                    const auto [ra, rb] = I8::assume({c, is32, holds}, a, b);
                    for (const auto x : ma)
                        for (const auto y : mb) {
                            bool taken = bpflab::sem::jump_word<W8>(c, is32, x, y);
                            if (!holds) taken = !taken;
                            if (!taken) continue;
                            if (!ra.contains(x) || !rb.contains(y))
                                FAIL_CHECK("assume cond " << int(c) << " is32 " << is32 << " holds "
                                                          << holds << " loses " << x << "," << y);
                        }
                }
    }
    MESSAGE("8-bit interval ALU pairs checked: " << checked);
}
