// SPDX-License-Identifier: Apache-2.0
// bpflab: the JIT's static register map, eBPF r0..r10 onto x86-64, with its ABI reasoning.
#pragma once

#include <array>

#include <xbyak/xbyak.h>

#include "core/isa.hpp"

namespace bpflab::jit {

using X = Xbyak::Operand;

/// eBPF register i lives in x86-64 register kRegMap[i] for the whole run. Why these:
/// - r0 is the helper and program return value: rax, the SysV return register.
/// - r1..r5 are helper arguments 1..5: rdi, rsi, rdx, rcx, r8 are the first five SysV argument
///   registers, so a helper call passes them with no shuffling (the sixth, r9, carries the
///   JitState). Helpers clobber r1..r5 in eBPF; SysV lets the callee clobber these too.
/// - r6..r9 must survive helper calls: rbx, r13, r14, r15 are SysV callee-saved.
/// - r10, the read-only frame pointer: rbp, callee-saved; a local call adds 512 (next frame).
/// Fixed roles outside the map: r12 holds the JitState pointer for the whole run (callee-saved,
/// so C++ helpers keep it); r9, r10, r11 are scratch (caller-saved, never eBPF registers).
/// Two x86 constraints touch mapped registers: variable shifts take their count in cl (r4's
/// rcx) and div/idiv use rdx:rax (r3 and r0); the ALU emitter saves and restores around them.
inline constexpr std::array<int, 11> kRegMap = {
    X::RAX, X::RDI, X::RSI, X::RDX, X::RCX, X::R8, X::RBX, X::R13, X::R14, X::R15, X::RBP,
};
inline constexpr int kStateReg = X::R12;
inline constexpr std::array<int, 3> kScratch = {X::R9, X::R10, X::R11};

/// The x86-64 register of eBPF register `r` (64-bit view).
[[nodiscard]] inline Xbyak::Reg64 reg64(Reg r) { return Xbyak::Reg64(kRegMap[r]); }
/// The 32-bit view of eBPF register `r`.
[[nodiscard]] inline Xbyak::Reg32 reg32(Reg r) { return Xbyak::Reg32(kRegMap[r]); }

/// The low `bytes` bytes of an x86 register (by value: Xbyak views are small values).
[[nodiscard]] inline Xbyak::Reg sized(const Xbyak::Reg64& r, int bytes) {
    switch (bytes) {
        case 1: return r.cvt8();
        case 2: return r.cvt16();
        case 4: return r.cvt32();
        default: return r;
    }
}
/// The ALU view of an x86 register: all of it for 64-bit operations, its low half otherwise.
[[nodiscard]] inline Xbyak::Reg view(const Xbyak::Reg64& r, bool is64) { return sized(r, is64 ? 8 : 4); }

}  // namespace bpflab::jit
