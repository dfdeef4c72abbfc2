// SPDX-License-Identifier: Apache-2.0
// Tests for core/vm/fuse.hpp: which pairs become superinstructions, and that a fused run is
// the unfused run (a hooked run never fuses): results, counts and budget faults, at every budget.
#include <doctest/doctest.h>

#include "core/asm.hpp"
#include "core/load.hpp"
#include "core/vm/fuse.hpp"
#include "core/vm/init_flow.hpp"
#include "core/vm/interp.hpp"

namespace bpflab::vm {
namespace {

Op make(OpCode code, std::uint8_t dst = 0, std::uint8_t src = 0) {
    Op op;
    op.code = code;
    op.dst = dst;
    op.src = src;
    return op;
}

}  // namespace

TEST_CASE("fuse_pairs: unchecked move, load or add-immediate before an unchecked op") {
    std::vector<Op> ops = {make(fast_code(OpCode::Alu64X_Mov), 6, 1),
                           make(fast_code(OpCode::Alu64K_Add), 6),
                           make(fast_code(OpCode::Jmp64K_Gt), 6),
                           make(fast_code(OpCode::Load), 7, 6),
                           make(fast_code(OpCode::Alu32X_Xor), 0, 7),
                           make(OpCode::Alu64X_Mov, 8, 0),  // checked: not fused
                           make(fast_code(OpCode::Alu64K_Add), 8),
                           make(fast_code(OpCode::Exit))};
    fuse_pairs(ops);
    CHECK(ops[0].code == fused_mov(OpCode::Alu64K_Add));
    CHECK(ops[1].code == fused_add_jmp(OpCode::Jmp64K_Gt));
    CHECK(ops[2].code == fast_code(OpCode::Jmp64K_Gt));
    CHECK(ops[3].code == fused_load(OpCode::Alu32X_Xor));
    CHECK(ops[5].code == OpCode::Alu64X_Mov);
    CHECK(ops[6].code == fast_code(OpCode::Alu64K_Add));  // an exit is not fused
}

TEST_CASE("superinstructions: every budget gives the unfused run's result, count and fault") {
    auto insns = assemble(
        "r0 = 1\nr6 = 0\nr7 = 0\nr8 = 0\n*(u64 *)(r10 - 8) = r0\n"
        "l:\nr6 = r0\nr6 += r7\nr8 = *(u64 *)(r10 - 8)\nr0 += r8\nr0 ^= r6\n"
        "r7 += 1\nif r7 < 5 goto l\nexit\n",
        Syntax::Linux, "fuse.s");
    REQUIRE(insns.has_value());
    auto obj = object_from_slots(encode(*insns), "fuse.s", LoadOptions{});
    REQUIRE(obj.has_value());
    MapSet maps(obj->maps);
    Interpreter vm(*obj, maps);
    RunInput in;
    in.memory_in_r1 = true;
    int faults = 0;
    for (std::uint64_t budget = 1; budget <= 45; ++budget) {
        RunOptions plain;
        plain.instruction_budget = budget;
        RunOptions hooked = plain;
        std::uint64_t steps = 0;
        hooked.hook = [&](const ConcreteState&) { ++steps; };
        const RunResult a = vm.run(0, in, plain);
        const RunResult b = vm.run(0, in, hooked);
        INFO("budget " << budget);
        CHECK(a.r0 == b.r0);
        CHECK(a.instructions == b.instructions);
        CHECK(a.fault.has_value() == b.fault.has_value());
        if (a.fault && b.fault) {
            ++faults;
            CHECK(a.fault->kind == FaultKind::InstructionBudget);
            CHECK(a.fault->pc == b.fault->pc);
            CHECK(a.fault->message == b.fault->message);
        }
        CHECK(steps == b.instructions);
    }
    CHECK(faults == 40);  // 5 + 7 * 5 + 1 = 41 instructions: budgets below 41 fault
}

}  // namespace bpflab::vm
