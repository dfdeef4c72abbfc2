// SPDX-License-Identifier: Apache-2.0
// Tests for the JIT's instruction counting and checked-mode budget: counts equal the
// interpreter's through branches, loops, local calls, helper calls, callbacks, failed LD_ABS and
// faults in the middle of a block; the budget faults at the interpreter's instruction; the
// trusted fast path stays uninstrumented.
#include <doctest/doctest.h>

#include <linux/bpf.h>

#include <string>
#include <vector>

#include "core/jit/emitter.hpp"
#include "tests/core/jit/jit_util.hpp"

namespace bpflab::jit::test {
namespace {

JitOptions counting_trusted() {
    JitOptions o;
    o.count_instructions = true;
    return o;
}

JitOptions checked_mode() {
    JitOptions o;
    o.checked = true;
    return o;
}

struct Counts {
    vm::RunResult interp, trusted, counted, checked;
};

/// Runs program 0 on the interpreter, the plain trusted JIT, the counting trusted JIT and the
/// checked JIT (each with its own maps).
Counts run_four(const Object& obj, const vm::RunInput& in) {
    Counts out;
    {
        vm::MapSet maps(obj.maps);
        vm::Interpreter interp(obj, maps);
        out.interp = interp.run(0, in);
    }
    const JitOptions modes[] = {JitOptions{}, counting_trusted(), checked_mode()};
    vm::RunResult* results[] = {&out.trusted, &out.counted, &out.checked};
    for (int m = 0; m < 3; ++m) {
        vm::MapSet maps(obj.maps);
        JitProgram jit = compile_ok(obj, maps, modes[m]);
        *results[m] = jit.run(in);
    }
    return out;
}

/// Counting modes report the interpreter's count (and r0 and fault pc); plain trusted code 0.
void same_count(const Object& obj, const vm::RunInput& in, std::uint64_t expected) {
    const Counts c = run_four(obj, in);
    CHECK(c.interp.instructions == expected);
    CHECK(c.counted.instructions == c.interp.instructions);
    CHECK(c.checked.instructions == c.interp.instructions);
    CHECK(c.trusted.instructions == 0);
    CHECK(c.counted.r0 == c.interp.r0);
    CHECK(c.checked.r0 == c.interp.r0);
    REQUIRE(c.checked.fault.has_value() == c.interp.fault.has_value());
    if (c.interp.fault) CHECK(c.checked.fault->pc == c.interp.fault->pc);
}

Instruction mov_imm(Reg r, std::int32_t v) {
    return Alu{AluOp::Mov, true, r, Operand{false, 0, v}};
}

}  // namespace

TEST_CASE("jit: counted runs report the interpreter's instruction count") {
    SUBCASE("straight line and a loop") {
        same_count(make_object("r0 = 1\nexit\n"), memory_input(), 2);
        same_count(make_object("r0 = 0\nr1 = 10\nl:\nr0 += r1\nr1 -= 1\nif r1 != 0 goto l\nexit\n"),
                   memory_input(), 2 + 3 * 10 + 1);
    }
    SUBCASE("local calls, recursion and a return into the middle of a block") {
        same_count(make_object("r6 = 5\nr1 = 10\ncall f\nr0 += r6\nr0 += 1\nexit\n"
                               "f:\nr0 = r1\nr0 += 1\nr6 = 100\nexit\n"),
                   memory_input(), 10);
        same_count(make_object("r1 = 3\ncall f\nexit\nf:\nr0 = r1\nif r1 == 0 goto out\nr6 = r1\n"
                               "r1 -= 1\ncall f\nr0 += r6\nout:\nexit\n"),
                   memory_input(), 2 + 3 * 7 + 3 + 1);
    }
    SUBCASE("helper calls read the interpreter's clock") {
        // ktime_get_ns advances with the executed instructions: both engines read the same.
        const Object obj =
            make_object("call 5\nr6 = r0\nr1 = 3\nr1 += 4\nr2 = r1\ncall 5\nr0 -= r6\nexit\n");
        const Counts c = run_four(obj, memory_input());
        CHECK(c.interp.r0 == 5);
        CHECK(c.counted.r0 == 5);
        CHECK(c.checked.r0 == 5);
        CHECK(c.counted.instructions == 8);
    }
    SUBCASE("bpf_loop callbacks count their instructions") {
        // r1 = 5 iterations; r2 = &cb; r3 = r4 = 0; call bpf_loop; exit; cb: 4 instructions.
        const Insns p = {mov_imm(1, 5),
                         LdImm64{LdImmKind::CodeAddr, 2, 5, 0},
                         mov_imm(3, 0),
                         mov_imm(4, 0),
                         Call{CallKind::Helper, BPF_FUNC_loop, 0},
                         Exit{},
                         Alu{AluOp::Mov, true, 3, Operand{true, 1, 0}},
                         Alu{AluOp::Mul, true, 3, Operand{false, 0, 3}},
                         mov_imm(0, 0),
                         Exit{}};
        same_count(make_object(p), memory_input(), 6 + 5 * 4);
    }
    SUBCASE("a failed legacy packet load ends the run after it") {
        const Insns p = {Alu{AluOp::Mov, true, 6, Operand{true, 1, 0}},
                         LdPacket{false, Size::B, 0, 100}, mov_imm(0, 7), Exit{}};
        const Object obj = make_object(p, "socket");
        vm::RunInput in;
        in.packet.assign(40, 0x11);
        same_count(obj, in, 2);
        in.packet.assign(14 + 120, 0x11);
        same_count(obj, in, 4);
    }
    SUBCASE("a checked fault in the middle of a block counts up to the faulting instruction") {
        const Object obj =
            make_object("r0 = 0\nr2 = 1\nr0 = *(u64 *)(r1 + 12)\nr0 += 1\nr0 += 2\nexit\n");
        vm::MapSet maps(obj.maps);
        vm::Interpreter interp(obj, maps);
        const auto a = interp.run(0, memory_input(std::vector<std::uint8_t>(16, 1)));
        JitProgram checked = compile_ok(obj, maps, checked_mode());
        const auto b = checked.run(memory_input(std::vector<std::uint8_t>(16, 1)));
        REQUIRE(a.fault);
        REQUIRE(b.fault);
        CHECK(b.fault->pc == 2);
        CHECK(a.instructions == 3);
        CHECK(b.instructions == a.instructions);
    }
}

TEST_CASE("jit: checked mode's instruction budget faults where the interpreter does") {
    // Blocks of several lengths, a helper call, a local call and a store, so that every
    // budget from 0 to the whole run ends at a different instruction of some block.
    const Object obj = make_object(
        "r6 = 0\nr7 = 4\nloop:\nr6 += r7\n*(u64 *)(r10 - 8) = r6\nr1 = r6\ncall f\nr6 += r0\n"
        "call 7\nr7 -= 1\nif r7 s> 0 goto loop\nr0 = r6\nexit\nf:\nr0 = r1\nr0 &= 15\nr0 <<= "
        "1\nexit\n");
    vm::MapSet maps(obj.maps);
    vm::Interpreter interp(obj, maps);
    const auto whole = interp.run(0, memory_input());
    REQUIRE_FALSE(whole.fault);
    int faults = 0;
    for (std::uint64_t budget = 0; budget <= whole.instructions + 1; ++budget) {
        CAPTURE(budget);
        vm::RunOptions opts;
        opts.instruction_budget = budget;
        const auto a = interp.run(0, memory_input(), opts);
        JitOptions jopts;
        jopts.checked = true;
        jopts.instruction_budget = budget;
        JitProgram jit = compile_ok(obj, maps, jopts);
        const auto b = jit.run(memory_input());
        REQUIRE(a.fault.has_value() == b.fault.has_value());
        CHECK(b.instructions == a.instructions);
        if (!a.fault) {
            CHECK(b.r0 == a.r0);
            continue;
        }
        ++faults;
        CHECK(a.fault->kind == vm::FaultKind::InstructionBudget);
        CHECK(b.fault->kind == a.fault->kind);
        CHECK(b.fault->pc == a.fault->pc);
        CHECK(b.fault->message == a.fault->message);
    }
    CHECK(faults == static_cast<int>(whole.instructions));

    // An endless loop stops after exactly the budget.
    const Object spin = make_object("r0 = 0\nl:\nr0 += 1\ngoto l\n");
    JitOptions jopts;
    jopts.checked = true;
    jopts.instruction_budget = 1'000'001;
    vm::MapSet smaps(spin.maps);
    JitProgram jit = compile_ok(spin, smaps, jopts);
    const auto r = jit.run(memory_input());
    REQUIRE(r.fault);
    CHECK(r.fault->kind == vm::FaultKind::InstructionBudget);
    CHECK(r.instructions == 1'000'001);
    CHECK(r.fault->pc == 1);
}

TEST_CASE("jit: the trusted fast path carries no counting code unless asked") {
    const Object obj =
        make_object("r0 = 0\nr1 = 10\nl:\nr0 += r1\nr1 -= 1\nif r1 != 0 goto l\nexit\n");
    vm::MapSet maps(obj.maps);
    JitProgram plain = compile_ok(obj, maps);
    JitProgram counted = compile_ok(obj, maps, counting_trusted());
    CHECK(plain.code_size() < counted.code_size());
    // Two blocks are entered (the entry, the loop body): one subtraction each.
    const auto& a = plain.block_starts();
    const auto& b = counted.block_starts();
    REQUIRE(a.size() == b.size());
    CHECK(b.back().offset > a.back().offset);
    CHECK(plain.run(memory_input()).instructions == 0);
    CHECK(counted.run(memory_input()).instructions == 33);
}

}  // namespace bpflab::jit::test

namespace bpflab::jit::test {

TEST_CASE("jit: a budget that ends inside a block runs exactly the instructions it allows") {
    // Stores, a load and an atomic on a map value in one block: for every budget, the map
    // holds what the interpreter's run left in it, so the JIT stopped at the same instruction
    // with the same side effects.
    auto st = [](std::int16_t off, Operand src) { return Store{Size::DW, 0, off, src}; };
    const Insns p = {Store{Size::W, 10, -4, Operand{false, 0, 0}},
                     Alu{AluOp::Mov, true, 2, Operand{true, 10, 0}},
                     Alu{AluOp::Add, true, 2, Operand{false, 0, -4}},
                     LdImm64{LdImmKind::MapFd, 1, 0, 0},
                     Call{CallKind::Helper, BPF_FUNC_map_lookup_elem, 0},
                     Jmp{Cond::Eq, false, 0, Operand{false, 0, 0}, 10},
                     Alu{AluOp::Mov, true, 7, Operand{false, 0, 3}},
                     st(0, Operand{true, 7, 0}),
                     Load{Size::DW, false, 8, 0, 8},
                     Alu{AluOp::Add, true, 8, Operand{true, 7, 0}},
                     st(8, Operand{true, 8, 0}),
                     st(16, Operand{false, 0, 7}),
                     Atomic{AtomicOp::Add, false, Size::DW, 0, 7, 24},
                     Alu{AluOp::Sub, true, 7, Operand{false, 0, 1}},
                     Jmp{Cond::Ne, false, 7, Operand{false, 0, 0}, -8},
                     Alu{AluOp::Mov, true, 0, Operand{false, 0, 0}},
                     Exit{}};
    Object obj = make_object(p);
    MapDef m;
    m.name = "values";
    m.type = BPF_MAP_TYPE_ARRAY;
    m.key_size = 4;
    m.value_size = 32;
    m.max_entries = 1;
    obj.maps = {m};
    std::uint64_t total = 0;
    {
        vm::MapSet maps(obj.maps);
        vm::Interpreter interp(obj, maps);
        const auto whole = interp.run(0, memory_input());
        REQUIRE_MESSAGE(!whole.fault, whole.fault->to_string());
        total = whole.instructions;
    }
    CHECK(total == 7 + 8 * 3 + 2);
    for (std::uint64_t budget = 0; budget <= total; ++budget) {
        CAPTURE(budget);
        vm::MapSet imaps(obj.maps), jmaps(obj.maps);
        vm::Interpreter interp(obj, imaps);
        vm::RunOptions opts;
        opts.instruction_budget = budget;
        const auto a = interp.run(0, memory_input(), opts);
        JitOptions jopts;
        jopts.checked = true;
        jopts.instruction_budget = budget;
        JitProgram jit = compile_ok(obj, jmaps, jopts);
        const auto b = jit.run(memory_input());
        REQUIRE(a.fault.has_value() == b.fault.has_value());
        CHECK(b.instructions == a.instructions);
        if (a.fault) CHECK(b.fault->pc == a.fault->pc);
        CHECK(jmaps.at(0).entries() == imaps.at(0).entries());
    }
}

}  // namespace bpflab::jit::test

namespace bpflab::jit::test {

TEST_CASE("jit: basic blocks for counting end at jumps, exits, calls and legacy packet loads") {
    using V = std::vector<std::uint32_t>;
    auto lengths = [](const std::string& text) {
        return block_lengths(make_object(text).programs[0].code);
    };
    // A loop: the entry block, the body (target of the back jump), the exit.
    CHECK(lengths("r0 = 0\nr1 = 10\nl:\nr0 += r1\nr1 -= 1\nif r1 != 0 goto l\nexit\n") ==
          V{2, 0, 3, 0, 0, 1});
    // A helper call ends its block; a 64-bit load is one instruction.
    CHECK(lengths("r1 = 1\nr2 = 0x100000000 ll\ncall 7\nr0 = 1\nexit\n") == V{3, 0, 0, 2, 0});
    // A local call ends its block and its target starts one.
    CHECK(lengths("r1 = 1\ncall f\nexit\nf:\nr0 = r1\nexit\n") == V{2, 0, 1, 2, 0});
    // A legacy packet load ends its block; a callback address starts one.
    const Insns p = {Alu{AluOp::Mov, true, 6, Operand{true, 1, 0}},  LdPacket{false, Size::B, 0, 3},
                     LdImm64{LdImmKind::CodeAddr, 2, 2, 0},          Exit{},
                     Alu{AluOp::Mov, true, 0, Operand{false, 0, 0}}, Exit{}};
    CHECK(block_lengths(make_object(p, "socket").programs[0].code) == V{2, 0, 2, 0, 2, 0});
}

}  // namespace bpflab::jit::test
