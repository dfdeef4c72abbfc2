// SPDX-License-Identifier: Apache-2.0
// bpflab: JIT emitters for memory — loads (with context pointer fields), stores, atomics,
// legacy packet loads, and the checked mode's bounds check before each access.
#include <cstddef>
#include <cstdint>

#include "core/jit/emitter.hpp"
#include "core/semantics.hpp"

namespace bpflab::jit {

using Xbyak::Reg64;
using Xbyak::util::byte;
using Xbyak::util::dword;
using Xbyak::util::eax;
using Xbyak::util::edx;
using Xbyak::util::qword;
using Xbyak::util::r10;
using Xbyak::util::r10d;
using Xbyak::util::r11;
using Xbyak::util::r11d;
using Xbyak::util::r12;
using Xbyak::util::r9;
using Xbyak::util::r9d;
using Xbyak::util::rax;
using Xbyak::util::rdi;
using Xbyak::util::rsi;
using Xbyak::util::word;

#define BPFLAB_STATE(field) (r12 + static_cast<int>(offsetof(JitState, field)))

namespace {

Xbyak::Address sized_mem(const Xbyak::RegExp& at, int size) {
    switch (size) {
        case 1: return byte[at];
        case 2: return word[at];
        case 4: return dword[at];
        default: return qword[at];
    }
}

Xbyak::Reg sized_reg(Reg r, int size) { return jit::sized(reg64(r), size); }

}  // namespace

void Emitter::check_access(Reg base, std::int16_t off, int size, bool write, std::uint32_t pc) {
    // r11 = address, r10d = pc << 8 | write << 7 | size; the stub saves r0-r5 and calls
    // jit_check, leaving through stop_exit_ when the access is outside every region.
    lea(r11, Xbyak::util::ptr[reg64(base) + off]);
    mov(r10d, (pc << 8) | (write ? 0x80u : 0u) | static_cast<std::uint32_t>(size));
    Xbyak::CodeGenerator::call(check_stub_);
}

void Emitter::load(const Load& l, std::uint32_t pc) {
    const int size = bytes(l.size);
    if (ctx_.checked) check_access(l.src, l.off, size, false, pc);
    const bool may_ctx = ctx_.may_ctx == nullptr || ((ctx_.may_ctx[pc] >> l.src) & 1u) != 0;
    if (!l.sign_ext && l.size == Size::W && ctx_.type != nullptr && may_ctx) {
        for (const CtxField& f : ctx_.type->fields)
            if (f.kind != CtxFieldKind::Scalar && f.offset == l.off) {
                load_ctx_field(l);
                return;
            }
    }
    const Reg64 d = reg64(l.dst);
    const Xbyak::RegExp at = reg64(l.src) + l.off;
    switch (l.size) {
        case Size::B: if (l.sign_ext) movsx(d, byte[at]); else movzx(d.cvt32(), byte[at]); break;
        case Size::H: if (l.sign_ext) movsx(d, word[at]); else movzx(d.cvt32(), word[at]); break;
        case Size::W: if (l.sign_ext) movsxd(d, dword[at]); else mov(d.cvt32(), dword[at]); break;
        case Size::DW: mov(d, qword[at]); break;
    }
}

void Emitter::load_ctx_field(const Load& l) {
    // The kernel rewrites 4-byte loads of ctx->data / data_end / data_meta into loads of the
    // 64-bit pointers. Here the address decides at run time: equal to the field's host address
    // in this run's context, the pointer comes from the state; any other address is a plain load.
    int k = 0;
    for (const CtxField& f : ctx_.type->fields)
        if (f.kind != CtxFieldKind::Scalar && f.offset == l.off) k = static_cast<int>(f.kind) - 1;
    const Reg64 d = reg64(l.dst);
    const Xbyak::RegExp at = reg64(l.src) + l.off;
    Xbyak::Label plain, done;
    lea(r11, Xbyak::util::ptr[at]);
    cmp(r11, qword[BPFLAB_STATE(field_addr) + 8 * k]);
    jne(plain, T_NEAR);
    mov(d, qword[BPFLAB_STATE(field_value) + 8 * k]);
    jmp(done, T_NEAR);
    L(plain);
    mov(d.cvt32(), dword[r11]);
    L(done);
}

void Emitter::store(const Store& s, std::uint32_t pc) {
    const int size = bytes(s.size);
    if (ctx_.checked) check_access(s.dst, s.off, size, true, pc);
    const Xbyak::Address at = sized_mem(reg64(s.dst) + s.off, size);
    if (s.src.is_reg) {
        mov(at, sized_reg(s.src.reg, size));
        return;
    }
    switch (s.size) {
        case Size::B: mov(at, static_cast<std::uint32_t>(s.src.imm) & 0xffu); break;
        case Size::H: mov(at, static_cast<std::uint32_t>(s.src.imm) & 0xffffu); break;
        case Size::W: mov(at, static_cast<std::uint32_t>(s.src.imm)); break;
        case Size::DW: mov(at, sem::imm64(s.src.imm)); break;  // imm32, sign-extended
    }
}

void Emitter::atomic(const Atomic& a, std::uint32_t pc) {
    // On x86 (TSO) plain moves already have acquire / release ordering.
    if (a.op == AtomicOp::LoadAcquire) {
        load(Load{a.size, false, a.dst, a.src, a.off}, pc);
        return;
    }
    if (a.op == AtomicOp::StoreRelease) {
        store(Store{a.size, a.dst, a.off, Operand{true, a.src, 0}}, pc);
        return;
    }
    const int size = bytes(a.size);
    if (ctx_.checked) check_access(a.dst, a.off, size, true, pc);
    const Xbyak::Address at = sized_mem(reg64(a.dst) + a.off, size);
    const Xbyak::Reg s = sized_reg(a.src, size);
    switch (a.op) {
        case AtomicOp::Add:
            lock();
            if (a.fetch) xadd(at, s); else add(at, s);  // 32-bit xadd zero-extends src
            break;
        case AtomicOp::Or:
        case AtomicOp::And:
        case AtomicOp::Xor:
            if (a.fetch) {
                atomic_fetch_loop(a);
                break;
            }
            lock();
            if (a.op == AtomicOp::Or) or_(at, s);
            else if (a.op == AtomicOp::And) and_(at, s);
            else xor_(at, s);
            break;
        case AtomicOp::Xchg: xchg(at, s); break;  // implicitly locked
        case AtomicOp::Cmpxchg:
            lock();
            cmpxchg(at, s);
            // On success x86 leaves eax (= the old value) unwritten: zero-extend it.
            if (size == 4) mov(eax, eax);
            break;
        default: break;
    }
}

void Emitter::atomic_fetch_loop(const Atomic& a) {
    // old = *p; do { new = old op src } while (!cmpxchg(p, old, new)); src = old.
    // cmpxchg needs rax (r0): save it in r9, and read src from r9 when src is r0.
    const bool wide = a.size == Size::DW;
    const Xbyak::Reg ax_w = view(rax, wide);
    const Xbyak::Reg tmp = view(r11, wide);
    const Xbyak::Reg src = a.src == 0 ? view(r9, wide) : view(reg64(a.src), wide);
    lea(r10, Xbyak::util::ptr[reg64(a.dst) + a.off]);
    mov(r9, rax);
    mov(ax_w, sized_mem(r10, wide ? 8 : 4));
    Xbyak::Label retry;
    L(retry);
    mov(tmp, ax_w);
    if (a.op == AtomicOp::Or) or_(tmp, src);
    else if (a.op == AtomicOp::And) and_(tmp, src);
    else xor_(tmp, src);
    lock();
    cmpxchg(sized_mem(r10, wide ? 8 : 4), tmp);
    jne(retry, T_NEAR);
    if (a.src != 0) {
        mov(src, ax_w);  // the 32-bit form zero-extends
        mov(rax, r9);
    }
}

void Emitter::ld_packet(const LdPacket& p, std::uint32_t pc) {
    const ProgramTypeInfo* t = ctx_.type;
    if (t == nullptr || !t->packet_context || t->prog_type == 6 /* BPF_PROG_TYPE_XDP */)
        throw CompileError(pc, "legacy packet load outside an skb program");
    // off = (s32)(imm + src) as the interpreter computes it; r1-r5 are clobbered (as in eBPF).
    mov(r11d, static_cast<std::uint32_t>(p.imm));
    if (p.indirect) add(r11d, reg32(p.src));
    movsxd(rsi, r11d);
    mov(rdi, r12);
    mov(edx, static_cast<std::uint32_t>(bytes(p.size)));
    mov(dword[BPFLAB_STATE(pc)], pc);
    call_native(reinterpret_cast<const void*>(&jit_ld_packet));
    leave_if_stopped();
}

#undef BPFLAB_STATE

}  // namespace bpflab::jit
