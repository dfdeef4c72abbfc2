// SPDX-License-Identifier: Apache-2.0
// bpflab: JIT emitters for ALU / ALU64 arithmetic, byte swaps and 64-bit immediate loads.
#include <cstdint>
#include <string>

#include "core/jit/emitter.hpp"
#include "core/semantics.hpp"

namespace bpflab::jit {

using Xbyak::Reg32;
using Xbyak::Reg64;
using Xbyak::util::eax;
using Xbyak::util::ecx;
using Xbyak::util::edx;
using Xbyak::util::r10;
using Xbyak::util::r11;
using Xbyak::util::r11d;
using Xbyak::util::r9;
using Xbyak::util::rax;
using Xbyak::util::rcx;
using Xbyak::util::rdx;

void Emitter::alu(const Alu& a) {
    const Reg64 d = reg64(a.dst);
    const Reg32 d32 = reg32(a.dst);
    const Xbyak::Reg dw = view(d, a.is64);
    const Reg64 s = reg64(a.src.reg);
    const Xbyak::Reg sw = view(s, a.is64);
    // An immediate is sign-extended to 64 bits (ALU64) or used as is (ALU); x86's imm32 forms
    // sign-extend in 64-bit operations, which is the same value.
    const auto imm = static_cast<std::uint32_t>(a.src.imm);
    switch (a.op) {
        case AluOp::Add:
            if (a.src.is_reg) add(dw, sw); else add(dw, imm);
            break;
        case AluOp::Sub:
            if (a.src.is_reg) sub(dw, sw); else sub(dw, imm);
            break;
        case AluOp::Or:
            if (a.src.is_reg) or_(dw, sw); else or_(dw, imm);
            break;
        case AluOp::And:
            if (a.src.is_reg) and_(dw, sw); else and_(dw, imm);
            break;
        case AluOp::Xor:
            if (a.src.is_reg) xor_(dw, sw); else xor_(dw, imm);
            break;
        case AluOp::Mul:
            if (a.src.is_reg) imul(dw, sw); else imul(dw, dw, a.src.imm);
            break;
        case AluOp::Neg: neg(dw); break;
        case AluOp::Mov:
            if (a.src.is_reg) {
                mov(dw, sw);  // the 32-bit form zero-extends
            } else if (a.is64) {
                mov(d, sem::imm64(a.src.imm));
            } else {
                mov(d32, imm);
            }
            break;
        case AluOp::MovSx: movsx_alu(a); break;
        case AluOp::Lsh:
        case AluOp::Rsh:
        case AluOp::Arsh: shift(a); break;
        case AluOp::Div:
        case AluOp::SDiv:
        case AluOp::Mod:
        case AluOp::SMod: divmod(a); break;
    }
    // x86 32-bit operations already zero the upper half of their destination.
}

void Emitter::movsx_alu(const Alu& a) {
    const Reg64 d = reg64(a.dst);
    const Reg32 d32 = reg32(a.dst);
    if (!a.src.is_reg) {
        const std::uint64_t v = a.is64 ? sem::alu<std::uint64_t>(AluOp::MovSx, 0, sem::imm64(a.src.imm), a.sx_bits)
                                       : sem::alu<std::uint32_t>(AluOp::MovSx, 0, static_cast<std::uint32_t>(a.src.imm), a.sx_bits);
        mov(d, v);
        return;
    }
    const Reg64 s = reg64(a.src.reg);
    switch (a.sx_bits) {
        case 8: if (a.is64) movsx(d, s.cvt8()); else movsx(d32, s.cvt8()); break;
        case 16: if (a.is64) movsx(d, s.cvt16()); else movsx(d32, s.cvt16()); break;
        case 32: if (a.is64) movsxd(d, s.cvt32()); else mov(d32, s.cvt32()); break;
        default: if (a.is64) mov(d, s); else mov(d32, s.cvt32()); break;
    }
}

void Emitter::shift(const Alu& a) {
    auto emit = [&](const Xbyak::Operand& target, bool by_cl, int amount) {
        switch (a.op) {
            case AluOp::Lsh: if (by_cl) shl(target, Xbyak::util::cl); else shl(target, amount); break;
            case AluOp::Rsh: if (by_cl) shr(target, Xbyak::util::cl); else shr(target, amount); break;
            default: if (by_cl) sar(target, Xbyak::util::cl); else sar(target, amount); break;
        }
    };
    const Reg64 d = reg64(a.dst);
    const Xbyak::Reg dw = view(d, a.is64);
    if (!a.src.is_reg) {
        // The ISA masks the count to the width; so does x86, but mask here to encode imm8.
        const int amount = a.src.imm & (a.is64 ? 63 : 31);
        if (amount != 0) {
            emit(dw, false, amount);
        } else if (!a.is64) {
            mov(reg32(a.dst), reg32(a.dst));  // a 32-bit shift by 0 still zero-extends
        }
        return;
    }
    // x86 masks a cl count to 63 (64-bit) or 31 (32-bit): the ISA's masking, for free.
    // A 32-bit shift by a zero count leaves the register unchanged on x86 (no zero-extension),
    // so ALU32 shifts by register end with an explicit zero-extension.
    const Reg64 s = reg64(a.src.reg);
    if (s.getIdx() == rcx.getIdx()) {
        emit(dw, true, 0);
    } else if (d.getIdx() == rcx.getIdx()) {
        mov(r11, rcx);
        mov(rcx, s);
        emit(view(r11, a.is64), true, 0);
        mov(rcx, r11);
    } else {
        mov(r11, rcx);
        mov(rcx, s);
        emit(dw, true, 0);
        mov(rcx, r11);
    }
    if (!a.is64) mov(reg32(a.dst), reg32(a.dst));
}

void Emitter::divmod(const Alu& a) {
    const bool is_signed = a.op == AluOp::SDiv || a.op == AluOp::SMod;
    const bool is_mod = a.op == AluOp::Mod || a.op == AluOp::SMod;
    const Reg64 d = reg64(a.dst);
    const Xbyak::Reg div_w = view(r11, a.is64);
    const Xbyak::Reg ax_w = view(rax, a.is64);
    const Xbyak::Reg dx_w = view(rdx, a.is64);
    // r11 = divisor (read before rax/rdx change), r9/r10 = saved r0/r3, rax = dividend.
    if (a.src.is_reg) {
        if (a.is64) mov(r11, reg64(a.src.reg)); else mov(r11d, reg32(a.src.reg));
    } else {
        if (a.is64) mov(r11, sem::imm64(a.src.imm)); else mov(r11d, static_cast<std::uint32_t>(a.src.imm));
    }
    mov(r9, rax);
    mov(r10, rdx);
    if (a.is64) mov(rax, d); else mov(eax, reg32(a.dst));
    Xbyak::Label by_zero, by_minus_one, done;
    test(div_w, div_w);
    jz(by_zero, T_NEAR);
    if (is_signed) {
        // idiv traps on INT_MIN / -1; x / -1 is -x (wrapping) and x % -1 is 0.
        cmp(div_w, -1);
        je(by_minus_one, T_NEAR);
        if (a.is64) cqo(); else cdq();
        idiv(div_w);
    } else {
        xor_(edx, edx);
        div(div_w);
    }
    mov(div_w, is_mod ? dx_w : ax_w);
    jmp(done, T_NEAR);
    if (is_signed) {
        L(by_minus_one);
        if (is_mod) {
            xor_(r11d, r11d);
        } else {
            neg(ax_w);
            mov(div_w, ax_w);
        }
        jmp(done, T_NEAR);
    }
    L(by_zero);
    // Division by zero gives 0; modulo by zero leaves the dividend (32-bit: its low half).
    if (is_mod) mov(div_w, ax_w); else xor_(r11d, r11d);
    L(done);
    mov(rax, r9);
    mov(rdx, r10);
    mov(d, r11);
}

void Emitter::endian(const Endian& e) {
    const Reg64 d = reg64(e.dst);
    const Reg32 d32 = reg32(e.dst);
    const bool swap = e.kind != EndianKind::ToLe;
    switch (e.bits) {
        case 16:
            if (swap) rol(d.cvt16(), 8);
            movzx(d32, d.cvt16());
            break;
        case 32:
            if (swap) bswap(d32); else mov(d32, d32);
            break;
        default:
            if (swap) bswap(d);
            break;
    }
}

void Emitter::ldimm64(const LdImm64& l, std::uint32_t pc) {
    const Reg64 d = reg64(l.dst);
    switch (l.kind) {
        case LdImmKind::Imm64: mov(d, l.value()); return;
        case LdImmKind::MapFd:
        case LdImmKind::MapIdx: {
            const auto m = static_cast<std::uint32_t>(l.imm);
            if (m >= ctx_.maps->size())
                throw CompileError(pc, "reference to map " + std::to_string(m) + " which does not exist");
            // The interpreter's map pointer: the host address of the emulated Map.
            mov(d, reinterpret_cast<std::uintptr_t>(&ctx_.maps->at(m)));
            return;
        }
        case LdImmKind::MapValue:
        case LdImmKind::MapIdxValue: {
            const auto m = static_cast<std::uint32_t>(l.imm);
            if (m >= ctx_.maps->size() || !ctx_.maps->at(m).is_array_like() ||
                ctx_.maps->at(m).arena().empty())
                throw CompileError(pc, "direct value reference to map " + std::to_string(m) +
                                           " which is not a global-data array");
            mov(d, reinterpret_cast<std::uintptr_t>(ctx_.maps->at(m).arena().data()) +
                       static_cast<std::uint64_t>(std::int64_t{l.next_imm}));
            return;
        }
        case LdImmKind::CodeAddr:
            // A callback address: the host address of the subprogram's code.
            mov(d, label_at(std::int64_t{pc} + l.imm + 1, pc));
            return;
        case LdImmKind::VarAddr:
            throw CompileError(pc, "64-bit load of a BTF variable address is not supported by the JIT");
    }
}

}  // namespace bpflab::jit
