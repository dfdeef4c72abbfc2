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

std::string_view alu_operator(AluOp op) {
    switch (op) {
        case AluOp::Add:
            return "+=";
        case AluOp::Sub:
            return "-=";
        case AluOp::Mul:
            return "*=";
        case AluOp::Div:
            return "/=";
        case AluOp::SDiv:
            return "s/=";
        case AluOp::Mod:
            return "%=";
        case AluOp::SMod:
            return "s%=";
        case AluOp::Or:
            return "|=";
        case AluOp::And:
            return "&=";
        case AluOp::Xor:
            return "^=";
        case AluOp::Lsh:
            return "<<=";
        case AluOp::Rsh:
            return ">>=";
        case AluOp::Arsh:
            return "s>>=";
        case AluOp::Neg:
        case AluOp::Mov:
        case AluOp::MovSx:
            return "=";
    }
    return "=";
}

std::string_view cond_operator(Cond c) {
    switch (c) {
        case Cond::Eq:
            return "==";
        case Cond::Ne:
            return "!=";
        case Cond::Set:
            return "&";
        case Cond::Gt:
            return ">";
        case Cond::Ge:
            return ">=";
        case Cond::Lt:
            return "<";
        case Cond::Le:
            return "<=";
        case Cond::Sgt:
            return "s>";
        case Cond::Sge:
            return "s>=";
        case Cond::Slt:
            return "s<";
        case Cond::Sle:
            return "s<=";
    }
    return "==";
}

/// The instruction under test on r2 (and r3), in Linux syntax.
std::string operation_text(const Operation& op) {
    switch (op.kind) {
        case Kind::Alu: {
            const std::string d = op.alu.is64 ? "r2" : "w2";
            const std::string s = op.alu.is64 ? "r3" : "w3";
            switch (op.alu.op) {
                case AluOp::Neg:
                    return d + " = -" + d;
                case AluOp::Mov:
                    return d + " = " + s;
                case AluOp::MovSx:
                    return d + " = (s" + std::to_string(op.alu.sx_bits) + ")" + s;
                default:
                    return d + " " + std::string(alu_operator(op.alu.op)) + " " + s;
            }
        }
        case Kind::Endian: {
            const std::string_view kind = op.endian == EndianKind::ToLe   ? "le"
                                          : op.endian == EndianKind::ToBe ? "be"
                                                                          : "bswap";
            return "r2 = " + std::string(kind) + std::to_string(op.endian_bits) + " r2";
        }
        case Kind::Assume: {
            const std::string d = op.branch.is32 ? "w2" : "r2";
            const std::string s = op.branch.is32 ? "w3" : "r3";
            return "if " + d + " " + std::string(cond_operator(op.branch.cond)) + " " + s +
                   " goto +0x1";
        }
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
