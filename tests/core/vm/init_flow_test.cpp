// SPDX-License-Identifier: Apache-2.0
// Tests for core/vm/init_flow.hpp: the must-initialised analysis over predecoded ops, and the
// unchecked handlers it selects leaving every uninitialised read a fault with the same record.
#include <doctest/doctest.h>

#include "core/asm.hpp"
#include "core/load.hpp"
#include "core/vm/init_flow.hpp"
#include "core/vm/interp.hpp"

namespace bpflab::vm {
namespace {

Op make(OpCode code, std::uint8_t dst = 0, std::uint8_t src = 0, std::uint32_t target = 0) {
    Op op;
    op.code = code;
    op.dst = dst;
    op.src = src;
    op.target = target;
    return op;
}

RunResult run_text(const std::string& text, std::vector<std::uint8_t> memory = {}) {
    auto insns = assemble(text, Syntax::Linux, "test.s");
    REQUIRE_MESSAGE(insns.has_value(), (insns ? "" : insns.error().to_string()));
    auto obj = object_from_slots(encode(*insns), "test.s", LoadOptions{});
    REQUIRE_MESSAGE(obj.has_value(), (obj ? "" : obj.error().to_string()));
    MapSet maps(obj->maps);
    Interpreter vm(*obj, maps);
    RunInput in;
    in.memory_in_r1 = true;
    in.memory = std::move(memory);
    return vm.run(0, in);
}

constexpr std::uint16_t bit(int r) {
    return static_cast<std::uint16_t>(1u << r);
}

}  // namespace

TEST_CASE("must_init: entry registers, writes, and the intersection at a join") {
    // 0: r0 = 1; 1: if r1 == 0 goto 3; 2: r2 = 5; 3: r0 += r2; 4: exit; 5: (unreachable) exit
    std::vector<Op> ops = {make(OpCode::Alu64K_Mov, 0), make(OpCode::Jmp64K_Eq, 1, 0, 3),
                           make(OpCode::Alu64K_Mov, 2), make(OpCode::Alu64X_Add, 0, 2),
                           make(OpCode::Exit),          make(OpCode::Exit)};
    const auto init = must_init(ops);
    CHECK(init[0] == (bit(1) | bit(10)));
    CHECK(init[2] == (bit(0) | bit(1) | bit(10)));
    CHECK(init[3] == (bit(0) | bit(1) | bit(10)));  // r2 only on one path
    CHECK(init[4] == (bit(0) | bit(1) | bit(10)));
    CHECK(init[5] == 0);
    select_unchecked(ops);
    CHECK(ops[0].code == OpCode::Alu64K_Mov);            // writes a register not yet set
    CHECK(ops[1].code == fast_code(OpCode::Jmp64K_Eq));  // r1 is set at entry
    CHECK(ops[3].code == OpCode::Alu64X_Add);            // r2 may be unset
    CHECK(ops[4].code == fast_code(OpCode::Exit));
    CHECK(ops[5].code == OpCode::Exit);  // unreachable: stays checked
}

TEST_CASE("must_init: calls clobber r1-r5, a local function sees only its arguments") {
    // 0: r6 = 1; 1: r2 = 2; 2: call helper; 3: call local 5; 4: exit; 5: r0 = r1; 6: exit
    std::vector<Op> ops = {make(OpCode::Alu64K_Mov, 6), make(OpCode::Alu64K_Mov, 2),
                           make(OpCode::CallHelper),    make(OpCode::CallLocal, 0, 0, 5),
                           make(OpCode::Exit),          make(OpCode::Alu64X_Mov, 0, 1),
                           make(OpCode::Exit)};
    const auto init = must_init(ops);
    CHECK(init[3] == (bit(0) | bit(6) | bit(10)));
    CHECK(init[4] == (bit(0) | bit(6) | bit(10)));
    CHECK(init[5] == bit(10));  // r1-r5 as the caller left them: here none
    CHECK(init[6] == (bit(0) | bit(10)));
}

TEST_CASE("unchecked handlers: uninitialised reads still fault where they happen") {
    // r3 is written on one path only; the read after the join is checked (r1 = 0: no memory).
    auto r = run_text("r0 = 1\nif r1 == 0 goto +1\nr3 = 5\nr0 += r3\nexit\n");
    REQUIRE(r.fault.has_value());
    CHECK(r.fault->kind == FaultKind::UninitRegister);
    CHECK(r.fault->pc == 3);
    CHECK(r.instructions == 3);  // the faulting instruction included
    r = run_text("r0 = 1\nif r1 == 0 goto +1\nr3 = 5\nr0 += r3\nexit\n", {1, 2, 3});
    CHECK_FALSE(r.fault);
    CHECK(r.r0 == 6);
    // A loop reading in its second iteration what its first wrote: no fault, exact count.
    r = run_text(
        "r0 = 0\nr6 = 3\nl:\nif r6 == 3 goto +1\nr0 += r7\nr7 = 10\nr6 -= 1\n"
        "if r6 != 0 goto l\nexit\n");
    CHECK_FALSE(r.fault);
    CHECK(r.r0 == 20);
    CHECK(r.instructions == 2 + 4 + 5 + 5 + 1);
    // r0 unset at exit on one path only, and a jump on a register the loop sets late.
    r = run_text("if r1 == 0 goto +1\nr0 = 0\nexit\n");
    REQUIRE(r.fault.has_value());
    CHECK(r.fault->kind == FaultKind::UninitRegister);
    CHECK(r.fault->pc == 2);
    r = run_text(
        "r6 = 2\nl:\nr6 -= 1\nif r8 > 0 goto +0\nr8 = 1\nif r6 != 0 goto l\nr0 = 0\nexit\n");
    REQUIRE(r.fault.has_value());
    CHECK(r.fault->pc == 2);
    CHECK(r.fault->message.find("r8") != std::string::npos);
}

}  // namespace bpflab::vm
