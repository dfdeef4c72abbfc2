// SPDX-License-Identifier: Apache-2.0
// bpflab: the JIT's context-pointer pass — a forward may-analysis over the decoded program.
#include "core/jit/ctx_flow.hpp"

#include <variant>

namespace bpflab::jit {
namespace {

constexpr std::uint16_t kAll = 0x07ff & ~(1u << kFramePointer);  // r10 is always the stack
constexpr std::uint16_t kArgs = 0x3e;                            // r1..r5

std::uint16_t bit(Reg r) {
    return static_cast<std::uint16_t>(1u << r);
}

/// The state after `insn` given `in` (`spilled`: a possibly-context value may be in memory);
/// sets `spills` when the instruction may store a context pointer as 8 bytes.
std::uint16_t transfer(const Instruction& insn, std::uint16_t in, bool spilled, bool& spills) {
    const auto has = [&](Reg r) { return ((in >> r) & 1u) != 0; };
    const auto set = [&](Reg r, bool may) {
        return static_cast<std::uint16_t>(may ? (in | bit(r)) : (in & ~bit(r)));
    };
    return std::visit(
        Overloaded{
            [&](const Alu& a) -> std::uint16_t {
                if (!a.is64) return set(a.dst, false);  // a 32-bit result is not a pointer
                if (a.op == AluOp::Mov) return set(a.dst, a.src.is_reg && has(a.src.reg));
                return set(a.dst, has(a.dst) || (a.src.is_reg && has(a.src.reg)));
            },
            [&](const Endian& e) { return set(e.dst, has(e.dst)); },
            [&](const Load& l) { return set(l.dst, l.size == Size::DW && spilled); },
            [&](const Store& s) {
                if (s.src.is_reg && s.size == Size::DW && has(s.src.reg)) spills = true;
                return in;
            },
            [&](const Atomic& a) -> std::uint16_t {
                if (a.op == AtomicOp::LoadAcquire) return set(a.dst, a.size == Size::DW && spilled);
                if (a.size == Size::DW && has(a.src)) spills = true;
                const bool old = a.size == Size::DW && spilled;
                if (a.op == AtomicOp::Cmpxchg) return set(0, old);
                if (a.fetch || a.op == AtomicOp::Xchg) return set(a.src, old);
                return in;
            },
            [&](const LdImm64& l) { return set(l.dst, false); },
            [&](const LdPacket&) { return static_cast<std::uint16_t>((in | kArgs) & ~bit(0)); },
            [&](const Call& c) -> std::uint16_t {
                // Helpers return numbers or map pointers, never the context; a local
                // function may return anything. r1-r5 hold whatever the call left.
                const std::uint16_t r0 = c.kind == CallKind::Local ? bit(0) : 0;
                return static_cast<std::uint16_t>(((in | kArgs) & ~bit(0)) | r0);
            },
            [&](const AddrSpaceCast& a) { return set(a.dst, has(a.dst) || has(a.src)); },
            [&](const auto&) { return in; },  // jumps, exit, may_goto, gotox
        },
        insn);
}

}  // namespace

std::vector<std::uint16_t> may_hold_context(const Code& code) {
    const std::size_t n = code.insns.size();
    std::vector<std::uint16_t> in(n, 0);
    std::vector<bool> reached(n, false);
    auto index = [&](std::int64_t pc) -> std::int64_t {
        if (pc < 0 || pc >= static_cast<std::int64_t>(code.slot_count())) return -1;
        return code.index_of_pc[static_cast<std::size_t>(pc)];
    };
    bool spilled = false;
    for (;;) {  // at most twice: once more after the first possible spill
        std::fill(in.begin(), in.end(), 0);
        std::fill(reached.begin(), reached.end(), false);
        std::vector<std::size_t> work;
        auto flow = [&](std::int64_t i, std::uint16_t state) {
            if (i < 0 || static_cast<std::size_t>(i) >= n) return;
            const auto u = static_cast<std::size_t>(i);
            const auto joined = static_cast<std::uint16_t>(in[u] | state);
            if (reached[u] && joined == in[u]) return;
            reached[u] = true;
            in[u] = joined;
            work.push_back(u);
        };
        if (n > 0) flow(0, kAll);
        // Local functions and callbacks may be entered with anything in r1-r9.
        for (std::size_t i = 0; i < n; ++i) {
            const Instruction& insn = code.insns[i];
            if (const auto* c = std::get_if<Call>(&insn);
                c != nullptr && c->kind == CallKind::Local)
                flow(index(jump_target(insn, code.pc[i])), kAll);
            if (const auto* l = std::get_if<LdImm64>(&insn);
                l != nullptr && l->kind == LdImmKind::CodeAddr)
                flow(index(std::int64_t{code.pc[i]} + l->imm + 1), kAll);
        }
        bool spills = false;
        while (!work.empty()) {
            const std::size_t i = work.back();
            work.pop_back();
            const Instruction& insn = code.insns[i];
            const std::uint16_t out = transfer(insn, in[i], spilled, spills);
            const std::int64_t target = jump_target(insn, code.pc[i]);
            const auto* call = std::get_if<Call>(&insn);
            if (target >= 0 && call == nullptr) flow(index(target), out);
            if (falls_through(insn)) flow(static_cast<std::int64_t>(i) + 1, out);
        }
        if (spills == spilled) break;
        spilled = spills;
    }
    std::vector<std::uint16_t> by_slot(code.slot_count(), kAll);
    for (std::size_t i = 0; i < n; ++i)
        if (reached[i]) by_slot[code.pc[i]] = in[i];
    return by_slot;
}

}  // namespace bpflab::jit
