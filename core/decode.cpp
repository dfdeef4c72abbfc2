// SPDX-License-Identifier: Apache-2.0
// bpflab: decoding, encoding and structural validation of eBPF instructions.
#include "core/decode.hpp"

#include <cstring>
#include <optional>

namespace bpflab {
namespace {

using namespace op;  // NOLINT(google-build-using-namespace)

// Atomic operation codes carried in imm (RFC 9669 section 5.3, Linux for acquire/release).
constexpr std::int32_t kAtomicFetch = 0x01;
constexpr std::int32_t kAtomicXchg = 0xe0 | kAtomicFetch;
constexpr std::int32_t kAtomicCmpxchg = 0xf0 | kAtomicFetch;
constexpr std::int32_t kLoadAcquire = 0x100;
constexpr std::int32_t kStoreRelease = 0x110;

struct Fail {
    std::string why;
};

std::string hex8(unsigned v) {
    static const char* d = "0123456789abcdef";
    return std::string("0x") + d[(v >> 4) & 15] + d[v & 15];
}

Size size_of(std::uint8_t opc) {
    switch (size(opc)) {
        case kSizeB: return Size::B;
        case kSizeH: return Size::H;
        case kSizeW: return Size::W;
        default: return Size::DW;
    }
}

std::uint8_t size_bits(Size s) {
    switch (s) {
        case Size::B: return kSizeB;
        case Size::H: return kSizeH;
        case Size::W: return kSizeW;
        case Size::DW: return kSizeDw;
    }
    return kSizeDw;
}

// Each check returns a reason, or nothing when the field is acceptable.
std::optional<std::string> need_zero(const char* field, std::int64_t v) {
    if (v != 0) return std::string("reserved field ") + field + " must be 0";
    return std::nullopt;
}

std::optional<std::string> need_reg(const char* field, unsigned r) {
    if (r > 10) return std::string("invalid register r") + std::to_string(r) + " in " + field;
    return std::nullopt;
}

#define BPFLAB_CHECK(expr)                          \
    do {                                            \
        if (auto bad_ = (expr)) return Fail{*bad_}; \
    } while (0)

using Decoded = std::variant<Instruction, Fail>;

Decoded decode_alu(const RawInsn& r) {
    const bool is64 = cls(r.opcode) == kClsAlu64;
    const bool x = source(r.opcode) == kSrcX;
    const std::uint8_t c = code(r.opcode);
    BPFLAB_CHECK(need_reg("dst", r.dst));
    if (c == 0xd0) {  // END
        BPFLAB_CHECK(need_zero("src", r.src));
        BPFLAB_CHECK(need_zero("offset", r.off));
        if (r.imm != 16 && r.imm != 32 && r.imm != 64)
            return Fail{"byte swap width must be 16, 32 or 64, not " + std::to_string(r.imm)};
        if (is64 && x) return Fail{"unknown opcode " + hex8(r.opcode) + " (ALU64 END with X source)"};
        const EndianKind k = is64 ? EndianKind::Swap : (x ? EndianKind::ToBe : EndianKind::ToLe);
        return Endian{k, static_cast<std::uint8_t>(r.imm), r.dst};
    }
    if (c == 0x80) {  // NEG
        if (x) return Fail{"unknown opcode " + hex8(r.opcode) + " (NEG with X source)"};
        BPFLAB_CHECK(need_zero("src", r.src));
        BPFLAB_CHECK(need_zero("offset", r.off));
        BPFLAB_CHECK(need_zero("imm", r.imm));
        return Alu{AluOp::Neg, is64, r.dst, {}, 0};
    }
    if (c > 0xc0) return Fail{"unknown opcode " + hex8(r.opcode)};
    Operand src;
    if (x) {
        BPFLAB_CHECK(need_reg("src", r.src));
        src = Operand{true, r.src, 0};
    } else {
        BPFLAB_CHECK(need_zero("src", r.src));
        src = Operand{false, 0, r.imm};
    }
    AluOp o{};
    std::uint8_t sx = 0;
    switch (c) {
        case 0x00: o = AluOp::Add; break;
        case 0x10: o = AluOp::Sub; break;
        case 0x20: o = AluOp::Mul; break;
        case 0x30:
        case 0x90:
            if (r.off != 0 && r.off != 1) return Fail{"division offset must be 0 or 1"};
            o = c == 0x30 ? (r.off ? AluOp::SDiv : AluOp::Div) : (r.off ? AluOp::SMod : AluOp::Mod);
            break;
        case 0x40: o = AluOp::Or; break;
        case 0x50: o = AluOp::And; break;
        case 0x60: o = AluOp::Lsh; break;
        case 0x70: o = AluOp::Rsh; break;
        case 0xa0: o = AluOp::Xor; break;
        case 0xc0: o = AluOp::Arsh; break;
        case 0xb0:
            if (is64 && x && r.off == 1) {  // addr_space_cast
                return AddrSpaceCast{r.dst, r.src, r.imm};
            }
            if (r.off == 0) {
                o = AluOp::Mov;
            } else if (x && (r.off == 8 || r.off == 16 || (is64 && r.off == 32))) {
                o = AluOp::MovSx;
                sx = static_cast<std::uint8_t>(r.off);
            } else {
                return Fail{"invalid MOV offset " + std::to_string(r.off)};
            }
            break;
        default: return Fail{"unknown opcode " + hex8(r.opcode)};
    }
    if (c != 0x30 && c != 0x90 && c != 0xb0) BPFLAB_CHECK(need_zero("offset", r.off));
    if (x) BPFLAB_CHECK(need_zero("imm", r.imm));
    return Alu{o, is64, r.dst, src, sx};
}

Decoded decode_jmp(const RawInsn& r) {
    const bool is32 = cls(r.opcode) == kClsJmp32;
    const bool x = source(r.opcode) == kSrcX;
    const std::uint8_t c = code(r.opcode);
    auto all_zero = [&](bool dst, bool src, bool off, bool imm) -> std::optional<std::string> {
        if (dst && r.dst) return need_zero("dst", r.dst);
        if (src && r.src) return need_zero("src", r.src);
        if (off && r.off) return need_zero("offset", r.off);
        if (imm && r.imm) return need_zero("imm", r.imm);
        return std::nullopt;
    };
    switch (c) {
        case 0x00:  // JA, gotol, gotox
            if (x) {
                if (is32) return Fail{"unknown opcode " + hex8(r.opcode)};
                BPFLAB_CHECK(need_reg("dst", r.dst));
                BPFLAB_CHECK(all_zero(false, true, true, true));
                return Gotox{r.dst};
            }
            if (is32) {
                BPFLAB_CHECK(all_zero(true, true, true, false));
                return Ja{r.imm, true};
            }
            BPFLAB_CHECK(all_zero(true, true, false, true));
            return Ja{r.off, false};
        case 0x80:  // CALL
            if (is32 || x) return Fail{"unknown opcode " + hex8(r.opcode)};
            BPFLAB_CHECK(all_zero(true, false, false, false));
            if (r.src > 2) return Fail{"invalid call source " + std::to_string(r.src)};
            if (r.src != 2) BPFLAB_CHECK(need_zero("offset", r.off));
            return Call{static_cast<CallKind>(r.src), r.imm, r.off};
        case 0x90:  // EXIT
            if (is32 || x) return Fail{"unknown opcode " + hex8(r.opcode)};
            BPFLAB_CHECK(all_zero(true, true, true, true));
            return Exit{};
        case 0xe0:  // JCOND: may_goto
            if (is32 || x) return Fail{"unknown opcode " + hex8(r.opcode)};
            BPFLAB_CHECK(all_zero(true, true, false, true));
            return MayGoto{r.off};
        case 0xf0: return Fail{"unknown opcode " + hex8(r.opcode)};
        default: break;
    }
    Cond cd{};
    switch (c) {
        case 0x10: cd = Cond::Eq; break;
        case 0x20: cd = Cond::Gt; break;
        case 0x30: cd = Cond::Ge; break;
        case 0x40: cd = Cond::Set; break;
        case 0x50: cd = Cond::Ne; break;
        case 0x60: cd = Cond::Sgt; break;
        case 0x70: cd = Cond::Sge; break;
        case 0xa0: cd = Cond::Lt; break;
        case 0xb0: cd = Cond::Le; break;
        case 0xc0: cd = Cond::Slt; break;
        default: cd = Cond::Sle; break;  // 0xd0
    }
    BPFLAB_CHECK(need_reg("dst", r.dst));
    Operand src;
    if (x) {
        BPFLAB_CHECK(need_reg("src", r.src));
        BPFLAB_CHECK(need_zero("imm", r.imm));
        src = Operand{true, r.src, 0};
    } else {
        BPFLAB_CHECK(need_zero("src", r.src));
        src = Operand{false, 0, r.imm};
    }
    return Jmp{cd, is32, r.dst, src, r.off};
}

Decoded decode_ld(std::span<const RawInsn> slots, std::size_t pc) {
    const RawInsn& r = slots[pc];
    const std::uint8_t m = mode(r.opcode);
    if (r.opcode == (kClsLd | kModeImm | kSizeDw)) {
        BPFLAB_CHECK(need_reg("dst", r.dst));
        BPFLAB_CHECK(need_zero("offset", r.off));
        if (r.src > 6) return Fail{"invalid 64-bit immediate source " + std::to_string(r.src)};
        if (pc + 1 >= slots.size()) return Fail{"truncated 64-bit immediate load (no second slot)"};
        const RawInsn& n = slots[pc + 1];
        if (n.opcode != 0 || n.dst != 0 || n.src != 0 || n.off != 0)
            return Fail{"second slot of a 64-bit immediate load must be zero except imm"};
        const auto kind = static_cast<LdImmKind>(r.src);
        if ((kind == LdImmKind::MapFd || kind == LdImmKind::MapIdx) && n.imm != 0)
            return Fail{"map reference must have a zero upper immediate"};
        return LdImm64{kind, r.dst, r.imm, n.imm};
    }
    if ((m == kModeAbs || m == kModeInd) && size(r.opcode) != kSizeDw) {
        BPFLAB_CHECK(need_zero("dst", r.dst));
        BPFLAB_CHECK(need_zero("offset", r.off));
        if (m == kModeAbs) {
            BPFLAB_CHECK(need_zero("src", r.src));
        } else {
            BPFLAB_CHECK(need_reg("src", r.src));
        }
        return LdPacket{m == kModeInd, size_of(r.opcode), r.src, r.imm};
    }
    return Fail{"unknown opcode " + hex8(r.opcode)};
}

Decoded decode_mem(const RawInsn& r) {
    const std::uint8_t c = cls(r.opcode);
    const std::uint8_t m = mode(r.opcode);
    const Size sz = size_of(r.opcode);
    BPFLAB_CHECK(need_reg("dst", r.dst));
    if (c == kClsLdx) {
        if (m != kModeMem && !(m == kModeMemsx && sz != Size::DW))
            return Fail{"unknown opcode " + hex8(r.opcode)};
        BPFLAB_CHECK(need_reg("src", r.src));
        BPFLAB_CHECK(need_zero("imm", r.imm));
        return Load{sz, m == kModeMemsx, r.dst, r.src, r.off};
    }
    if (c == kClsSt) {
        if (m != kModeMem) return Fail{"unknown opcode " + hex8(r.opcode)};
        BPFLAB_CHECK(need_zero("src", r.src));
        return Store{sz, r.dst, r.off, Operand{false, 0, r.imm}};
    }
    // STX
    BPFLAB_CHECK(need_reg("src", r.src));
    if (m == kModeMem) {
        BPFLAB_CHECK(need_zero("imm", r.imm));
        return Store{sz, r.dst, r.off, Operand{true, r.src, 0}};
    }
    if (m != kModeAtomic) return Fail{"unknown opcode " + hex8(r.opcode)};
    if (r.imm == kLoadAcquire) return Atomic{AtomicOp::LoadAcquire, false, sz, r.dst, r.src, r.off};
    if (r.imm == kStoreRelease)
        return Atomic{AtomicOp::StoreRelease, false, sz, r.dst, r.src, r.off};
    if (sz != Size::W && sz != Size::DW) return Fail{"atomic operations need size W or DW"};
    switch (r.imm) {
        case kAtomicXchg: return Atomic{AtomicOp::Xchg, true, sz, r.dst, r.src, r.off};
        case kAtomicCmpxchg: return Atomic{AtomicOp::Cmpxchg, true, sz, r.dst, r.src, r.off};
        default: break;
    }
    const bool fetch = (r.imm & kAtomicFetch) != 0;
    switch (r.imm & ~kAtomicFetch) {
        case 0x00: return Atomic{AtomicOp::Add, fetch, sz, r.dst, r.src, r.off};
        case 0x40: return Atomic{AtomicOp::Or, fetch, sz, r.dst, r.src, r.off};
        case 0x50: return Atomic{AtomicOp::And, fetch, sz, r.dst, r.src, r.off};
        case 0xa0: return Atomic{AtomicOp::Xor, fetch, sz, r.dst, r.src, r.off};
        default: return Fail{"unknown atomic operation " + std::to_string(r.imm)};
    }
}

#undef BPFLAB_CHECK

std::int32_t atomic_imm(const Atomic& a) {
    switch (a.op) {
        case AtomicOp::Add: return 0x00 | (a.fetch ? kAtomicFetch : 0);
        case AtomicOp::Or: return 0x40 | (a.fetch ? kAtomicFetch : 0);
        case AtomicOp::And: return 0x50 | (a.fetch ? kAtomicFetch : 0);
        case AtomicOp::Xor: return 0xa0 | (a.fetch ? kAtomicFetch : 0);
        case AtomicOp::Xchg: return kAtomicXchg;
        case AtomicOp::Cmpxchg: return kAtomicCmpxchg;
        case AtomicOp::LoadAcquire: return kLoadAcquire;
        case AtomicOp::StoreRelease: return kStoreRelease;
    }
    return 0;
}

std::uint8_t alu_code(AluOp o) {
    switch (o) {
        case AluOp::Add: return 0x00;
        case AluOp::Sub: return 0x10;
        case AluOp::Mul: return 0x20;
        case AluOp::Div:
        case AluOp::SDiv: return 0x30;
        case AluOp::Or: return 0x40;
        case AluOp::And: return 0x50;
        case AluOp::Lsh: return 0x60;
        case AluOp::Rsh: return 0x70;
        case AluOp::Neg: return 0x80;
        case AluOp::Mod:
        case AluOp::SMod: return 0x90;
        case AluOp::Xor: return 0xa0;
        case AluOp::Mov:
        case AluOp::MovSx: return 0xb0;
        case AluOp::Arsh: return 0xc0;
    }
    return 0;
}

std::uint8_t cond_code(Cond c) {
    constexpr std::uint8_t kCodes[] = {0x10, 0x50, 0x40, 0x20, 0x30, 0xa0,
                                       0xb0, 0x60, 0x70, 0xc0, 0xd0};
    return kCodes[static_cast<int>(c)];
}

RawInsn raw(std::uint8_t opc, unsigned dst, unsigned src, std::int16_t off, std::int32_t imm) {
    RawInsn r;
    r.opcode = opc;
    r.dst = dst & 15;
    r.src = src & 15;
    r.off = off;
    r.imm = imm;
    return r;
}

}  // namespace

Expected<Instruction> decode_one(std::span<const RawInsn> slots, std::size_t pc) {
    const RawInsn& r = slots[pc];
    Decoded d;
    switch (cls(r.opcode)) {
        case kClsAlu:
        case kClsAlu64: d = decode_alu(r); break;
        case kClsJmp:
        case kClsJmp32: d = decode_jmp(r); break;
        case kClsLd: d = decode_ld(slots, pc); break;
        default: d = decode_mem(r); break;
    }
    if (auto* f = std::get_if<Fail>(&d))
        return Diagnostic{f->why + " (opcode " + hex8(r.opcode) + ")",
                          static_cast<std::int64_t>(pc), {}};
    return std::get<Instruction>(std::move(d));
}

Expected<Code> decode(std::span<const RawInsn> slots) {
    Code code;
    code.raw.assign(slots.begin(), slots.end());
    code.index_of_pc.assign(slots.size(), -1);
    for (std::size_t pc = 0; pc < slots.size();) {
        auto insn = decode_one(slots, pc);
        if (!insn) return insn.error();
        code.index_of_pc[pc] = static_cast<std::int32_t>(code.insns.size());
        code.pc.push_back(static_cast<std::uint32_t>(pc));
        pc += static_cast<std::size_t>(slot_width(*insn));
        code.insns.push_back(std::move(*insn));
    }
    return code;
}

std::vector<Diagnostic> decode_errors(std::span<const RawInsn> slots) {
    std::vector<Diagnostic> out;
    for (std::size_t pc = 0; pc < slots.size();) {
        auto insn = decode_one(slots, pc);
        if (!insn) {
            out.push_back(insn.error());
            ++pc;
        } else {
            pc += static_cast<std::size_t>(slot_width(*insn));
        }
    }
    return out;
}

void encode(const Instruction& insn, std::vector<RawInsn>& out) {
    std::visit(
        Overloaded{
            [&](const Alu& a) {
                const std::uint8_t c = a.is64 ? kClsAlu64 : kClsAlu;
                const std::uint8_t s = a.src.is_reg ? kSrcX : kSrcK;
                std::int16_t off = 0;
                if (a.op == AluOp::SDiv || a.op == AluOp::SMod) off = 1;
                if (a.op == AluOp::MovSx) off = a.sx_bits;
                if (a.op == AluOp::Neg) {
                    out.push_back(raw(c | alu_code(a.op), a.dst, 0, 0, 0));
                    return;
                }
                out.push_back(raw(c | s | alu_code(a.op), a.dst, a.src.reg, off,
                                  a.src.is_reg ? 0 : a.src.imm));
            },
            [&](const Endian& e) {
                const std::uint8_t c = e.kind == EndianKind::Swap ? kClsAlu64 : kClsAlu;
                const std::uint8_t s = e.kind == EndianKind::ToBe ? kSrcX : kSrcK;
                out.push_back(raw(c | s | 0xd0, e.dst, 0, 0, e.bits));
            },
            [&](const Jmp& j) {
                const std::uint8_t c = j.is32 ? kClsJmp32 : kClsJmp;
                const std::uint8_t s = j.src.is_reg ? kSrcX : kSrcK;
                out.push_back(raw(c | s | cond_code(j.cond), j.dst, j.src.reg, j.offset,
                                  j.src.is_reg ? 0 : j.src.imm));
            },
            [&](const Ja& j) {
                if (j.is32) {
                    out.push_back(raw(kClsJmp32, 0, 0, 0, j.offset));
                } else {
                    out.push_back(raw(kClsJmp, 0, 0, static_cast<std::int16_t>(j.offset), 0));
                }
            },
            [&](const Load& l) {
                out.push_back(raw(kClsLdx | (l.sign_ext ? kModeMemsx : kModeMem) | size_bits(l.size),
                                  l.dst, l.src, l.off, 0));
            },
            [&](const Store& s) {
                if (s.src.is_reg) {
                    out.push_back(raw(kClsStx | kModeMem | size_bits(s.size), s.dst, s.src.reg,
                                      s.off, 0));
                } else {
                    out.push_back(raw(kClsSt | kModeMem | size_bits(s.size), s.dst, 0, s.off,
                                      s.src.imm));
                }
            },
            [&](const Atomic& a) {
                out.push_back(raw(kClsStx | kModeAtomic | size_bits(a.size), a.dst, a.src, a.off,
                                  atomic_imm(a)));
            },
            [&](const LdImm64& l) {
                out.push_back(raw(kClsLd | kModeImm | kSizeDw, l.dst,
                                  static_cast<unsigned>(l.kind), 0, l.imm));
                out.push_back(raw(0, 0, 0, 0, l.next_imm));
            },
            [&](const LdPacket& p) {
                out.push_back(raw(kClsLd | (p.indirect ? kModeInd : kModeAbs) | size_bits(p.size), 0,
                                  p.indirect ? p.src : 0, 0, p.imm));
            },
            [&](const Call& c) {
                out.push_back(raw(kClsJmp | 0x80, 0, static_cast<unsigned>(c.kind),
                                  c.kind == CallKind::Kfunc ? c.off : std::int16_t{0}, c.imm));
            },
            [&](const Exit&) { out.push_back(raw(kClsJmp | 0x90, 0, 0, 0, 0)); },
            [&](const MayGoto& m) { out.push_back(raw(kClsJmp | 0xe0, 0, 0, m.offset, 0)); },
            [&](const Gotox& g) { out.push_back(raw(kClsJmp | kSrcX, g.dst, 0, 0, 0)); },
            [&](const AddrSpaceCast& a) {
                out.push_back(raw(kClsAlu64 | kSrcX | 0xb0, a.dst, a.src, 1, a.imm));
            },
        },
        insn);
}

std::vector<RawInsn> encode(std::span<const Instruction> insns) {
    std::vector<RawInsn> out;
    out.reserve(insns.size() + 4);
    for (const auto& i : insns) encode(i, out);
    return out;
}

Code make_code(std::vector<Instruction> insns) {
    Code code;
    code.raw = encode(insns);
    code.index_of_pc.assign(code.raw.size(), -1);
    std::uint32_t pc = 0;
    for (std::size_t i = 0; i < insns.size(); ++i) {
        code.index_of_pc[pc] = static_cast<std::int32_t>(i);
        code.pc.push_back(pc);
        pc += static_cast<std::uint32_t>(slot_width(insns[i]));
    }
    code.insns = std::move(insns);
    return code;
}

std::int64_t jump_target(const Instruction& insn, std::uint32_t pc) {
    const std::int64_t next = static_cast<std::int64_t>(pc) + 1;
    return std::visit(Overloaded{
                          [&](const Jmp& j) { return next + j.offset; },
                          [&](const Ja& j) { return next + j.offset; },
                          [&](const MayGoto& m) { return next + m.offset; },
                          [&](const Call& c) -> std::int64_t {
                              return c.kind == CallKind::Local ? next + c.imm : -1;
                          },
                          [](const auto&) -> std::int64_t { return -1; },
                      },
                      insn);
}

bool falls_through(const Instruction& insn) {
    return !std::holds_alternative<Exit>(insn) && !std::holds_alternative<Ja>(insn) &&
           !std::holds_alternative<Gotox>(insn);
}

bool writes_register(const Instruction& insn, Reg r) {
    return std::visit(Overloaded{
                          [&](const Alu& a) { return a.dst == r; },
                          [&](const Endian& e) { return e.dst == r; },
                          [&](const Load& l) { return l.dst == r; },
                          [&](const LdImm64& l) { return l.dst == r; },
                          [&](const AddrSpaceCast& a) { return a.dst == r; },
                          [&](const Atomic& a) {
                              if (a.op == AtomicOp::LoadAcquire) return a.dst == r;
                              if (a.op == AtomicOp::Cmpxchg) return r == 0;
                              return a.fetch && a.src == r;
                          },
                          [&](const LdPacket&) { return r == 0; },
                          [&](const Call&) { return r <= 5; },
                          [](const auto&) { return false; },
                      },
                      insn);
}

std::vector<Diagnostic> validate(const Code& code) {
    std::vector<Diagnostic> out;
    const auto n = static_cast<std::int64_t>(code.slot_count());
    auto at = [&](std::size_t i, std::string msg) {
        out.push_back(Diagnostic{std::move(msg), static_cast<std::int64_t>(code.pc[i]), {}});
    };
    if (n == 0) out.push_back(Diagnostic{"program has no instructions", std::nullopt, {}});
    if (n > kMaxInstructions)
        out.push_back(Diagnostic{"program has " + std::to_string(n) +
                                     " instructions, over the limit of " +
                                     std::to_string(kMaxInstructions),
                                 std::nullopt, {}});
    for (std::size_t i = 0; i < code.insns.size(); ++i) {
        const Instruction& insn = code.insns[i];
        const std::uint32_t pc = code.pc[i];
        if (writes_register(insn, kFramePointer) && !std::holds_alternative<Call>(insn))
            at(i, "writes to the read-only frame pointer r10");
        const std::int64_t t = jump_target(insn, pc);
        const bool is_call = std::holds_alternative<Call>(insn);
        if (t != -1 || (is_call && std::get<Call>(insn).kind == CallKind::Local)) {
            const char* what = is_call ? "local call" : "jump";
            if (t < 0 || t >= n) {
                at(i, std::string(what) + " to " + std::to_string(t) + " is out of range [0, " +
                          std::to_string(n) + ")");
            } else if (code.index_of_pc[static_cast<std::size_t>(t)] < 0) {
                at(i, std::string(what) + " to " + std::to_string(t) +
                          " lands in the second slot of a 64-bit immediate load");
            }
        }
        const bool last = i + 1 == code.insns.size();
        if (last && falls_through(insn))
            at(i, "the program can fall off its end after this instruction");
    }
    return out;
}

Expected<std::vector<RawInsn>> slots_from_bytes(std::span<const std::uint8_t> bytes) {
    if (bytes.size() % sizeof(RawInsn) != 0)
        return Diagnostic{"length " + std::to_string(bytes.size()) +
                              " bytes is not a multiple of 8 (truncated instruction)",
                          static_cast<std::int64_t>(bytes.size() / 8), {}};
    std::vector<RawInsn> slots(bytes.size() / sizeof(RawInsn));
    for (std::size_t i = 0; i < slots.size(); ++i) {
        const std::uint8_t* b = bytes.data() + i * 8;
        RawInsn& r = slots[i];
        r.opcode = b[0];
        r.dst = b[1] & 15;
        r.src = (b[1] >> 4) & 15;
        r.off = static_cast<std::int16_t>(b[2] | (b[3] << 8));
        r.imm = static_cast<std::int32_t>(static_cast<std::uint32_t>(b[4]) | (b[5] << 8) |
                                          (b[6] << 16) | (static_cast<std::uint32_t>(b[7]) << 24));
    }
    return slots;
}

std::vector<std::uint8_t> bytes_from_slots(std::span<const RawInsn> slots) {
    std::vector<std::uint8_t> out;
    out.reserve(slots.size() * 8);
    for (const RawInsn& r : slots) {
        const auto off = static_cast<std::uint16_t>(r.off);
        const auto imm = static_cast<std::uint32_t>(r.imm);
        out.insert(out.end(), {r.opcode, static_cast<std::uint8_t>(r.dst | (r.src << 4)),
                               static_cast<std::uint8_t>(off), static_cast<std::uint8_t>(off >> 8),
                               static_cast<std::uint8_t>(imm), static_cast<std::uint8_t>(imm >> 8),
                               static_cast<std::uint8_t>(imm >> 16),
                               static_cast<std::uint8_t>(imm >> 24)});
    }
    return out;
}

}  // namespace bpflab
