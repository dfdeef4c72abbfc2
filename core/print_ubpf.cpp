// SPDX-License-Identifier: Apache-2.0
// bpflab: instruction text in the uBPF / bpf_conformance syntax (`mov r0, 1`, `ldxw r1, [r2+4]`).
//
// Mnemonics follow the bpf_conformance test data: `add`/`add32`, `sdiv`, `smod`, `neg`,
// `movsx864` (source bits, then destination bits), `le16`/`be16`/`bswap16`, `ldxw`, `ldxsb`,
// `stw`, `stxdw`, `lock [fetch] add32 [r1+4], r2`, `lock xchg`, `lock cmpxchg`, `jeq`, `jset32`,
// `ja`, `ja32` (gotol), `call 1`, `call local +3`, `call runtime 42`, `lddw`, `exit`.
// Forms bpf_conformance has no spelling for use bpflab's own (docs/asm-syntax.md):
// `lddw r1, map_value_by_fd(5, 7)` and its siblings for ldimm64 with src != 0, `ldabsw 0x10`,
// `ldindw r2, 0x10`, `may_goto +3`, `gotox r3`, `addr_space_cast r1, r2, 1, 0`,
// `ldacqw r1, [r2+4]` (load-acquire), `strelw [r1+4], r2` (store-release), and
// `call runtime 42, 3` for a kfunc with a non-zero BTF fd index.
#include <string>

#include "core/asm_text.hpp"

namespace bpflab::asm_text {
namespace {

std::string reg(Reg r) {
    return "r" + std::to_string(r);
}

const char* size_suffix(Size s) {
    switch (s) {
        case Size::B:
            return "b";
        case Size::H:
            return "h";
        case Size::W:
            return "w";
        case Size::DW:
            return "dw";
    }
    return "dw";
}

// Small and negative values in decimal, the rest in (unsigned 32-bit) hexadecimal.
std::string imm(std::int32_t v) {
    if (v < 0 && v != INT32_MIN) return std::to_string(v);
    if (v >= 0 && v <= 10) return std::to_string(v);
    return unsigned_hex(static_cast<std::uint32_t>(v));
}

std::string mem(Reg base, std::int16_t off) {
    if (off == 0) return "[" + reg(base) + "]";
    return "[" + reg(base) + (off > 0 ? "+" : "") + std::to_string(off) + "]";
}

const char* alu_name(AluOp op) {
    switch (op) {
        case AluOp::Add:
            return "add";
        case AluOp::Sub:
            return "sub";
        case AluOp::Mul:
            return "mul";
        case AluOp::Div:
            return "div";
        case AluOp::SDiv:
            return "sdiv";
        case AluOp::Mod:
            return "mod";
        case AluOp::SMod:
            return "smod";
        case AluOp::Or:
            return "or";
        case AluOp::And:
            return "and";
        case AluOp::Xor:
            return "xor";
        case AluOp::Lsh:
            return "lsh";
        case AluOp::Rsh:
            return "rsh";
        case AluOp::Arsh:
            return "arsh";
        case AluOp::Neg:
            return "neg";
        case AluOp::Mov:
            return "mov";
        case AluOp::MovSx:
            return "movsx";
    }
    return "?";
}

const char* cond_name(Cond c) {
    switch (c) {
        case Cond::Eq:
            return "jeq";
        case Cond::Ne:
            return "jne";
        case Cond::Set:
            return "jset";
        case Cond::Gt:
            return "jgt";
        case Cond::Ge:
            return "jge";
        case Cond::Lt:
            return "jlt";
        case Cond::Le:
            return "jle";
        case Cond::Sgt:
            return "jsgt";
        case Cond::Sge:
            return "jsge";
        case Cond::Slt:
            return "jslt";
        case Cond::Sle:
            return "jsle";
    }
    return "?";
}

const char* ldimm_name(LdImmKind k) {
    switch (k) {
        case LdImmKind::Imm64:
            return "imm64";
        case LdImmKind::MapFd:
            return "map_by_fd";
        case LdImmKind::MapValue:
            return "map_value_by_fd";
        case LdImmKind::VarAddr:
            return "var_addr";
        case LdImmKind::CodeAddr:
            return "code_addr";
        case LdImmKind::MapIdx:
            return "map_by_idx";
        case LdImmKind::MapIdxValue:
            return "map_value_by_idx";
    }
    return "?";
}

std::string print_atomic(const Atomic& a) {
    const std::string sfx = size_suffix(a.size);
    if (a.op == AtomicOp::LoadAcquire)
        return "ldacq" + sfx + " " + reg(a.dst) + ", " + mem(a.src, a.off);
    if (a.op == AtomicOp::StoreRelease)
        return "strel" + sfx + " " + mem(a.dst, a.off) + ", " + reg(a.src);
    const std::string w = a.size == Size::W ? "32" : "";
    std::string op;
    switch (a.op) {
        case AtomicOp::Xchg:
            op = "xchg";
            break;
        case AtomicOp::Cmpxchg:
            op = "cmpxchg";
            break;
        case AtomicOp::Add:
            op = a.fetch ? "fetch add" : "add";
            break;
        case AtomicOp::Or:
            op = a.fetch ? "fetch or" : "or";
            break;
        case AtomicOp::And:
            op = a.fetch ? "fetch and" : "and";
            break;
        case AtomicOp::Xor:
            op = a.fetch ? "fetch xor" : "xor";
            break;
        default:
            break;
    }
    return "lock " + op + w + " " + mem(a.dst, a.off) + ", " + reg(a.src);
}

}  // namespace

std::string print_ubpf(const Instruction& insn) {
    return std::visit(
        Overloaded{
            [](const Alu& a) -> std::string {
                const std::string w = a.is64 ? "" : "32";
                if (a.op == AluOp::Neg) return "neg" + w + " " + reg(a.dst);
                if (a.op == AluOp::MovSx)
                    return "movsx" + std::to_string(a.sx_bits) + (a.is64 ? "64" : "32") + " " +
                           reg(a.dst) + ", " + reg(a.src.reg);
                return alu_name(a.op) + w + " " + reg(a.dst) + ", " +
                       (a.src.is_reg ? reg(a.src.reg) : imm(a.src.imm));
            },
            [](const Endian& e) -> std::string {
                const char* k = e.kind == EndianKind::ToLe   ? "le"
                                : e.kind == EndianKind::ToBe ? "be"
                                                             : "bswap";
                return k + std::to_string(e.bits) + " " + reg(e.dst);
            },
            [](const Jmp& j) -> std::string {
                return cond_name(j.cond) + std::string(j.is32 ? "32 " : " ") + reg(j.dst) + ", " +
                       (j.src.is_reg ? reg(j.src.reg) : imm(j.src.imm)) + ", " +
                       offset_dec(j.offset);
            },
            [](const Ja& j) -> std::string {
                return (j.is32 ? "ja32 " : "ja ") + offset_dec(j.offset);
            },
            [](const Load& l) -> std::string {
                return std::string(l.sign_ext ? "ldxs" : "ldx") + size_suffix(l.size) + " " +
                       reg(l.dst) + ", " + mem(l.src, l.off);
            },
            [](const Store& s) -> std::string {
                if (s.src.is_reg)
                    return std::string("stx") + size_suffix(s.size) + " " + mem(s.dst, s.off) +
                           ", " + reg(s.src.reg);
                return std::string("st") + size_suffix(s.size) + " " + mem(s.dst, s.off) + ", " +
                       imm(s.src.imm);
            },
            [](const Atomic& a) { return print_atomic(a); },
            [](const LdImm64& l) -> std::string {
                if (l.kind == LdImmKind::Imm64)
                    return "lddw " + reg(l.dst) + ", " + unsigned_hex(l.value());
                std::string s = "lddw " + reg(l.dst) + ", " + ldimm_name(l.kind) + "(" + imm(l.imm);
                if (l.kind != LdImmKind::MapFd && l.kind != LdImmKind::MapIdx)
                    s += ", " + imm(l.next_imm);
                return s + ")";
            },
            [](const LdPacket& p) -> std::string {
                if (p.indirect)
                    return std::string("ldind") + size_suffix(p.size) + " " + reg(p.src) + ", " +
                           imm(p.imm);
                return std::string("ldabs") + size_suffix(p.size) + " " + imm(p.imm);
            },
            [](const Call& c) -> std::string {
                switch (c.kind) {
                    case CallKind::Helper:
                        return "call " + imm(c.imm);
                    case CallKind::Local:
                        return "call local " + offset_dec(c.imm);
                    case CallKind::Kfunc: {
                        std::string s = "call runtime " + imm(c.imm);
                        if (c.off != 0) s += ", " + std::to_string(c.off);
                        return s;
                    }
                }
                return "call";
            },
            [](const Exit&) -> std::string { return "exit"; },
            [](const MayGoto& m) -> std::string { return "may_goto " + offset_dec(m.offset); },
            [](const Gotox& g) -> std::string { return "gotox " + reg(g.dst); },
            [](const AddrSpaceCast& a) -> std::string {
                const auto u = static_cast<std::uint32_t>(a.imm);
                return "addr_space_cast " + reg(a.dst) + ", " + reg(a.src) + ", " +
                       std::to_string(u >> 16) + ", " + std::to_string(u & 0xffff);
            },
        },
        insn);
}

}  // namespace bpflab::asm_text
