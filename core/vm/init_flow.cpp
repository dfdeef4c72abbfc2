// SPDX-License-Identifier: Apache-2.0
// bpflab: the interpreter's must-initialised analysis over predecoded ops.
#include "core/vm/init_flow.hpp"

namespace bpflab::vm {
namespace {

constexpr std::uint16_t kAll = 0x07ff;
constexpr std::uint16_t kR0 = 1u << 0;
constexpr std::uint16_t kArgs = 0x3e;       // r1..r5
constexpr std::uint16_t kCallee = 0x03c0;   // r6..r9
constexpr std::uint16_t kFrame = 1u << 10;  // r10

std::uint16_t bit(std::uint8_t r) {
    return static_cast<std::uint16_t>(1u << r);
}

bool is_alu(OpCode c) {
    return c < OpCode::Jmp64K_Eq;
}
bool is_jmp(OpCode c) {
    return c >= OpCode::Jmp64K_Eq && c <= OpCode::Jmp32X_Sle;
}
/// ALU codes are 4 * op + 2 * is32 + isx (engine.hpp); JMP codes likewise from Jmp64K_Eq.
bool src_is_reg(OpCode c, OpCode first) {
    return ((static_cast<int>(c) - static_cast<int>(first)) & 1) != 0;
}
AluOp alu_op(OpCode c) {
    return static_cast<AluOp>(static_cast<int>(c) / 4);
}

/// Registers `op` reads (that the checked handler tests) and writes.
void uses(const Op& op, std::uint16_t& reads, std::uint16_t& writes) {
    reads = 0;
    writes = 0;
    const OpCode c = op.code;
    if (is_alu(c)) {
        if (src_is_reg(c, OpCode::Alu64K_Add)) reads |= bit(op.src);
        if (alu_op(c) != AluOp::Mov && alu_op(c) != AluOp::MovSx) reads |= bit(op.dst);
        writes = bit(op.dst);
    } else if (is_jmp(c)) {
        reads = bit(op.dst);
        if (src_is_reg(c, OpCode::Jmp64K_Eq)) reads |= bit(op.src);
    } else if (c == OpCode::Endian) {
        reads = bit(op.dst);
        writes = bit(op.dst);
    } else if (c == OpCode::Load) {
        reads = bit(op.src);
        writes = bit(op.dst);
    } else if (c == OpCode::LdImm || c == OpCode::LdMap || c == OpCode::LdMapValue ||
               c == OpCode::LdCode) {
        writes = bit(op.dst);
    } else if (c == OpCode::Exit) {
        reads = kR0;
    }
}

}  // namespace

std::vector<std::uint16_t> must_init(const std::vector<Op>& ops) {
    const std::size_t n = ops.size();
    std::vector<std::uint16_t> in(n, kAll);
    std::vector<bool> reached(n, false);
    std::vector<std::size_t> work;
    auto flow = [&](std::uint32_t i, std::uint16_t state) {
        if (i >= n) return;
        const auto met = static_cast<std::uint16_t>(in[i] & state);
        if (reached[i] && met == in[i]) return;
        reached[i] = true;
        in[i] = met;
        work.push_back(i);
    };
    if (n > 0) flow(0, bit(1) | kFrame);  // a run or a tail call: r1 and r10
    for (const Op& op : ops)
        if (op.code == OpCode::LdCode) flow(op.target, kFrame);  // a callback's entry
    while (!work.empty()) {
        const std::size_t i = work.back();
        work.pop_back();
        const Op& op = ops[i];
        const std::uint16_t s = in[i];
        const auto next = static_cast<std::uint32_t>(i + 1);
        std::uint16_t reads = 0;
        std::uint16_t writes = 0;
        uses(op, reads, writes);
        const auto out = static_cast<std::uint16_t>(s | writes);
        switch (op.code) {
            case OpCode::Ja:
                flow(op.target, s);
                break;
            case OpCode::MayGoto:
                flow(op.target, s);
                flow(next, s);
                break;
            case OpCode::LdPacket:
            case OpCode::CallHelper:
                flow(next, static_cast<std::uint16_t>((s & ~kArgs) | kR0));
                break;
            case OpCode::CallLocal:
                flow(op.target, static_cast<std::uint16_t>((s & kArgs) | kFrame));
                flow(next, static_cast<std::uint16_t>((s & kCallee) | kR0 | kFrame));
                break;
            case OpCode::Exit:
            case OpCode::Unsupported:
                break;
            default:
                if (is_jmp(op.code)) flow(op.target, out);
                flow(next, out);
                break;
        }
    }
    for (std::size_t i = 0; i < n; ++i)
        if (!reached[i]) in[i] = 0;
    return in;
}

void select_unchecked(std::vector<Op>& ops) {
    const std::vector<std::uint16_t> init = must_init(ops);
    for (std::size_t i = 0; i < ops.size(); ++i) {
        Op& op = ops[i];
        const OpCode c = op.code;
        if (!(is_alu(c) || is_jmp(c) || c == OpCode::Endian || c == OpCode::Load ||
              c == OpCode::Exit))
            continue;
        std::uint16_t reads = 0;
        std::uint16_t writes = 0;
        uses(op, reads, writes);
        const auto need = static_cast<std::uint16_t>(reads | writes);
        if ((init[i] & need) == need) op.code = fast_code(c);
    }
}

}  // namespace bpflab::vm
