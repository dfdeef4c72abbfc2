// SPDX-License-Identifier: Apache-2.0
// Tests for core/semantics.hpp: the defined corner cases of the ISA, at every width.
#include <doctest/doctest.h>

#include "core/semantics.hpp"

namespace bpflab::sem {

TEST_CASE_TEMPLATE("division, modulo and shifts follow RFC 9669 at every width", U, std::uint8_t,
                   std::uint16_t, std::uint32_t, std::uint64_t) {
    constexpr U kMin = U{1} << (kBits<U> - 1);  // INT_MIN's bit pattern
    constexpr U kMinus1 = static_cast<U>(~U{0});
    CHECK(alu<U>(AluOp::Div, 7, 0) == 0);
    CHECK(alu<U>(AluOp::Mod, 7, 0) == 7);
    CHECK(alu<U>(AluOp::SDiv, 7, 0) == 0);
    CHECK(alu<U>(AluOp::SMod, 7, 0) == 7);
    CHECK(alu<U>(AluOp::SDiv, kMin, kMinus1) == kMin);
    CHECK(alu<U>(AluOp::SMod, kMin, kMinus1) == 0);
    CHECK(alu<U>(AluOp::SDiv, static_cast<U>(-7), 2) == static_cast<U>(-3));
    CHECK(alu<U>(AluOp::SMod, static_cast<U>(-7), 2) == static_cast<U>(-1));
    CHECK(alu<U>(AluOp::SMod, 7, static_cast<U>(-2)) == 1);
    CHECK(alu<U>(AluOp::Lsh, 1, kBits<U>) == 1);  // masked to 0
    CHECK(alu<U>(AluOp::Lsh, 1, kBits<U> + 1) == 2);
    CHECK(alu<U>(AluOp::Rsh, kMin, kBits<U> - 1) == 1);
    CHECK(alu<U>(AluOp::Arsh, kMin, kBits<U> - 1) == kMinus1);
    CHECK(alu<U>(AluOp::Arsh, kMin, kBits<U>) == kMin);
    CHECK(alu<U>(AluOp::Arsh, 0x40, 2) == 0x10);
    CHECK(alu<U>(AluOp::Neg, 1, 0) == kMinus1);
    CHECK(alu<U>(AluOp::Neg, kMin, 0) == kMin);
    CHECK(alu<U>(AluOp::MovSx, 0, 0x80, 8) == static_cast<U>(sign_extend<U>(0x80, 8)));
}

TEST_CASE("register-level ALU: 32-bit results are zero-extended, immediates sign-extended") {
    const Alu add32{AluOp::Add, false, 0, {}, 0};
    CHECK(alu_reg(add32, 0xffffffffffffffffULL, 1) == 0);
    CHECK(alu_reg(Alu{AluOp::Mov, false, 0, {}, 0}, 0, 0xffffffff12345678ULL) == 0x12345678);
    CHECK(alu_reg(Alu{AluOp::Mod, false, 0, {}, 0}, 0xaaaaaaaa00000005ULL, 0) == 5);
    CHECK(alu_reg(Alu{AluOp::Mod, true, 0, {}, 0}, 0xaaaaaaaa00000005ULL, 0) ==
          0xaaaaaaaa00000005ULL);
    CHECK(alu_reg(Alu{AluOp::MovSx, true, 0, {}, 32}, 0, 0x80000000ULL) == 0xffffffff80000000ULL);
    CHECK(alu_reg(Alu{AluOp::MovSx, false, 0, {}, 8}, 0, 0xff) == 0xffffffffULL);
    CHECK(alu_reg(Alu{AluOp::Lsh, false, 0, {}, 0}, 1, 33) == 2);
    CHECK(alu_reg(Alu{AluOp::Arsh, false, 0, {}, 0}, 0x80000000ULL, 31) == 0xffffffffULL);
    CHECK(imm64(-1) == ~0ULL);
    CHECK(imm64(0x7fffffff) == 0x7fffffffULL);
}

TEST_CASE("comparisons, negation and byte order") {
    const Cond all[] = {Cond::Eq, Cond::Ne, Cond::Gt,  Cond::Ge,  Cond::Lt,
                        Cond::Le, Cond::Sgt, Cond::Sge, Cond::Slt, Cond::Sle};
    for (Cond c : all)
        for (unsigned a = 0; a < 256; a += 7)
            for (unsigned b = 0; b < 256; b += 5)
                CHECK(compare<std::uint8_t>(negate(c), static_cast<std::uint8_t>(a),
                                            static_cast<std::uint8_t>(b)) !=
                      compare<std::uint8_t>(c, static_cast<std::uint8_t>(a),
                                            static_cast<std::uint8_t>(b)));
    CHECK(compare<std::uint64_t>(Cond::Slt, ~0ULL, 0));
    CHECK_FALSE(compare<std::uint64_t>(Cond::Lt, ~0ULL, 0));
    CHECK(jump_taken(Jmp{Cond::Eq, true, 0, {}, 0}, 0x100000001ULL, 1));
    CHECK_FALSE(jump_taken(Jmp{Cond::Eq, false, 0, {}, 0}, 0x100000001ULL, 1));
    CHECK(endian(EndianKind::ToBe, 16, 0x12345678) == 0x7856);
    CHECK(endian(EndianKind::ToLe, 16, 0x12345678) == 0x5678);
    CHECK(endian(EndianKind::Swap, 32, 0xaabbccdd11223344ULL) == 0x44332211);
    CHECK(endian(EndianKind::Swap, 64, 0x0102030405060708ULL) == 0x0807060504030201ULL);
    CHECK(extend_load(0x80, Size::B, true) == 0xffffffffffffff80ULL);
    CHECK(extend_load(0x1234ff80, Size::B, false) == 0x80);
    CHECK(extend_load(0x8000, Size::H, true) == 0xffffffffffff8000ULL);
}

}  // namespace bpflab::sem
