// SPDX-License-Identifier: Apache-2.0
// bpflab: JIT emitters for control flow — conditional jumps, ja/gotol, may_goto, calls, exit.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/jit/emitter.hpp"
#include "core/vm/memory.hpp"

namespace bpflab::jit {

using Xbyak::Reg64;
using Xbyak::util::r10;
using Xbyak::util::r10d;
using Xbyak::util::r12;
using Xbyak::util::r13;
using Xbyak::util::r14;
using Xbyak::util::r15;
using Xbyak::util::r9;
using Xbyak::util::rbp;
using Xbyak::util::rbx;
using Xbyak::util::rsp;

#define BPFLAB_STATE(field) (r12 + static_cast<int>(offsetof(JitState, field)))

Xbyak::Label& Emitter::label_at(std::int64_t pc, std::uint32_t from) {
    const auto& code = ctx_.program->code;
    if (pc < 0 || pc >= static_cast<std::int64_t>(code.slot_count()) ||
        code.index_of_pc[static_cast<std::size_t>(pc)] < 0)
        throw CompileError(from, "jump target " + std::to_string(pc) + " outside the program");
    return labels_[static_cast<std::size_t>(pc)];
}

void Emitter::cond_jump(const Jmp& j, std::uint32_t pc) {
    Xbyak::Label& target = label_at(jump_target(j, pc), pc);
    const Reg64 d = reg64(j.dst);
    const Xbyak::Reg dw = view(d, !j.is32);
    const auto imm = static_cast<std::uint32_t>(j.src.imm);  // imm32, sign-extended by x86 in 64-bit forms
    if (j.src.is_reg) {
        const Xbyak::Reg sw = view(reg64(j.src.reg), !j.is32);
        if (j.cond == Cond::Set) test(dw, sw); else cmp(dw, sw);
    } else {
        if (j.cond == Cond::Set) test(dw, imm); else cmp(dw, imm);
    }
    switch (j.cond) {
        case Cond::Eq: je(target, T_NEAR); break;
        case Cond::Ne:
        case Cond::Set: jne(target, T_NEAR); break;
        case Cond::Gt: ja(target, T_NEAR); break;
        case Cond::Ge: jae(target, T_NEAR); break;
        case Cond::Lt: jb(target, T_NEAR); break;
        case Cond::Le: jbe(target, T_NEAR); break;
        case Cond::Sgt: jg(target, T_NEAR); break;
        case Cond::Sge: jge(target, T_NEAR); break;
        case Cond::Slt: jl(target, T_NEAR); break;
        case Cond::Sle: jle(target, T_NEAR); break;
    }
}

void Emitter::jump(const Ja& j, std::uint32_t pc) { jmp(label_at(jump_target(j, pc), pc), T_NEAR); }

void Emitter::may_goto(const MayGoto& m, std::uint32_t pc) {
    // Taken once the budget (the kernel's BPF_MAX_LOOPS) is spent; otherwise count down.
    cmp(qword[BPFLAB_STATE(may_goto)], 0);
    je(label_at(jump_target(m, pc), pc), T_NEAR);
    dec(qword[BPFLAB_STATE(may_goto)]);
}

void Emitter::call_native(const void* fn) {
    // Generated functions run with rsp = 8 (mod 16), as after any call: realign for SysV.
    sub(rsp, 8);
    mov(r10, reinterpret_cast<std::uintptr_t>(fn));
    Xbyak::CodeGenerator::call(r10);
    add(rsp, 8);
}

void Emitter::leave_if_stopped() {
    cmp(dword[BPFLAB_STATE(stop)], 0);
    jne(stop_exit_, T_NEAR);
}

void Emitter::call(const Call& c, std::uint32_t pc) {
    if (c.kind == CallKind::Kfunc)
        throw CompileError(pc, "kfunc call " + std::to_string(c.imm) + " is not supported by the JIT");
    if (c.kind == CallKind::Local) {
        Xbyak::Label& target = label_at(jump_target(c, pc), pc);
        // At most 8 frames: depth 7 is the deepest callee.
        Xbyak::Label ok;
        cmp(dword[BPFLAB_STATE(depth)], vm::kMaxFrames - 1);
        jb(ok, T_NEAR);
        mov(r10d, pc);
        jmp(depth_fault_, T_NEAR);
        L(ok);
        inc(dword[BPFLAB_STATE(depth)]);
        // The callee may use r6-r9 and gets the next 512-byte frame; five pushes and the return
        // address keep rsp = 8 (mod 16) at the callee's entry.
        push(rbx);
        push(r13);
        push(r14);
        push(r15);
        push(rbp);
        add(rbp, vm::kStackSize);
        Xbyak::CodeGenerator::call(target);
        pop(rbp);
        pop(r15);
        pop(r14);
        pop(r13);
        pop(rbx);
        dec(dword[BPFLAB_STATE(depth)]);
        return;
    }
    const HelperFn fn = find_helper(c.imm);
    if (fn == nullptr) {
        const auto name = helper_name(c.imm);
        throw CompileError(pc, "helper " + (name ? std::string(*name) : "#" + std::to_string(c.imm)) +
                                   " (" + std::to_string(c.imm) + ") is not supported by the JIT");
    }
    if (c.imm == 12) tail_call_ = true;  // BPF_FUNC_tail_call
    mov(dword[BPFLAB_STATE(pc)], pc);
    mov(r9, r12);  // the sixth SysV argument: the state
    call_native(reinterpret_cast<const void*>(fn));
    leave_if_stopped();
}

void Emitter::exit() { ret(); }

#undef BPFLAB_STATE

}  // namespace bpflab::jit
