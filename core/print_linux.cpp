// SPDX-License-Identifier: Apache-2.0
// bpflab: instruction text in the Linux/LLVM syntax, as `llvm-objdump-19 -d` prints it.
//
// The reference is `llvm-objdump-19 -d` with its default CPU (no alu32 feature), minus the
// `<sym+off>` suffix after jump targets. Where that output loses information or prints
// `<unknown>`, this printer chooses a spelling that still round-trips (docs/asm-syntax.md):
//  - 32-bit atomics other than plain add, and 32-bit fetch-add (which default objdump prints as
//    a plain add): the `--mattr=+alu32` spelling, e.g. `w2 = atomic_fetch_or((u32 *)(r1 + 0x0),
//    w2)`.
//  - ldimm64 with src != 0: objdump prints `ld_pseudo r1, 0x2, 0x5` and drops the high word;
//    we append it as a fourth operand when it is not zero: `ld_pseudo r1, 0x2, 0x5, 0x7`.
//  - local calls: objdump prints `call -0x2` like a helper call; we print `call pc-0x2`.
//  - kfunc calls: objdump prints `call 0x4d2`; we print `call kfunc 0x4d2` (`, 0x3` for off).
//  - `ld_ind` with imm != 0: objdump prints `skb[r2]`; we print `skb[r2 + 0x4]`.
//  - not known to LLVM 19: `gotox r3`, `r1 = load_acquire((u64 *)(r2 + 0x0))`,
//    `store_release((u64 *)(r1 + 0x0), r2)` (LLVM 21+ spellings; `w` registers below 64 bits).
#include <string>

#include "core/asm_text.hpp"

namespace bpflab::asm_text {
namespace {

std::string reg(Reg r, bool is32 = false) {
    return (is32 ? "w" : "r") + std::to_string(r);
}

const char* size_name(Size s) {
    switch (s) {
        case Size::B:
            return "8";
        case Size::H:
            return "16";
        case Size::W:
            return "32";
        case Size::DW:
            return "64";
    }
    return "64";
}

// `r10 - 0x8`, `r1 + 0x0`.
std::string address(Reg base, std::int64_t off) {
    return reg(base) + (off < 0 ? " - " : " + ") + signed_hex(off < 0 ? -off : off);
}

std::string mem(const char* sign, Size s, Reg base, std::int64_t off) {
    return std::string("*(") + sign + size_name(s) + " *)(" + address(base, off) + ")";
}

std::string operand(const Operand& o, bool is32) {
    return o.is_reg ? reg(o.reg, is32) : signed_hex(o.imm);
}

const char* alu_symbol(AluOp op) {
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

const char* cond_symbol(Cond c) {
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

const char* atomic_name(AtomicOp op) {
    switch (op) {
        case AtomicOp::Add:
            return "add";
        case AtomicOp::Or:
            return "or";
        case AtomicOp::And:
            return "and";
        case AtomicOp::Xor:
            return "xor";
        default:
            return "?";
    }
}

const char* atomic_symbol(AtomicOp op) {
    switch (op) {
        case AtomicOp::Add:
            return "+=";
        case AtomicOp::Or:
            return "|=";
        case AtomicOp::And:
            return "&=";
        case AtomicOp::Xor:
            return "^=";
        default:
            return "?=";
    }
}

std::string print_atomic(const Atomic& a) {
    const bool w = a.size != Size::DW;
    const std::string at = address(a.dst, a.off);
    switch (a.op) {
        case AtomicOp::LoadAcquire:
            return reg(a.dst, w) + " = load_acquire(" + mem("u", a.size, a.src, a.off).substr(1) +
                   ")";
        case AtomicOp::StoreRelease:
            return "store_release(" + mem("u", a.size, a.dst, a.off).substr(1) + ", " +
                   reg(a.src, w) + ")";
        case AtomicOp::Xchg:
            return reg(a.src, w) + (w ? " = xchg32_32(" : " = xchg_64(") + at + ", " +
                   reg(a.src, w) + ")";
        case AtomicOp::Cmpxchg:
            return reg(0, w) + (w ? " = cmpxchg32_32(" : " = cmpxchg_64(") + at + ", " + reg(0, w) +
                   ", " + reg(a.src, w) + ")";
        default:
            break;
    }
    if (a.fetch)
        return reg(a.src, w) + " = atomic_fetch_" + atomic_name(a.op) + "(" +
               mem("u", a.size, a.dst, a.off).substr(1) + ", " + reg(a.src, w) + ")";
    // Default objdump spells only the 32-bit add with an `r` source; the rest come from alu32.
    const bool wsrc = w && a.op != AtomicOp::Add;
    return "lock " + mem("u", a.size, a.dst, a.off) + " " + atomic_symbol(a.op) + " " +
           reg(a.src, wsrc);
}

std::string print_ldimm(const LdImm64& l) {
    if (l.kind == LdImmKind::Imm64)
        return reg(l.dst) + " = " + signed_hex(static_cast<std::int64_t>(l.value())) + " ll";
    std::string s = "ld_pseudo " + reg(l.dst) + ", " + unsigned_hex(static_cast<unsigned>(l.kind)) +
                    ", " + unsigned_hex(static_cast<std::uint32_t>(l.imm));
    if (l.next_imm != 0) s += ", " + unsigned_hex(static_cast<std::uint32_t>(l.next_imm));
    return s;
}

}  // namespace

std::string print_linux(const Instruction& insn) {
    return std::visit(
        Overloaded{
            [](const Alu& a) -> std::string {
                const bool w = !a.is64;
                switch (a.op) {
                    case AluOp::Neg:
                        return reg(a.dst, w) + " = -" + reg(a.dst, w);
                    case AluOp::MovSx:
                        return reg(a.dst, w) + " = (s" + std::to_string(a.sx_bits) + ")" +
                               reg(a.src.reg, w);
                    default:
                        return reg(a.dst, w) + " " + alu_symbol(a.op) + " " + operand(a.src, w);
                }
            },
            [](const Endian& e) -> std::string {
                const char* k = e.kind == EndianKind::ToLe   ? "le"
                                : e.kind == EndianKind::ToBe ? "be"
                                                             : "bswap";
                return reg(e.dst) + " = " + k + std::to_string(e.bits) + " " + reg(e.dst);
            },
            [](const Jmp& j) -> std::string {
                return "if " + reg(j.dst, j.is32) + " " + cond_symbol(j.cond) + " " +
                       operand(j.src, j.is32) + " goto " + offset_hex(j.offset);
            },
            [](const Ja& j) -> std::string {
                return (j.is32 ? "gotol " : "goto ") + offset_hex(j.offset);
            },
            [](const Load& l) -> std::string {
                return reg(l.dst) + " = " + mem(l.sign_ext ? "s" : "u", l.size, l.src, l.off);
            },
            [](const Store& s) -> std::string {
                return mem("u", s.size, s.dst, s.off) + " = " + operand(s.src, false);
            },
            [](const Atomic& a) { return print_atomic(a); },
            [](const LdImm64& l) { return print_ldimm(l); },
            [](const LdPacket& p) -> std::string {
                std::string idx = signed_hex(p.imm);
                if (p.indirect) {
                    idx = reg(p.src);
                    if (p.imm != 0)
                        idx += (p.imm < 0 ? " - " : " + ") +
                               signed_hex(p.imm < 0 ? -static_cast<std::int64_t>(p.imm) : p.imm);
                }
                return std::string("r0 = *(u") + size_name(p.size) + " *)skb[" + idx + "]";
            },
            [](const Call& c) -> std::string {
                switch (c.kind) {
                    case CallKind::Helper:
                        return "call " + signed_hex(c.imm);
                    case CallKind::Local:
                        return "call pc" + offset_hex(c.imm);
                    case CallKind::Kfunc: {
                        std::string s = "call kfunc " + signed_hex(c.imm);
                        if (c.off != 0) s += ", " + signed_hex(c.off);
                        return s;
                    }
                }
                return "call";
            },
            [](const Exit&) -> std::string { return "exit"; },
            [](const MayGoto& m) -> std::string { return "may_goto " + offset_hex(m.offset); },
            [](const Gotox& g) -> std::string { return "gotox " + reg(g.dst); },
            [](const AddrSpaceCast& a) -> std::string {
                const auto u = static_cast<std::uint32_t>(a.imm);
                return reg(a.dst) + " = addr_space_cast(" + reg(a.src) + ", " +
                       unsigned_hex(u >> 16) + ", " + unsigned_hex(u & 0xffff) + ")";
            },
        },
        insn);
}

}  // namespace bpflab::asm_text
