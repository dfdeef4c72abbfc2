// SPDX-License-Identifier: Apache-2.0
// Tests for core/asm.hpp: print -> assemble round trip over every instruction form, both
// dialects on hand-written snippets with labels, and assembler error messages.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "core/asm.hpp"
#include "core/decode.hpp"
#include "core/load.hpp"

namespace bpflab {
namespace {

RawInsn raw(std::uint8_t opc, unsigned dst, unsigned src, std::int16_t off, std::int32_t imm) {
    RawInsn r;
    r.opcode = opc;
    r.dst = dst & 15;
    r.src = src & 15;
    r.off = off;
    r.imm = imm;
    return r;
}

// Every decodable instruction over all opcodes, with boundary values of each field and the
// special offsets and immediates (sdiv/smod, movsx, addr_space_cast, atomics, endian widths).
std::vector<Instruction> all_forms() {
    const unsigned regs[] = {0, 1, 9, 10};
    const unsigned srcs[] = {0, 1, 2, 9, 10};  // 2: kfunc calls
    const std::int16_t offs[] = {0, 1, 8, 16, 32, -1, 0x7fff, -0x8000};
    const std::int32_t imms[] = {0,         1,    16,    32,    64,      -1,      0x7fffffff,
                                 INT32_MIN, 0x40, 0x41,  0x50,  0x51,    0xa0,    0xa1,
                                 0xe1,      0xf1, 0x100, 0x110, 0x10002, -0x10000};
    std::vector<Instruction> out;
    for (int opc = 0; opc < 256; ++opc) {
        if (opc == 0x18) continue;  // ldimm64: below
        for (unsigned dst : regs)
            for (unsigned src : srcs)
                for (auto off : offs)
                    for (auto imm : imms) {
                        const RawInsn s[1] = {
                            raw(static_cast<std::uint8_t>(opc), dst, src, off, imm)};
                        auto d = decode_one(s, 0);
                        if (d) out.push_back(*d);
                    }
    }
    const std::int32_t words[] = {0, 1, -1, 0x7fffffff, INT32_MIN, 0x55667788};
    for (unsigned kind = 0; kind <= 6; ++kind)
        for (unsigned dst : regs)
            for (auto lo : words)
                for (auto hi : words) {
                    const RawInsn s[2] = {raw(0x18, dst, kind, 0, lo), raw(0, 0, 0, 0, hi)};
                    auto d = decode_one(s, 0);
                    if (d) out.push_back(*d);
                }
    return out;
}

std::vector<RawInsn> bytes_of(const Instruction& i) {
    std::vector<RawInsn> v;
    encode(i, v);
    return v;
}

void check_round_trip(Syntax syn) {
    const auto forms = all_forms();
    REQUIRE(forms.size() > 10000);
    int failures = 0;
    for (const auto& insn : forms) {
        const std::string text = print_instruction(insn, syn);
        auto back = assemble(text, syn, "roundtrip.s");
        const bool ok = back && back->size() == 1 && bytes_of((*back)[0]) == bytes_of(insn);
        if (!ok && ++failures <= 10) {
            const auto enc = bytes_of(insn);
            MESSAGE("round trip failed for '"
                    << text << "' (opcode " << static_cast<int>(enc[0].opcode)
                    << "): " << (back ? "different bytes" : back.error().to_string()));
        }
    }
    CHECK(failures == 0);
}

std::vector<RawInsn> assemble_ok(std::string_view text, std::optional<Syntax> syn) {
    auto r = assemble(text, syn, "t.s");
    if (!r) FAIL(r.error().to_string());
    return encode(*r);
}

std::string assemble_error(std::string_view text, std::optional<Syntax> syn) {
    auto r = assemble(text, syn, "bad.s");
    REQUIRE_FALSE(r.has_value());
    return r.error().to_string();
}

}  // namespace

TEST_CASE("the enumerated forms cover every kind, operation and special encoding") {
    std::set<std::string> seen;
    for (const auto& insn : all_forms()) {
        std::visit(
            Overloaded{
                [&](const Alu& a) {
                    seen.insert("alu" + std::to_string(static_cast<int>(a.op)) +
                                (a.is64 ? "/64" : "/32") + (a.src.is_reg ? "x" : "k") +
                                (a.op == AluOp::MovSx ? std::to_string(a.sx_bits) : ""));
                },
                [&](const Endian& e) {
                    seen.insert("end" + std::to_string(static_cast<int>(e.kind)) + "/" +
                                std::to_string(e.bits));
                },
                [&](const Jmp& j) {
                    seen.insert("jmp" + std::to_string(static_cast<int>(j.cond)) +
                                (j.is32 ? "/32" : "/64") + (j.src.is_reg ? "x" : "k"));
                },
                [&](const Ja& j) { seen.insert(j.is32 ? "gotol" : "goto"); },
                [&](const Load& l) {
                    seen.insert("ldx" + std::to_string(bytes(l.size)) + (l.sign_ext ? "s" : ""));
                },
                [&](const Store& st) {
                    seen.insert("st" + std::to_string(bytes(st.size)) +
                                (st.src.is_reg ? "x" : "k"));
                },
                [&](const Atomic& a) {
                    seen.insert("atomic" + std::to_string(static_cast<int>(a.op)) +
                                (a.fetch ? "f" : "") + "/" + std::to_string(bytes(a.size)));
                },
                [&](const LdImm64& l) {
                    seen.insert("lddw" + std::to_string(static_cast<int>(l.kind)));
                },
                [&](const LdPacket& pk) {
                    seen.insert(std::string(pk.indirect ? "ind" : "abs") +
                                std::to_string(bytes(pk.size)));
                },
                [&](const Call& c) {
                    seen.insert("call" + std::to_string(static_cast<int>(c.kind)));
                },
                [&](const Exit&) { seen.insert("exit"); },
                [&](const MayGoto&) { seen.insert("may_goto"); },
                [&](const Gotox&) { seen.insert("gotox"); },
                [&](const AddrSpaceCast&) { seen.insert("addr_space_cast"); },
            },
            insn);
    }
    // 14 binary ALU ops (mov included) x 2 widths x 2 sources + neg x 2 + movsx (8, 16 at both
    // widths, 32 at 64).
    int alu = 0;
    for (const auto& s : seen) alu += s.rfind("alu", 0) == 0;
    CHECK(alu == 14 * 4 + 2 + 5);
    for (const char* k : {"end0/16",    "end0/32",    "end0/64",   "end1/16",    "end1/64",
                          "end2/32",    "goto",       "gotol",     "ldx1s",      "ldx4s",
                          "ldx8",       "st8k",       "st1x",      "atomic0f/4", "atomic3/8",
                          "atomic4f/4", "atomic5f/8", "atomic6/1", "atomic7/8",  "lddw0",
                          "lddw1",      "lddw2",      "lddw3",     "lddw4",      "lddw5",
                          "lddw6",      "abs1",       "ind4",      "call0",      "call1",
                          "call2",      "exit",       "may_goto",  "gotox",      "addr_space_cast",
                          "jmp2/32k",   "jmp10/64x"})
        CHECK_MESSAGE(seen.count(k) == 1, "missing form " << std::string(k));
    int jumps = 0;
    for (const auto& s : seen) jumps += s.rfind("jmp", 0) == 0;
    CHECK(jumps == 11 * 4);
}

TEST_CASE("print then assemble gives identical bytes for every instruction: linux syntax") {
    check_round_trip(Syntax::Linux);
}

TEST_CASE("print then assemble gives identical bytes for every instruction: ubpf syntax") {
    check_round_trip(Syntax::Ubpf);
}

TEST_CASE("linux printer spells instructions like llvm-objdump") {
    auto p = [](const Instruction& i) { return print_instruction(i, Syntax::Linux); };
    CHECK(p(Alu{AluOp::Mov, true, 0, Operand{false, 0, 1}, 0}) == "r0 = 0x1");
    CHECK(p(Alu{AluOp::Add, true, 2, Operand{false, 0, -4}, 0}) == "r2 += -0x4");
    CHECK(p(Alu{AluOp::Mov, false, 0, Operand{false, 0, 1}, 0}) == "w0 = 0x1");
    CHECK(p(Alu{AluOp::MovSx, true, 1, Operand{true, 2, 0}, 8}) == "r1 = (s8)r2");
    CHECK(p(Store{Size::W, 10, -4, Operand{true, 1, 0}}) == "*(u32 *)(r10 - 0x4) = r1");
    CHECK(p(Jmp{Cond::Gt, false, 3, Operand{true, 2, 0}, 15}) == "if r3 > r2 goto +0xf");
    CHECK(p(LdImm64{LdImmKind::Imm64, 1, 0, 0}) == "r1 = 0x0 ll");
    CHECK(p(Atomic{AtomicOp::Add, false, Size::DW, 1, 2, 0}) == "lock *(u64 *)(r1 + 0x0) += r2");
    CHECK(p(Call{CallKind::Helper, 1, 0}) == "call 0x1");
    CHECK(p(Endian{EndianKind::ToLe, 16, 1}) == "r1 = le16 r1");
    CHECK(p(LdPacket{false, Size::W, 0, 0x100}) == "r0 = *(u32 *)skb[0x100]");
    CHECK(p(Ja{0, true}) == "gotol +0x0");
    CHECK(p(MayGoto{0}) == "may_goto +0x0");
    CHECK(p(Load{Size::B, true, 1, 2, 0}) == "r1 = *(s8 *)(r2 + 0x0)");
    CHECK(p(Exit{}) == "exit");
}

TEST_CASE("linux syntax: hand-written program with labels and decimal numbers") {
    const char* text = R"(
        ; count to ten
        r0 = 0
        r1 = 10            // loop bound
    loop:
        if r0 >= r1 goto done
        w0 += 1
        *(u32 *)(r10 - 4) = r1
        r2 = *(u32 *)(r10 - 4)
        goto loop
    done: r3 = 0x1122334455667788 ll
        call 1
        call sub
        exit
    sub:
        r0 = 0
        exit
    )";
    const auto slots = assemble_ok(text, std::nullopt);
    REQUIRE(slots.size() == 14);
    CHECK(slots[2].opcode == 0x3d);
    CHECK(slots[2].off == 4);  // to `done` at slot 7
    CHECK(slots[6].opcode == 0x05);
    CHECK(slots[6].off == -5);  // back to `loop` at slot 2
    CHECK(slots[7].imm == 0x55667788);
    CHECK(slots[8].imm == 0x11223344);
    CHECK(slots[10].src == 1);  // local call
    CHECK(slots[10].imm == 1);  // to `sub` at slot 12
    CHECK(detect_syntax(text) == Syntax::Linux);
}

TEST_CASE("ubpf syntax: bpf_conformance style program with labels") {
    const char* text = R"(
    # bpf_conformance style
    mov %r0, 0
    mov32 r1, 1
    stxdw [r10-8], r1
    ldxw r2, [r10-8]
    lock fetch add [r10-8], r1
    lock xchg32 [r10-4], r2
    jgt r1, r2, +1
    jsgt32 r1, 3, out
    lddw r0, 0x1122334455667788
    call local fn
    ja exit
    out:
    neg r0
    be16 r0
    exit
    fn:
    movsx1664 r0, r1
    ldxsb r3, [r1+2]
    exit
    )";
    const auto slots = assemble_ok(text, std::nullopt);
    REQUIRE(slots.size() == 18);
    CHECK(detect_syntax(text) == Syntax::Ubpf);
    CHECK(slots[1].opcode == 0xb4);
    CHECK(slots[4].opcode == 0xdb);
    CHECK(slots[4].imm == 0x01);
    CHECK(slots[5].opcode == 0xc3);
    CHECK(slots[5].imm == 0xe1);
    CHECK(slots[7].opcode == 0x66);
    CHECK(slots[7].off == 4);   // to `out` at slot 12
    CHECK(slots[10].imm == 4);  // call local fn at slot 15
    CHECK(slots[11].off == 2);  // implicit `exit` label: the first exit, at slot 14
    CHECK(slots[15].off == 16);
    CHECK(slots[16].opcode == 0x91);
}

TEST_CASE("assembler errors name the file, the line and the reason") {
    CHECK(assemble_error("r0 = 1\nfrob r1, r2\n", Syntax::Linux)
              .find("bad.s: line 2: unknown mnemonic 'frob'") == 0);
    CHECK(assemble_error("mov r11, 1\n", Syntax::Ubpf).find("line 1: bad register") !=
          std::string::npos);
    CHECK(assemble_error("r12 = 1\n", Syntax::Linux).find("line 1:") != std::string::npos);
    CHECK(assemble_error("goto nowhere\nexit\n", Syntax::Linux)
              .find("line 1: undefined label 'nowhere'") != std::string::npos);
    CHECK(assemble_error("ja +40000\n", Syntax::Ubpf).find("out of range") != std::string::npos);
    CHECK(assemble_error("r1 = *(u32 *)(r2 + 70000)\n", Syntax::Linux).find("out of range") !=
          std::string::npos);
    CHECK(assemble_error("x:\nx:\nexit\n", Syntax::Linux)
              .find("line 2: label 'x' is defined twice") != std::string::npos);
    CHECK(assemble_error("mov r0, 0x100000000\n", Syntax::Ubpf).find("does not fit in 32 bits") !=
          std::string::npos);
    CHECK(assemble_error("call %r2\n", Syntax::Ubpf).find("callx") != std::string::npos);
    CHECK(assemble_error("r0 = 1 extra\n", Syntax::Linux).find("unexpected text") !=
          std::string::npos);
}

TEST_CASE("directives: .type and .map, map references by name in both dialects") {
    const char* linux_text =
        ".type xdp\n"
        ".map counts hash key=4 value=16 entries=8\n"
        ".map ring ringbuf entries=4096 flags=0\n"
        "r1 = map[ring] ll\n"
        "r2 = map_value[counts] + 8 ll  ; second map reference\n"
        "r3 = map[counts] ll\n"
        "r0 = 0\n"
        "exit\n";
    auto unit = assemble_unit(linux_text, std::nullopt, "maps.s");
    REQUIRE_MESSAGE(unit.has_value(), unit.error().message);
    CHECK(unit->type == "xdp");
    REQUIRE(unit->maps.size() == 2);
    CHECK(unit->maps[0].name == "counts");
    CHECK(map_type_name(unit->maps[0].type) == "hash");
    CHECK(unit->maps[0].key_size == 4);
    CHECK(unit->maps[0].value_size == 16);
    CHECK(unit->maps[0].max_entries == 8);
    CHECK(map_type_name(unit->maps[1].type) == "ringbuf");
    CHECK(unit->maps[1].key_size == 0);
    CHECK(unit->maps[1].max_entries == 4096);
    REQUIRE(unit->insns.size() == 5);
    const auto& a = std::get<LdImm64>(unit->insns[0]);
    CHECK(a.kind == LdImmKind::MapFd);
    CHECK(a.imm == 1);
    const auto& b = std::get<LdImm64>(unit->insns[1]);
    CHECK(b.kind == LdImmKind::MapValue);
    CHECK(b.imm == 0);
    CHECK(b.next_imm == 8);
    REQUIRE(unit->map_refs.size() == 3);
    CHECK(unit->map_refs[1].pc == 2);
    CHECK(unit->map_refs[1].value);
    CHECK(unit->map_refs[2].pc == 4);
    CHECK(unit->map_refs[2].map == 0);

    // The uBPF spelling gives the same code; printing then assembling keeps the bytes.
    const char* ubpf_text =
        ".map counts hash key=4 value=16 entries=8\n.map ring ringbuf entries=4096\n"
        "lddw r1, map[ring]\nlddw r2, map_value[counts] + 8\nlddw r3, map[counts]\n"
        "mov r0, 0\nexit\n";
    auto u = assemble_unit(ubpf_text, std::nullopt);
    REQUIRE_MESSAGE(u.has_value(), u.error().message);
    CHECK(encode(u->insns) == encode(unit->insns));
    for (Syntax syn : {Syntax::Linux, Syntax::Ubpf})
        for (const Instruction& i : unit->insns) {
            auto back = assemble(print_instruction(i, syn), syn);
            REQUIRE(back.has_value());
            CHECK(encode(*back) == encode(std::vector<Instruction>{i}));
        }
    // assemble() accepts directives and returns the code alone.
    auto code = assemble(linux_text, std::nullopt);
    REQUIRE(code.has_value());
    CHECK(encode(*code) == encode(unit->insns));
}

TEST_CASE("directives: errors") {
    auto err = [](const char* text) {
        auto r = assemble_unit(text, Syntax::Linux, "d.s");
        return r ? std::string{} : r.error().message;
    };
    CHECK(err(".type nosuchtype\nexit\n").find("line 1: unknown program type") == 0);
    CHECK(err(".type xdp\n.type xdp\nexit\n").find("line 2: '.type' is given twice") == 0);
    CHECK(err(".map m nosuch key=4\nexit\n").find("unknown map type 'nosuch'") !=
          std::string::npos);
    CHECK(err(".map m array size=4\nexit\n").find("expected key=") != std::string::npos);
    CHECK(err(".map m array key=-1\nexit\n").find("32-bit unsigned") != std::string::npos);
    CHECK(err(".map m array\n.map m hash\nexit\n").find("defined twice") != std::string::npos);
    CHECK(err(".map m array\nr1 = map[n] ll\nexit\n").find("line 2: no '.map' named 'n'") == 0);
    CHECK(err(".map m array\nr1 = map[m]\nexit\n").find("expected 'll'") != std::string::npos);
    CHECK(err(".section x\nexit\n").find("unknown directive") != std::string::npos);
}

TEST_CASE("load_file: an assembly file carries its program type and maps") {
    const auto path = std::filesystem::temp_directory_path() / "bpflab_asm_directives.s";
    {
        std::ofstream out(path);
        out << ".type sched_cls\n.map vals array key=4 value=8 entries=2\n"
               "r1 = map[vals] ll\nr0 = 0\nexit\n";
    }
    auto obj = load_file(path.string());
    REQUIRE_MESSAGE(obj.has_value(), obj.error().message);
    REQUIRE(obj->programs.size() == 1);
    CHECK(obj->programs[0].type == "sched_cls");
    CHECK(obj->programs[0].prog_type != 0);
    REQUIRE(obj->maps.size() == 1);
    CHECK(obj->maps[0].name == "vals");
    REQUIRE(obj->programs[0].relocations.size() == 1);
    CHECK(obj->programs[0].relocations[0].kind == RelocNote::Kind::Map);
    CHECK(obj->programs[0].relocations[0].symbol == "vals");
    // An explicit type overrides the directive.
    auto xdp = load_file(path.string(), LoadOptions{std::nullopt, "xdp", true});
    REQUIRE(xdp.has_value());
    CHECK(xdp->programs[0].type == "xdp");
    std::filesystem::remove(path);
}

TEST_CASE("syntax names and detection") {
    CHECK(syntax_from_name("linux") == Syntax::Linux);
    CHECK(syntax_from_name("ubpf") == Syntax::Ubpf);
    CHECK_FALSE(syntax_from_name("att").has_value());
    CHECK(syntax_name(Syntax::Ubpf) == "ubpf");
    CHECK_FALSE(detect_syntax("exit\n").has_value());
    CHECK(detect_syntax("exit\nr0 = 1\n") == Syntax::Linux);
    CHECK(detect_syntax("; c\nadd r0, 1\n") == Syntax::Ubpf);
}

}  // namespace bpflab
