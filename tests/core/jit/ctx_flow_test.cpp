// SPDX-License-Identifier: Apache-2.0
// Tests for core/jit/ctx_flow.hpp: which registers may hold the context before each
// instruction, and the JIT's context field loads decided by it (against the interpreter).
#include <doctest/doctest.h>

#include "core/jit/ctx_flow.hpp"
#include "tests/core/jit/jit_util.hpp"

namespace bpflab::jit {
namespace {

using test::make_object;

/// may_hold_context of program 0, by instruction index.
std::vector<std::uint16_t> kinds(const Object& obj) {
    const Code& code = obj.programs[0].code;
    const auto by_slot = may_hold_context(code);
    std::vector<std::uint16_t> out;
    for (std::uint32_t pc : code.pc) out.push_back(by_slot[pc]);
    return out;
}

bool may(const std::vector<std::uint16_t>& k, std::size_t insn, int reg) {
    return ((k[insn] >> reg) & 1u) != 0;
}

/// r0 of program 0 on the interpreter, the JIT and the checked JIT for an XDP packet.
void same_on_packet(const Object& obj, const std::vector<std::uint8_t>& packet) {
    vm::RunInput in;
    in.packet = packet;
    vm::MapSet maps(obj.maps);
    vm::Interpreter interp(obj, maps);
    const vm::RunResult want = interp.run(0, in);
    REQUIRE_FALSE(want.fault);
    for (bool checked : {false, true}) {
        JitProgram jit = test::compile_ok(obj, maps, JitOptions{checked});
        const vm::RunResult got = jit.run(in);
        CHECK_FALSE(got.fault);
        CHECK(got.r0 == want.r0);
    }
}

}  // namespace

TEST_CASE("ctx flow: the context enters in r1 and follows moves and pointer arithmetic") {
    const Object obj = make_object(
        "r6 = r1\n"                // 0
        "r6 += 8\n"                // 1 (modified: the kernel would refuse a load)
        "r2 = *(u32 *)(r1 + 0)\n"  // 2
        "w7 = w1\n"                // 3
        "r3 = *(u32 *)(r2 + 0)\n"  // 4
        "r0 = 0\n"                 // 5
        "exit\n",
        "xdp");
    const auto k = kinds(obj);
    CHECK(may(k, 0, 1));
    CHECK(may(k, 2, 6));        // r6 = r1 + 8 is still a context pointer
    CHECK_FALSE(may(k, 4, 2));  // loaded from the context: a packet pointer
    CHECK_FALSE(may(k, 5, 7));  // a 32-bit move is a number
    CHECK_FALSE(may(k, 0, 10));
}

TEST_CASE("ctx flow: a spilled context makes every later 8-byte load a possible context") {
    const Object spill = make_object(
        "*(u64 *)(r10 - 8) = r1\n"
        "r7 = *(u64 *)(r10 - 8)\n"
        "r8 = *(u32 *)(r10 - 8)\n"
        "r0 = 0\n"
        "exit\n",
        "xdp");
    const auto k = kinds(spill);
    CHECK(may(k, 2, 7));
    CHECK_FALSE(may(k, 3, 8));
    const Object numbers = make_object(
        "r2 = 5\n"
        "*(u64 *)(r10 - 8) = r2\n"
        "r7 = *(u64 *)(r10 - 8)\n"
        "r0 = 0\n"
        "exit\n",
        "xdp");
    CHECK_FALSE(may(kinds(numbers), 3, 7));
}

TEST_CASE("ctx flow: joins, calls and local functions are conservative") {
    const Object obj = make_object(
        "r6 = 0\n"              // 0
        "if r1 == 0 goto +1\n"  // 1
        "r6 = r1\n"             // 2
        "call 5\n"              // 3: bpf_get_prandom_u32
        "r0 = 0\n"              // 4
        "call f\n"              // 5
        "exit\n"                // 6
        "f:\nr0 = 0\n"          // 7: a local function
        "exit\n",
        "xdp");
    const auto k = kinds(obj);
    CHECK(may(k, 3, 6));        // the join of a number and the context
    CHECK(may(k, 4, 1));        // r1-r5 after a helper: whatever it left
    CHECK_FALSE(may(k, 4, 0));  // a helper's result is never the context
    CHECK(may(k, 6, 0));        // a local function's result may be
    CHECK(may(k, 7, 1));
    CHECK(may(k, 7, 9));
}

TEST_CASE("jit: context field loads through copies and spills, packet loads at offsets 0 and 4") {
    std::vector<std::uint8_t> packet(64);
    for (std::size_t i = 0; i < packet.size(); ++i)
        packet[i] = static_cast<std::uint8_t>(3 * i + 1);
    // A packet pointer loaded at the offsets of data and data_end reads packet bytes.
    same_on_packet(make_object("r2 = *(u32 *)(r1 + 0)\n"
                               "r3 = *(u32 *)(r1 + 4)\n"
                               "r4 = r2\n"
                               "r4 += 8\n"
                               "r0 = 0\n"
                               "if r4 > r3 goto +3\n"
                               "r0 = *(u32 *)(r2 + 0)\n"
                               "r5 = *(u32 *)(r2 + 4)\n"
                               "r0 ^= r5\n"
                               "exit\n",
                               "xdp"),
                   packet);
    // The context through a copy and a stack spill still gives data/data_end.
    same_on_packet(make_object("r6 = r1\n"
                               "*(u64 *)(r10 - 8) = r6\n"
                               "r7 = *(u64 *)(r10 - 8)\n"
                               "r2 = *(u32 *)(r6 + 0)\n"
                               "r3 = *(u32 *)(r7 + 4)\n"
                               "r0 = r3\n"
                               "r0 -= r2\n"
                               "r4 = r2\n"
                               "r4 += 2\n"
                               "if r4 > r3 goto +2\n"
                               "r5 = *(u8 *)(r2 + 1)\n"
                               "r0 += r5\n"
                               "exit\n",
                               "xdp"),
                   packet);
}

}  // namespace bpflab::jit
