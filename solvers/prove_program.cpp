// SPDX-License-Identifier: Apache-2.0
// bpflab: counterexamples as eBPF programs — assembled by bpflab and run on its interpreter.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/asm.hpp"
#include "core/decode.hpp"
#include "core/load.hpp"
#include "core/vm/interp.hpp"
#include "core/vm/maps.hpp"
#include "solvers/prove.hpp"

namespace bpflab::prove {
namespace {

/// The instruction under test on r2 (and r3), printed by bpflab's own Linux-syntax printer.
std::string operation_text(const Operation& op) {
    const Operand r3{.is_reg = true, .reg = 3, .imm = 0};
    switch (op.kind) {
        case Kind::Alu:
            return print_instruction(Alu{.op = op.alu.op,
                                         .is64 = op.alu.is64,
                                         .dst = 2,
                                         .src = r3,
                                         .sx_bits = static_cast<std::uint8_t>(op.alu.sx_bits)},
                                     Syntax::Linux);
        case Kind::Endian:
            return print_instruction(
                Endian{
                    .kind = op.endian, .bits = static_cast<std::uint8_t>(op.endian_bits), .dst = 2},
                Syntax::Linux);
        case Kind::Assume:
            return print_instruction(Jmp{.cond = op.branch.cond,
                                         .is32 = op.branch.is32,
                                         .dst = 2,
                                         .src = r3,
                                         .offset = 1},
                                     Syntax::Linux);
    }
    return {};
}

std::string program_text(const Operation& op) {
    std::string text =
        "r2 = *(u64 *)(r1 + 0x0)\n"
        "r3 = *(u64 *)(r1 + 0x8)\n";
    if (op.kind == Kind::Assume) {
        text += "r0 = 0x1\n" + operation_text(op) + "\nr0 = 0x0\n";
    } else {
        text += operation_text(op) + "\nr0 = r2\n";
    }
    return text + "exit\n";
}

std::string hex_bytes(const std::vector<std::uint8_t>& bytes) {
    static constexpr std::string_view kDigits = "0123456789abcdef";
    std::string out;
    for (const std::uint8_t b : bytes) {
        out += kDigits[b >> 4];
        out += kDigits[b & 15];
    }
    return out;
}

}  // namespace

Replay replay_on_interpreter(const Operation& op, std::uint64_t x, std::uint64_t y) {
    Replay r;
    r.program = program_text(op);
    std::vector<std::uint8_t> memory(16);
    for (unsigned i = 0; i < 8; ++i) {
        memory[i] = static_cast<std::uint8_t>(x >> (8 * i));
        memory[8 + i] = static_cast<std::uint8_t>(y >> (8 * i));
    }
    r.input_hex = hex_bytes(memory);
    auto insns = assemble(r.program, Syntax::Linux, "counterexample");
    if (!insns) {
        r.note = "assembler: " + insns.error().to_string();
        return r;
    }
    auto object = object_from_slots(encode(*insns), "counterexample", LoadOptions{});
    if (!object) {
        r.note = "loader: " + object.error().to_string();
        return r;
    }
    vm::MapSet maps(object->maps);
    vm::Interpreter interp(*object, maps);
    vm::RunInput input;
    input.memory_in_r1 = true;
    input.memory = memory;
    const vm::RunResult run = interp.run(0, input);
    if (run.fault) {
        r.note = "interpreter fault: " + run.fault->to_string();
        return r;
    }
    r.r0 = run.r0;
    r.note = "r1 points at the input (x then y, little-endian u64); r0 = " +
             std::string(op.kind == Kind::Assume ? "1 if the branch is taken" : "the result");
    return r;
}

}  // namespace bpflab::prove
