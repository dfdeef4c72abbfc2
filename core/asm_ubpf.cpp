// SPDX-License-Identifier: Apache-2.0
// bpflab: parsing one statement of the uBPF / bpf_conformance syntax (`mov r0, 1`, `ja +1`).
//
// Accepts everything print_ubpf writes, plus the variants seen in uBPF and bpf_conformance
// sources: `%r1` registers, `add64`, `swap16`, `movsx8` (64-bit destination), `call helper 1`,
// `xaddw`/`xadddw` (legacy atomic add), and labels as jump and local call targets.
#include <exception>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "core/asm_text.hpp"

namespace bpflab::asm_text {
namespace {

struct Bad {
    std::string why;
};

[[noreturn]] void fail(std::string why) {
    throw Bad{std::move(why)};
}

bool starts_with(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

Reg need_reg(Cursor& c, const char* what) {
    if (auto r = c.reg()) return *r;
    fail(std::string("bad register for ") + what + " at '" + c.rest() + "'");
}

void need(Cursor& c, std::string_view lit) {
    if (!c.accept(lit)) fail("expected '" + std::string(lit) + "' at '" + c.rest() + "'");
}

std::int64_t need_number(Cursor& c, const char* what) {
    if (auto n = c.number()) return *n;
    fail(std::string("expected a number for ") + what + " at '" + c.rest() + "'");
}

std::int32_t imm32(Cursor& c, const char* what) {
    const std::int64_t v = need_number(c, what);
    if (auto bad = check_imm32(v, what)) fail(*bad);
    return to_imm32(v);
}

std::int16_t off16(std::int64_t v, const char* what) {
    if (auto bad = check_off16(v, what)) fail(*bad);
    return static_cast<std::int16_t>(v);
}

// `[r2+4]`, `[r2 - 4]`, `[r2]`.
std::pair<Reg, std::int16_t> mem(Cursor& c) {
    need(c, "[");
    const Reg base = need_reg(c, "address");
    std::int64_t off = 0;
    if (c.peek() == '+' || c.peek() == '-') off = need_number(c, "offset");
    need(c, "]");
    return {base, off16(off, "offset")};
}

Operand operand(Cursor& c) {
    if (c.at_reg()) return Operand{true, need_reg(c, "source"), 0};
    return Operand{false, 0, imm32(c, "immediate")};
}

void target(Cursor& c, Parsed& p, std::int64_t& value, bool wide) {
    const char k = c.peek();
    if (k == '+' || k == '-' || (k >= '0' && k <= '9')) {
        value = need_number(c, "jump offset");
        return;
    }
    std::string name = c.ident();
    if (name.empty()) fail("expected a jump offset or label at '" + c.rest() + "'");
    p.label = LabelRef{std::move(name), wide};
    value = 0;
}

std::optional<Size> size_from(std::string_view s) {
    if (s == "b") return Size::B;
    if (s == "h") return Size::H;
    if (s == "w") return Size::W;
    if (s == "dw") return Size::DW;
    return std::nullopt;
}

std::optional<AluOp> alu_from(std::string_view s) {
    static const std::pair<const char*, AluOp> ops[] = {
        {"add", AluOp::Add},   {"sub", AluOp::Sub}, {"mul", AluOp::Mul},   {"div", AluOp::Div},
        {"sdiv", AluOp::SDiv}, {"mod", AluOp::Mod}, {"smod", AluOp::SMod}, {"or", AluOp::Or},
        {"and", AluOp::And},   {"xor", AluOp::Xor}, {"lsh", AluOp::Lsh},   {"rsh", AluOp::Rsh},
        {"arsh", AluOp::Arsh}, {"mov", AluOp::Mov}, {"neg", AluOp::Neg},
    };
    for (const auto& [n, op] : ops)
        if (s == n) return op;
    return std::nullopt;
}

std::optional<Cond> cond_from(std::string_view s) {
    static const std::pair<const char*, Cond> cs[] = {
        {"jeq", Cond::Eq},   {"jne", Cond::Ne},   {"jset", Cond::Set}, {"jgt", Cond::Gt},
        {"jge", Cond::Ge},   {"jlt", Cond::Lt},   {"jle", Cond::Le},   {"jsgt", Cond::Sgt},
        {"jsge", Cond::Sge}, {"jslt", Cond::Slt}, {"jsle", Cond::Sle},
    };
    for (const auto& [n, cd] : cs)
        if (s == n) return cd;
    return std::nullopt;
}

std::optional<LdImmKind> ldimm_from(std::string_view s) {
    static const std::pair<const char*, LdImmKind> ks[] = {
        {"map_by_fd", LdImmKind::MapFd},   {"map_value_by_fd", LdImmKind::MapValue},
        {"var_addr", LdImmKind::VarAddr},  {"code_addr", LdImmKind::CodeAddr},
        {"map_by_idx", LdImmKind::MapIdx}, {"map_value_by_idx", LdImmKind::MapIdxValue},
    };
    for (const auto& [n, k] : ks)
        if (s == n) return k;
    return std::nullopt;
}

Instruction lddw(Cursor& c) {
    const Reg dst = need_reg(c, "lddw");
    need(c, ",");
    const char k = c.peek();
    if (k == '+' || k == '-' || (k >= '0' && k <= '9')) {
        const auto u = static_cast<std::uint64_t>(need_number(c, "immediate"));
        return LdImm64{LdImmKind::Imm64, dst, static_cast<std::int32_t>(u & 0xffffffffu),
                       static_cast<std::int32_t>(u >> 32)};
    }
    const std::string fn = c.ident();
    const auto kind = ldimm_from(fn);
    if (!kind) fail("unknown 64-bit load kind '" + fn + "'");
    need(c, "(");
    const char n = c.peek();
    if (!(n == '+' || n == '-' || (n >= '0' && n <= '9')))
        fail("map names are not supported here; give the map fd or index as a number");
    LdImm64 l{*kind, dst, imm32(c, "immediate"), 0};
    if (c.accept(",")) l.next_imm = imm32(c, "second immediate");
    need(c, ")");
    return l;
}

Atomic lock(Cursor& c) {
    const bool fetch = c.accept_word("fetch");
    std::string op = c.ident();
    Size sz = Size::DW;
    if (op.size() > 2 && op.substr(op.size() - 2) == "32") {
        sz = Size::W;
        op.resize(op.size() - 2);
    } else if (op.size() > 2 && op.substr(op.size() - 2) == "64") {
        op.resize(op.size() - 2);
    }
    Atomic a{AtomicOp::Add, fetch, sz, 0, 0, 0};
    if (op == "add")
        a.op = AtomicOp::Add;
    else if (op == "or")
        a.op = AtomicOp::Or;
    else if (op == "and")
        a.op = AtomicOp::And;
    else if (op == "xor")
        a.op = AtomicOp::Xor;
    else if (op == "xchg")
        a.op = AtomicOp::Xchg, a.fetch = true;
    else if (op == "cmpxchg")
        a.op = AtomicOp::Cmpxchg, a.fetch = true;
    else
        fail("unknown atomic operation '" + op + "'");
    std::tie(a.dst, a.off) = mem(c);
    need(c, ",");
    a.src = need_reg(c, "atomic source");
    return a;
}

Parsed statement(Cursor& c) {
    Parsed p{Exit{}, std::nullopt};
    const std::string m = c.ident();
    if (m.empty()) fail("cannot parse '" + c.rest() + "'");
    if (m == "exit") return p;
    if (m == "lock") {
        p.insn = lock(c);
        return p;
    }
    if (m == "xaddw" || m == "xadddw") {
        Atomic a{AtomicOp::Add, false, m == "xaddw" ? Size::W : Size::DW, 0, 0, 0};
        std::tie(a.dst, a.off) = mem(c);
        need(c, ",");
        a.src = need_reg(c, "atomic source");
        p.insn = a;
        return p;
    }
    if (m == "ja" || m == "ja32" || m == "may_goto") {
        std::int64_t v = 0;
        target(c, p, v, m == "ja32");
        if (m == "ja32") {
            if (auto bad = check_imm32(v, "jump offset")) fail(*bad);
            p.insn = Ja{to_imm32(v), true};
        } else if (m == "ja") {
            p.insn = Ja{off16(v, "jump offset"), false};
        } else {
            p.insn = MayGoto{off16(v, "jump offset")};
        }
        return p;
    }
    if (m == "gotox") {
        p.insn = Gotox{need_reg(c, "gotox")};
        return p;
    }
    if (m == "call") {
        if (c.at_reg()) fail("callx (call through a register) is not an instruction bpflab models");
        if (c.accept_word("local")) {
            std::int64_t v = 0;
            target(c, p, v, true);
            if (auto bad = check_imm32(v, "call offset")) fail(*bad);
            p.insn = Call{CallKind::Local, to_imm32(v), 0};
        } else if (c.accept_word("runtime")) {
            Call k{CallKind::Kfunc, imm32(c, "kfunc id"), 0};
            if (c.accept(",")) k.off = off16(need_number(c, "kfunc offset"), "kfunc offset");
            p.insn = k;
        } else {
            c.accept_word("helper");
            if (c.at_reg())
                fail("callx (call through a register) is not an instruction bpflab models");
            p.insn = Call{CallKind::Helper, imm32(c, "helper id"), 0};
        }
        return p;
    }
    if (m == "lddw") {
        p.insn = lddw(c);
        return p;
    }
    if (m == "addr_space_cast") {
        const Reg dst = need_reg(c, "destination");
        need(c, ",");
        const Reg src = need_reg(c, "source");
        need(c, ",");
        const std::int64_t das = need_number(c, "address space");
        need(c, ",");
        const std::int64_t sas = need_number(c, "address space");
        if (das < 0 || das > 0xffff || sas < 0 || sas > 0xffff)
            fail("address spaces must be in [0, 65535]");
        p.insn = AddrSpaceCast{dst, src, to_imm32((das << 16) | sas)};
        return p;
    }
    for (const char* k : {"le", "be", "bswap", "swap"}) {
        const std::string_view ks(k);
        if (starts_with(m, ks) && (m.substr(ks.size()) == "16" || m.substr(ks.size()) == "32" ||
                                   m.substr(ks.size()) == "64")) {
            const EndianKind kind = ks == "le"   ? EndianKind::ToLe
                                    : ks == "be" ? EndianKind::ToBe
                                                 : EndianKind::Swap;
            const auto bits = static_cast<std::uint8_t>(std::stoi(m.substr(ks.size())));
            p.insn = Endian{kind, bits, need_reg(c, "byte swap")};
            return p;
        }
    }
    if (starts_with(m, "movsx")) {
        const std::string w = m.substr(5);
        std::uint8_t bits = 0;
        bool is64 = true;
        if (w == "8" || w == "864")
            bits = 8;
        else if (w == "16" || w == "1664")
            bits = 16;
        else if (w == "32" || w == "3264")
            bits = 32;
        else if (w == "832")
            bits = 8, is64 = false;
        else if (w == "1632")
            bits = 16, is64 = false;
        else
            fail("unknown mnemonic '" + m + "'");
        const Reg dst = need_reg(c, "destination");
        need(c, ",");
        p.insn = Alu{AluOp::MovSx, is64, dst, Operand{true, need_reg(c, "source"), 0}, bits};
        return p;
    }
    // Memory: ldx[s]SZ, stSZ, stxSZ, ldabsSZ, ldindSZ, ldacqSZ, strelSZ.
    static const char* const mem_prefixes[] = {"ldxs",  "ldx",   "stx",   "st",
                                               "ldabs", "ldind", "ldacq", "strel"};
    for (const char* pre : mem_prefixes) {
        const std::string_view ps(pre);
        if (!starts_with(m, ps)) continue;
        const auto sz = size_from(std::string_view(m).substr(ps.size()));
        if (!sz) continue;
        if (ps == "ldx" || ps == "ldxs" || ps == "ldacq") {
            const Reg dst = need_reg(c, "destination");
            need(c, ",");
            auto [base, off] = mem(c);
            if (ps == "ldacq")
                p.insn = Atomic{AtomicOp::LoadAcquire, false, *sz, dst, base, off};
            else if (ps == "ldxs" && *sz == Size::DW)
                fail("ldxsdw is not an instruction");
            else
                p.insn = Load{*sz, ps == "ldxs", dst, base, off};
        } else if (ps == "st" || ps == "stx" || ps == "strel") {
            auto [base, off] = mem(c);
            need(c, ",");
            if (ps == "st")
                p.insn = Store{*sz, base, off, Operand{false, 0, imm32(c, "immediate")}};
            else if (ps == "stx")
                p.insn = Store{*sz, base, off, Operand{true, need_reg(c, "source"), 0}};
            else
                p.insn =
                    Atomic{AtomicOp::StoreRelease, false, *sz, base, need_reg(c, "source"), off};
        } else {
            if (*sz == Size::DW) fail("packet loads are at most 32 bits");
            LdPacket pk{ps == "ldind", *sz, 0, 0};
            if (pk.indirect) {
                pk.src = need_reg(c, "packet index");
                need(c, ",");
            }
            pk.imm = imm32(c, "packet offset");
            p.insn = pk;
        }
        return p;
    }
    // ALU and conditional jumps, with an optional 32/64 width suffix.
    std::string base = m;
    bool wide = true;
    if (base.size() > 2 && (base.ends_with("32") || base.ends_with("64"))) {
        wide = base.ends_with("64");
        base.resize(base.size() - 2);
    }
    if (auto op = alu_from(base)) {
        const Reg dst = need_reg(c, "destination");
        if (*op == AluOp::Neg) {
            p.insn = Alu{AluOp::Neg, wide, dst, {}, 0};
            return p;
        }
        need(c, ",");
        p.insn = Alu{*op, wide, dst, operand(c), 0};
        return p;
    }
    if (auto cd = cond_from(base)) {
        const Reg dst = need_reg(c, "comparison");
        need(c, ",");
        const Operand src = operand(c);
        need(c, ",");
        std::int64_t v = 0;
        target(c, p, v, false);
        p.insn = Jmp{*cd, !wide, dst, src, off16(v, "jump offset")};
        return p;
    }
    fail("unknown mnemonic '" + m + "'");
}

}  // namespace

std::variant<Parsed, ParseError> parse_ubpf(std::string_view stmt) {
    Cursor c(stmt);
    try {
        Parsed p = statement(c);
        if (!c.done()) return ParseError{"unexpected text '" + c.rest() + "'"};
        return p;
    } catch (const Bad& b) {
        return ParseError{b.why};
    } catch (const std::exception& e) {
        return ParseError{e.what()};
    }
}

}  // namespace bpflab::asm_text
