// SPDX-License-Identifier: Apache-2.0
// Tests for core/jit: the JIT against the interpreter (every ALU op, jump, access, atomic),
// random programs, corpus objects, W^X, and checked mode's structured faults.
#include <doctest/doctest.h>

#include <linux/bpf.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/asm.hpp"
#include "core/jit/jit.hpp"
#include "core/load.hpp"
#include "core/vm/interp.hpp"

namespace bpflab::jit {
namespace {

using Insns = std::vector<Instruction>;

Object object_of(const Insns& insns, const std::string& type = {}) {
    LoadOptions opts;
    opts.type = type;
    auto obj = object_from_slots(encode(insns), "test", opts);
    REQUIRE_MESSAGE(obj.has_value(), (obj ? "" : obj.error().to_string()));
    return std::move(*obj);
}

Object object_of(const std::string& text, const std::string& type = {}) {
    auto insns = assemble(text, Syntax::Linux, "test.s");
    REQUIRE_MESSAGE(insns.has_value(), (insns ? "" : insns.error().to_string()));
    return object_of(*insns, type);
}

std::string listing(const Object& obj) {
    std::string s;
    for (const auto& i : obj.programs[0].code.insns) s += print_instruction(i, Syntax::Linux) + "\n";
    return s;
}

struct Both {
    vm::RunResult interp, jit, checked;
};

/// Runs program 0 of `obj` on the interpreter, the JIT and the checked JIT (memory in r1).
Both run_all(const Object& obj, const std::vector<std::uint8_t>& memory = {}) {
    vm::RunInput in;
    in.memory_in_r1 = true;
    in.memory = memory;
    Both out;
    {
        vm::MapSet maps(obj.maps);
        vm::Interpreter vm(obj, maps);
        out.interp = vm.run(0, in);
    }
    for (bool checked : {false, true}) {
        vm::MapSet maps(obj.maps);
        auto jit = JitProgram::compile(obj, 0, maps, JitOptions{checked});
        REQUIRE_MESSAGE(jit.has_value(), (jit ? "" : jit.error().to_string()));
        (checked ? out.checked : out.jit) = jit->run(in);
    }
    return out;
}

/// Runs program 0 on the interpreter and on the checked JIT only (the program faults).
Both run_checked(const Object& obj, const std::vector<std::uint8_t>& memory = {}) {
    vm::RunInput in;
    in.memory_in_r1 = true;
    in.memory = memory;
    Both out;
    vm::MapSet maps(obj.maps);
    vm::Interpreter vm(obj, maps);
    out.interp = vm.run(0, in);
    auto jit = JitProgram::compile(obj, 0, maps, JitOptions{true});
    REQUIRE(jit.has_value());
    out.checked = jit->run(in);
    return out;
}

/// The JIT (both modes) gives the interpreter's r0 and no fault.
void same(const Object& obj, const std::vector<std::uint8_t>& memory = {}) {
    const Both r = run_all(obj, memory);
    INFO(listing(obj));
    REQUIRE_FALSE(r.interp.fault);
    CHECK_FALSE(r.jit.fault);
    CHECK_FALSE(r.checked.fault);
    CHECK(r.jit.r0 == r.interp.r0);
    CHECK(r.checked.r0 == r.interp.r0);
}

Instruction ld64(Reg r, std::uint64_t v) {
    return LdImm64{LdImmKind::Imm64, r, static_cast<std::int32_t>(v), static_cast<std::int32_t>(v >> 32)};
}
Instruction mov_reg(Reg d, Reg s) { return Alu{AluOp::Mov, true, d, Operand{true, s, 0}}; }

const std::uint64_t kValues[] = {0, 1, 2, 7, 31, 32, 63, 64, ~0ull, ~0ull - 1, 0x7fffffff, 0x80000000,
                                 0xffffffff, 0x8000000000000000ull, 0x7fffffffffffffffull,
                                 0x123456789abcdef0ull, 0xfffffffffffffff9ull, 0x100000001ull};
const std::pair<Reg, Reg> kRegPairs[] = {{0, 1}, {3, 4}, {4, 0}, {1, 3}, {6, 9}, {0, 3}, {3, 0}, {4, 4}};

}  // namespace

TEST_CASE("jit: every ALU operation x width x source on boundary values equals the interpreter") {
    const AluOp ops[] = {AluOp::Add, AluOp::Sub, AluOp::Mul, AluOp::Div, AluOp::SDiv, AluOp::Mod,
                         AluOp::SMod, AluOp::Or, AluOp::And, AluOp::Xor, AluOp::Lsh, AluOp::Rsh,
                         AluOp::Arsh, AluOp::Neg, AluOp::Mov, AluOp::MovSx};
    std::size_t pair = 0, programs = 0;
    for (AluOp op : ops)
        for (bool is64 : {true, false})
            for (bool is_reg : {true, false})
                for (std::uint64_t a : kValues)
                    for (std::uint64_t b : kValues) {
                        const auto [d, s] = kRegPairs[pair++ % std::size(kRegPairs)];
                        if (!is_reg && (op == AluOp::MovSx)) continue;
                        for (std::uint8_t sx : {8, 16, 32}) {
                            if (op != AluOp::MovSx && sx != 8) continue;
                            if (op == AluOp::MovSx && !is64 && sx == 32) continue;
                            Alu alu{op, is64, d, Operand{is_reg, is_reg ? s : Reg{0}, is_reg ? 0 : static_cast<std::int32_t>(b)},
                                    static_cast<std::uint8_t>(op == AluOp::MovSx ? sx : 0)};
                            if (op == AluOp::Neg) alu.src = Operand{};
                            Insns p = {ld64(s, b), ld64(d, a), alu, mov_reg(0, d), Exit{}};
                            if (d == s) p.erase(p.begin());
                            same(object_of(p));
                            ++programs;
                        }
                    }
    MESSAGE(programs << " ALU programs");
}

TEST_CASE("jit: every jump condition x width x source equals the interpreter") {
    const Cond conds[] = {Cond::Eq, Cond::Ne, Cond::Set, Cond::Gt, Cond::Ge, Cond::Lt,
                          Cond::Le, Cond::Sgt, Cond::Sge, Cond::Slt, Cond::Sle};
    std::size_t pair = 0;
    for (Cond c : conds)
        for (bool is32 : {false, true})
            for (bool is_reg : {true, false})
                for (std::uint64_t a : kValues)
                    for (std::uint64_t b : kValues) {
                        auto [d, s] = kRegPairs[pair++ % std::size(kRegPairs)];
                        if (d == 0 || s == 0 || d == s) d = 3, s = 4;
                        Insns p = {ld64(d, a), ld64(s, b),
                                   Alu{AluOp::Mov, true, 0, Operand{false, 0, 1}},
                                   Jmp{c, is32, d, Operand{is_reg, is_reg ? s : Reg{0}, is_reg ? 0 : static_cast<std::int32_t>(b)}, 1},
                                   Exit{},
                                   Alu{AluOp::Mov, true, 0, Operand{false, 0, 2}},
                                   Exit{}};
                        same(object_of(p));
                    }
}

TEST_CASE("jit: byte swaps, ldimm64, ja and gotol") {
    for (EndianKind k : {EndianKind::ToLe, EndianKind::ToBe, EndianKind::Swap})
        for (std::uint8_t bits : {16, 32, 64})
            for (Reg r : {0, 4, 6}) same(object_of(Insns{ld64(r, 0x1122334455667788ull), Endian{k, bits, r}, mov_reg(0, r), Exit{}}));
    same(object_of("r0 = 0x1122334455667788 ll\ngoto l\nr0 = 1\nl:\nexit\n"));
    same(object_of(Insns{Alu{AluOp::Mov, true, 0, Operand{false, 0, 3}}, Ja{1, true},
                         Alu{AluOp::Mov, true, 0, Operand{false, 0, 4}}, Exit{}}));
}

TEST_CASE("jit: loads and stores of every size, sign-extending loads, stack and memory") {
    std::vector<std::uint8_t> mem(32);
    for (std::size_t i = 0; i < mem.size(); ++i) mem[i] = static_cast<std::uint8_t>(0x81 + 7 * i);
    for (const char* sz : {"u8", "u16", "u32", "u64"}) {
        std::ostringstream t;
        t << "r0 = *(" << sz << " *)(r1 + 3)\n*(" << sz << " *)(r10 - 16) = r0\n"
          << "r2 = *(" << sz << " *)(r10 - 16)\n*(" << sz << " *)(r1 + 8) = r2\n"
          << "*(" << sz << " *)(r1 + 16) = -3\nr3 = *(u64 *)(r1 + 16)\nr0 = *(u64 *)(r1 + 8)\n"
          << "r0 ^= r3\nexit\n";
        same(object_of(t.str()), mem);
    }
    for (const char* sz : {"s8", "s16", "s32"}) {
        std::ostringstream t;
        t << "r0 = *(" << sz << " *)(r1 + 1)\nexit\n";
        same(object_of(t.str()), mem);
    }
}

TEST_CASE("jit: atomics of both widths, with and without fetch, xchg and cmpxchg") {
    std::vector<std::uint8_t> mem(16, 0);
    mem[0] = 0xf0;
    mem[3] = 0x80;
    const char* ops[] = {"add", "or", "and", "xor"};
    for (const char* o : ops)
        for (bool fetch : {false, true})
            for (int width : {32, 64}) {
                const char* ty = width == 64 ? "u64" : "u32";
                std::ostringstream t;
                t << "r2 = 0x0f0f0f0f3c ll\nr0 = 0x77 ll\n";
                if (fetch) {
                    t << (width == 64 ? "r2" : "w2") << " = atomic_fetch_" << o << "((" << ty
                      << " *)(r1 + 0), " << (width == 64 ? "r2" : "w2") << ")\n";
                } else {
                    const char* sym = std::string(o) == "add" ? "+=" : std::string(o) == "or" ? "|=" : std::string(o) == "and" ? "&=" : "^=";
                    t << "lock *(" << ty << " *)(r1 + 0) " << sym << " " << (width == 64 ? "r2" : "w2") << "\n";
                }
                t << "r3 = *(u64 *)(r1 + 0)\nr0 += r3\nr2 <<= 7\nr0 += r2\nexit\n";
                same(object_of(t.str()), mem);
            }
    // fetch with r0 as the source exercises the cmpxchg loop's save of rax.
    same(object_of("r0 = 0x55 ll\nr0 = atomic_fetch_or((u64 *)(r1 + 0), r0)\nr3 = *(u64 *)(r1 + 0)\nr0 += r3\nexit\n"), mem);
    same(object_of("r2 = 9\nr2 = xchg_64(r1 + 0, r2)\nr0 = *(u64 *)(r1 + 0)\nr0 += r2\nexit\n"), mem);
    same(object_of("r2 = 9\nw2 = xchg32_32(r1 + 0, w2)\nr0 = *(u64 *)(r1 + 0)\nr0 += r2\nexit\n"), mem);
    for (const char* start : {"r0 = 0xf0 ll", "r0 = 0x12345678800000f0 ll", "r0 = 5"}) {
        same(object_of(std::string(start) + "\nr2 = 9\nr0 = cmpxchg_64(r1 + 0, r0, r2)\nr3 = *(u64 *)(r1 + 0)\nr0 <<= 8\nr0 += r3\nexit\n"), mem);
        same(object_of(std::string(start) + "\nr2 = 9\nw0 = cmpxchg32_32(r1 + 0, w0, w2)\nr3 = *(u64 *)(r1 + 0)\nr0 <<= 8\nr0 += r3\nexit\n"), mem);
    }
}

TEST_CASE("jit: local calls keep r6-r9, get their own frame, and stop at eight frames") {
    same(object_of("r6 = 5\nr1 = 10\n*(u64 *)(r10 - 8) = r6\ncall f\nr0 += r6\nr1 = *(u64 *)(r10 - 8)\n"
                   "r0 += r1\nexit\nf:\nr0 = r1\nr0 += 1\nr6 = 100\n*(u64 *)(r10 - 8) = r0\nexit\n"));
    same(object_of("r1 = 3\ncall f\nexit\nf:\nr0 = r1\nif r1 == 0 goto out\nr6 = r1\nr1 -= 1\ncall f\n"
                   "r0 += r6\nout:\nexit\n"));
    const Object deep = object_of("call h\nexit\nh:\ncall h\nr0 = 0\nexit\n");
    const Both r = run_all(deep);
    REQUIRE(r.jit.fault);
    CHECK(r.jit.fault->kind == vm::FaultKind::CallDepth);
    CHECK(r.jit.fault->pc == r.interp.fault->pc);
}

TEST_CASE("jit: randomized differential, straight-line and branching ALU programs") {
    std::mt19937_64 rng(20240611);
    const AluOp ops[] = {AluOp::Add, AluOp::Sub, AluOp::Mul, AluOp::Div, AluOp::SDiv, AluOp::Mod,
                         AluOp::SMod, AluOp::Or, AluOp::And, AluOp::Xor, AluOp::Lsh, AluOp::Rsh,
                         AluOp::Arsh, AluOp::Neg, AluOp::Mov, AluOp::MovSx};
    const Cond conds[] = {Cond::Eq, Cond::Ne, Cond::Set, Cond::Gt, Cond::Ge, Cond::Lt,
                          Cond::Le, Cond::Sgt, Cond::Sge, Cond::Slt, Cond::Sle};
    auto value = [&] {
        switch (rng() % 4) {
            case 0: return kValues[rng() % std::size(kValues)];
            case 1: return rng() % 64;
            default: return static_cast<std::uint64_t>(rng());
        }
    };
    for (int n = 0; n < 3000; ++n) {
        Insns p;
        for (Reg r = 0; r <= 9; ++r) p.push_back(ld64(r, value()));
        const int len = 8 + static_cast<int>(rng() % 24);
        for (int i = 0; i < len; ++i) {
            const auto d = static_cast<Reg>(rng() % 10), s = static_cast<Reg>(rng() % 10);
            const auto imm = static_cast<std::int32_t>(value());
            const bool x = rng() % 2 == 0;
            const Operand src{x, x ? s : Reg{0}, x ? 0 : imm};
            if (n % 2 == 1 && rng() % 4 == 0) {  // a forward branch over 1..3 instructions
                const int remaining = len - i - 1;
                const auto off = static_cast<std::int16_t>(remaining > 0 ? 1 + rng() % std::min(3, remaining) : 0);
                p.push_back(Jmp{conds[rng() % std::size(conds)], rng() % 2 == 0, d, src, off});
                continue;
            }
            Alu a{ops[rng() % std::size(ops)], rng() % 2 == 0, d, src};
            if (a.op == AluOp::MovSx) {
                a.src = Operand{true, s, 0};
                a.sx_bits = static_cast<std::uint8_t>(8 << (rng() % (a.is64 ? 3 : 2)));
            }
            if (a.op == AluOp::Neg) a.src = Operand{};
            p.push_back(a);
        }
        // r0 = a mix of every register, so any difference shows.
        for (Reg r = 1; r <= 9; ++r) {
            p.push_back(Alu{AluOp::Mul, true, 0, Operand{false, 0, 31}});
            p.push_back(Alu{AluOp::Xor, true, 0, Operand{true, r, 0}});
        }
        p.push_back(Exit{});
        same(object_of(p));
    }
}

TEST_CASE("jit: code memory is never writable and executable at once") {
    const Object obj = object_of("r0 = 1\nexit\n");
    vm::MapSet maps(obj.maps);
    auto jit = JitProgram::compile(obj, 0, maps);
    REQUIRE(jit.has_value());
    CHECK(jit->code_size() > 0);
    CHECK(jit->compile_seconds() >= 0);
    const auto addr = reinterpret_cast<std::uintptr_t>(jit->code().data());
    std::ifstream in("/proc/self/maps");
    std::string line;
    bool found = false;
    while (std::getline(in, line)) {
        std::uintptr_t lo = 0, hi = 0;
        char perms[5] = {};
        if (std::sscanf(line.c_str(), "%lx-%lx %4s", &lo, &hi, perms) != 3) continue;
        if (addr < lo || addr >= hi) continue;
        found = true;
        CHECK(std::string(perms).substr(0, 3) == "r-x");
    }
    CHECK(found);
    vm::RunInput input;
    input.memory_in_r1 = true;
    CHECK(jit->run(input).r0 == 1);
}

TEST_CASE("jit: checked mode traps out-of-region accesses with the instruction's pc") {
    std::vector<std::uint8_t> mem(16, 1);
    const Object oob = object_of("r0 = 0\nr2 = 1\nr0 = *(u64 *)(r1 + 12)\nexit\n");
    Both r = run_checked(oob, mem);
    REQUIRE(r.checked.fault);
    CHECK(r.checked.fault->kind == vm::FaultKind::OutOfBounds);
    CHECK(r.checked.fault->pc == 2);
    CHECK(r.checked.fault->region == vm::RegionKind::Memory);
    CHECK(r.checked.fault->size == 8);
    CHECK(r.checked.fault->pc == r.interp.fault->pc);

    r = run_checked(object_of("r0 = 0\n*(u64 *)(r10 + 0) = r0\nexit\n"));
    REQUIRE(r.checked.fault);
    CHECK(r.checked.fault->pc == 1);

    r = run_checked(object_of("r1 = 0\nlock *(u64 *)(r1 + 0) += r1\nr0 = 0\nexit\n"));
    REQUIRE(r.checked.fault);
    CHECK(r.checked.fault->kind == vm::FaultKind::InvalidPointer);
    CHECK(r.checked.fault->pc == 1);
}

TEST_CASE("jit: unsupported instructions and helpers fail compilation with a clear reason") {
    const Object obj = object_of(Insns{Call{CallKind::Helper, 999, 0}, Exit{}});
    vm::MapSet maps(obj.maps);
    auto jit = JitProgram::compile(obj, 0, maps);
    REQUIRE_FALSE(jit.has_value());
    CHECK(jit.error().message.find("999") != std::string::npos);
    const Object kf = object_of(Insns{Call{CallKind::Kfunc, 5, 0}, Exit{}});
    auto j2 = JitProgram::compile(kf, 0, maps);
    REQUIRE_FALSE(j2.has_value());
    CHECK(j2.error().message.find("kfunc") != std::string::npos);
}

namespace {

std::vector<std::vector<std::uint8_t>> sample_packets() {
    std::vector<std::vector<std::uint8_t>> out;
    // Ethernet + IPv4 + UDP / TCP, an IPv6 header, ARP, and a runt.
    std::vector<std::uint8_t> udp = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00,
                                     0x45, 0, 0, 28, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                                     0x30, 0x39, 0x00, 0x35, 0, 8, 0, 0};
    out.push_back(udp);
    auto tcp = udp;
    tcp[23] = 6;
    tcp.resize(14 + 20 + 20, 0);
    tcp[14 + 20 + 12] = 0x50;
    out.push_back(tcp);
    std::vector<std::uint8_t> v6(14 + 40 + 8, 0);
    v6[12] = 0x86;
    v6[13] = 0xdd;
    v6[14] = 0x60;
    v6[14 + 6] = 17;
    out.push_back(v6);
    std::vector<std::uint8_t> arp(42, 0);
    arp[12] = 0x08;
    arp[13] = 0x06;
    out.push_back(arp);
    out.push_back({1, 2, 3});
    return out;
}

}  // namespace

TEST_CASE("jit: corpus programs give the interpreter's r0, packet and maps") {
    const std::filesystem::path dir = BPFLAB_BINARY_DIR "/corpus/";
    if (!std::filesystem::exists(dir / "xdp_count.o")) {
        MESSAGE("corpus not built; skipping");
        return;
    }
    int compared = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".o" || entry.path().filename().string().rfind("bad_", 0) == 0)
            continue;
        auto obj = load_file(entry.path().string());
        if (!obj) continue;
        for (std::size_t p = 0; p < obj->programs.size(); ++p) {
            const Program& prog = obj->programs[p];
            const ProgramTypeInfo* type = program_type_info(prog.prog_type);
            if (type == nullptr) continue;
            vm::MapSet imaps(obj->maps), jmaps(obj->maps), cmaps(obj->maps);
            auto jit = JitProgram::compile(*obj, p, jmaps);
            auto checked = JitProgram::compile(*obj, p, cmaps, JitOptions{true});
            if (!jit) {
                MESSAGE(entry.path().filename().string() << ": " << jit.error().to_string());
                continue;
            }
            REQUIRE(checked.has_value());
            vm::Interpreter interp(*obj, imaps);
            for (const auto& pkt : sample_packets()) {
                vm::RunInput in;
                in.packet = pkt;
                if (!type->packet_context) in.context.assign(type->ctx_size, 0x11);
                const auto a = interp.run(p, in);
                if (a.fault) continue;  // a fault the verifier would have prevented
                const auto b = jit->run(in);
                const auto c = checked->run(in);
                INFO(entry.path().filename().string() << " " << prog.name);
                CHECK_FALSE(b.fault);
                CHECK_FALSE(c.fault);
                CHECK(a.r0 == b.r0);
                CHECK(a.r0 == c.r0);
                CHECK(a.packet == b.packet);
                CHECK(a.packet == c.packet);
                ++compared;
            }
            for (std::size_t m = 0; m < obj->maps.size(); ++m) {
                if (imaps.at(m).is_ringbuf()) {
                    // Records may hold ktime_get_ns, whose clock differs in the trusted JIT
                    // (it counts no instructions): compare how many and how large. The
                    // checked JIT counts, so its clock and records are the interpreter's.
                    const auto& ir = imaps.at(m).ringbuf_records();
                    const auto& jr = jmaps.at(m).ringbuf_records();
                    REQUIRE(ir.size() == jr.size());
                    for (std::size_t k = 0; k < ir.size(); ++k) CHECK(ir[k].size() == jr[k].size());
                    CHECK(cmaps.at(m).ringbuf_records() == ir);
                    continue;
                }
                CHECK(imaps.at(m).entries() == jmaps.at(m).entries());
                CHECK(imaps.at(m).entries() == cmaps.at(m).entries());
            }
        }
    }
    MESSAGE(compared << " corpus runs compared");
    CHECK(compared > 0);
}

}  // namespace bpflab::jit
