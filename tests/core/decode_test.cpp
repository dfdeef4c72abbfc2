// SPDX-License-Identifier: Apache-2.0
// Tests for core/decode.hpp: exhaustive decode/encode round trip and validation errors.
#include <doctest/doctest.h>

#include "core/decode.hpp"

namespace bpflab {
namespace {

RawInsn raw(std::uint8_t opc, unsigned dst, unsigned src, std::int16_t off, std::int32_t imm) {
    RawInsn r;
    r.opcode = opc;
    r.dst = dst;
    r.src = src;
    r.off = off;
    r.imm = imm;
    return r;
}

bool has_error(const std::vector<Diagnostic>& ds, std::string_view needle, std::int64_t at) {
    for (const auto& d : ds)
        if (d.message.find(needle) != std::string::npos && d.insn && *d.insn == at) return true;
    return false;
}

}  // namespace

TEST_CASE("every decodable single-slot encoding re-encodes to the same bytes") {
    // Enumerate all opcodes with representative register, offset and immediate fields,
    // including the special offsets (sdiv/smod, movsx, addr_space_cast) and atomic immediates.
    const std::int16_t offs[] = {0, 1, 8, 16, 32, -1, 0x7fff};
    const std::int32_t imms[] = {0,    1,    16,   32,    64,   -1,    0x40, 0x41, 0x50,
                                 0x51, 0xa0, 0xa1, 0xe1,  0xf1, 0x100, 0x110, 0x10001};
    int decoded = 0;
    for (int opc = 0; opc < 256; ++opc) {
        for (unsigned dst : {0u, 1u, 10u, 11u}) {
            for (unsigned src : {0u, 1u, 2u, 10u, 15u}) {
                for (auto off : offs) {
                    for (auto imm : imms) {
                        const RawInsn slots[2] = {raw(static_cast<std::uint8_t>(opc), dst, src, off,
                                                      imm),
                                                  raw(0, 0, 0, 0, 7)};
                        auto insn = decode_one(slots, 0);
                        if (!insn) continue;
                        ++decoded;
                        std::vector<RawInsn> out;
                        encode(*insn, out);
                        REQUIRE(out.size() == static_cast<std::size_t>(slot_width(*insn)));
                        for (std::size_t i = 0; i < out.size(); ++i) CHECK(out[i] == slots[i]);
                        CHECK(decode_one(out, 0).value() == *insn);
                    }
                }
            }
        }
    }
    CHECK(decoded > 10000);
}

TEST_CASE("reserved fields, unknown opcodes and bad registers are refused with a reason") {
    auto reason = [](RawInsn r) {
        const RawInsn s[1] = {r};
        auto d = decode_one(s, 0);
        REQUIRE_FALSE(d);
        return d.error().message;
    };
    CHECK(reason(raw(0xff, 0, 0, 0, 0)).find("unknown opcode") != std::string::npos);
    CHECK(reason(raw(0x07, 0, 1, 0, 1)).find("reserved field src") != std::string::npos);
    CHECK(reason(raw(0x0f, 0, 1, 0, 5)).find("reserved field imm") != std::string::npos);
    CHECK(reason(raw(0xbf, 11, 1, 0, 0)).find("invalid register r11") != std::string::npos);
    CHECK(reason(raw(0x95, 0, 0, 0, 1)).find("reserved field imm") != std::string::npos);
    CHECK(reason(raw(0xdc, 1, 0, 0, 8)).find("byte swap width") != std::string::npos);
    CHECK(reason(raw(0x18, 1, 0, 0, 0)).find("truncated") != std::string::npos);
    CHECK(reason(raw(0x3f, 1, 2, 2, 0)).find("division offset") != std::string::npos);
    CHECK(reason(raw(0xc3, 1, 2, 0, 0x02)).find("unknown atomic") != std::string::npos);
    CHECK(reason(raw(0xd3, 1, 2, 0, 0x00)).find("atomic operations need size") !=
          std::string::npos);
}

TEST_CASE("validation finds r10 writes, bad jumps, falling off the end and lddw tails") {
    std::vector<RawInsn> p = {
        raw(0xb7, 10, 0, 0, 1),      // 0: r10 = 1
        raw(0x05, 0, 0, 5, 0),       // 1: goto +5 (out of range)
        raw(0x05, 0, 0, 1, 0),       // 2: goto +1 -> 4, the lddw tail
        raw(0x18, 1, 0, 0, 1),       // 3: lddw
        raw(0x00, 0, 0, 0, 0),       // 4
        raw(0x85, 0, 1, 0, 100),     // 5: call local out of range
        raw(0xb7, 0, 0, 0, 0),       // 6: falls off the end
    };
    auto code = decode(p);
    REQUIRE(code);
    auto errs = validate(*code);
    CHECK(has_error(errs, "frame pointer", 0));
    CHECK(has_error(errs, "out of range", 1));
    CHECK(has_error(errs, "second slot", 2));
    CHECK(has_error(errs, "local call", 5));
    CHECK(has_error(errs, "fall off its end", 6));
}

TEST_CASE("bytes and slots convert both ways; a truncated file is refused") {
    std::vector<std::uint8_t> bytes = {0xb7, 0x01, 0xfe, 0xff, 0x78, 0x56, 0x34, 0x12};
    auto slots = slots_from_bytes(bytes);
    REQUIRE(slots);
    CHECK(unsigned{slots->at(0).dst} == 1u);
    CHECK(slots->at(0).off == -2);
    CHECK(slots->at(0).imm == 0x12345678);
    CHECK(bytes_from_slots(*slots) == bytes);
    bytes.pop_back();
    CHECK_FALSE(slots_from_bytes(bytes));
}

}  // namespace bpflab

namespace bpflab {

TEST_CASE("a program over the 1,000,000-instruction limit is refused; an empty one too") {
    std::vector<Instruction> insns(static_cast<std::size_t>(kMaxInstructions), Exit{});
    auto ok = make_code(insns);
    CHECK(validate(ok).empty());
    insns.push_back(Exit{});
    auto big = make_code(std::move(insns));
    auto errs = validate(big);
    REQUIRE(errs.size() == 1);
    CHECK(errs[0].message.find("over the limit") != std::string::npos);
    CHECK_FALSE(validate(make_code({})).empty());
}

TEST_CASE("jump_target and falls_through follow the ISA") {
    CHECK(jump_target(Jmp{Cond::Eq, false, 1, {}, -3}, 10) == 8);
    CHECK(jump_target(Ja{100000, true}, 0) == 100001);
    CHECK(jump_target(Call{CallKind::Local, 5, 0}, 2) == 8);
    CHECK(jump_target(Call{CallKind::Helper, 5, 0}, 2) == -1);
    CHECK_FALSE(falls_through(Exit{}));
    CHECK_FALSE(falls_through(Ja{}));
    CHECK(falls_through(Jmp{}));
    CHECK(falls_through(MayGoto{}));
}

}  // namespace bpflab
