// SPDX-License-Identifier: Apache-2.0
// bpflab: parsing one statement of the Linux/LLVM syntax (`r0 = 1`, `if r1 > r2 goto +3`).
//
// Accepts everything print_linux writes, plus the hand-written forms objdump does not print:
// decimal numbers, labels as jump and call targets (`goto out`, `call helper_fn`), and the
// alu32 register spellings (`w1 = *(u32 *)(r2 + 0)`, `lock *(u32 *)(r1 + 0) += w2`).
#include <exception>
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

Reg need_reg(Cursor& c, const char* what, bool* is32 = nullptr) {
    if (auto r = c.reg(is32)) return *r;
    fail(std::string("bad register for ") + what + " at '" + c.rest() + "'");
}

std::int64_t need_number(Cursor& c, const char* what) {
    if (auto n = c.number()) return *n;
    fail(std::string("expected a number for ") + what + " at '" + c.rest() + "'");
}

void need(Cursor& c, std::string_view lit) {
    if (!c.accept(lit)) fail("expected '" + std::string(lit) + "' at '" + c.rest() + "'");
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

// `u8`..`u64` / `s8`..`s32` after `*(` or `(`; returns the size and whether it is signed.
Size size_type(Cursor& c, bool* is_signed) {
    const std::string t = c.ident();
    if (t.size() < 2 || (t[0] != 'u' && t[0] != 's'))
        fail("expected a type like u32 at '" + t + "'");
    *is_signed = t[0] == 's';
    const std::string bits = t.substr(1);
    if (bits == "8") return Size::B;
    if (bits == "16") return Size::H;
    if (bits == "32") return Size::W;
    if (bits == "64") return Size::DW;
    fail("unknown access size '" + t + "'");
}

// `(rN + off)` or `(rN - off)` or `(rN)`: base register and offset.
std::pair<Reg, std::int16_t> address(Cursor& c, bool parens = true) {
    if (parens) need(c, "(");
    const Reg base = need_reg(c, "address");
    std::int64_t off = 0;
    if (c.accept("+")) {
        off = need_number(c, "offset");
    } else if (c.accept("-")) {
        off = -need_number(c, "offset");
    }
    if (parens) need(c, ")");
    return {base, off16(off, "offset")};
}

// `*(u32 *)(r1 + 4)` after the leading `*`; with `lead_paren` false the caller already read `(`.
struct MemRef {
    Size size;
    bool is_signed;
    Reg base;
    std::int16_t off;
};
MemRef mem_ref(Cursor& c) {
    need(c, "(");
    MemRef m{};
    m.size = size_type(c, &m.is_signed);
    need(c, "*");
    need(c, ")");
    std::tie(m.base, m.off) = address(c);
    return m;
}

// A jump target: `+0x3`, `-2`, or a label.
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

AluOp compound_op(Cursor& c) {
    static const std::pair<const char*, AluOp> ops[] = {
        {"s>>=", AluOp::Arsh}, {"s/=", AluOp::SDiv}, {"s%=", AluOp::SMod}, {"<<=", AluOp::Lsh},
        {">>=", AluOp::Rsh},   {"+=", AluOp::Add},   {"-=", AluOp::Sub},   {"*=", AluOp::Mul},
        {"/=", AluOp::Div},    {"%=", AluOp::Mod},   {"|=", AluOp::Or},    {"&=", AluOp::And},
        {"^=", AluOp::Xor},
    };
    for (const auto& [s, op] : ops)
        if (c.accept(s)) return op;
    fail("expected an assignment operator at '" + c.rest() + "'");
}

Cond condition(Cursor& c) {
    static const std::pair<const char*, Cond> conds[] = {
        {"s>=", Cond::Sge}, {"s<=", Cond::Sle}, {"s>", Cond::Sgt}, {"s<", Cond::Slt},
        {"==", Cond::Eq},   {"!=", Cond::Ne},   {">=", Cond::Ge},  {"<=", Cond::Le},
        {">", Cond::Gt},    {"<", Cond::Lt},    {"&", Cond::Set},
    };
    for (const auto& [s, cd] : conds)
        if (c.accept(s)) return cd;
    fail("expected a comparison at '" + c.rest() + "'");
}

Operand operand(Cursor& c) {
    if (c.at_reg()) return Operand{true, need_reg(c, "source"), 0};
    return Operand{false, 0, imm32(c, "immediate")};
}

std::optional<AtomicOp> fetch_op(const std::string& name) {
    if (name == "atomic_fetch_add") return AtomicOp::Add;
    if (name == "atomic_fetch_or") return AtomicOp::Or;
    if (name == "atomic_fetch_and") return AtomicOp::And;
    if (name == "atomic_fetch_xor") return AtomicOp::Xor;
    return std::nullopt;
}

// Everything of the form `REG = ...`.
Instruction assignment(Cursor& c, Reg dst, bool w) {
    if (c.accept("*")) {  // load, or legacy packet load
        need(c, "(");
        bool sgn = false;
        const Size sz = size_type(c, &sgn);
        need(c, "*");
        need(c, ")");
        if (c.accept_word("skb")) {
            if (sgn || sz == Size::DW) fail("packet loads are unsigned and at most 32 bits");
            if (dst != 0) fail("packet loads write r0");
            need(c, "[");
            LdPacket p{false, sz, 0, 0};
            if (c.at_reg()) {
                p.indirect = true;
                p.src = need_reg(c, "packet index");
                if (c.accept("+"))
                    p.imm = imm32(c, "packet offset");
                else if (c.accept("-"))
                    p.imm = to_imm32(-need_number(c, "packet offset"));
            } else {
                p.imm = imm32(c, "packet offset");
            }
            need(c, "]");
            return p;
        }
        auto [base, off] = address(c);
        if (sgn && sz == Size::DW) fail("sign-extending loads are 8, 16 or 32 bits");
        return Load{sz, sgn, dst, base, off};
    }
    if (c.accept("(")) {  // movsx
        bool sgn = false;
        const Size sz = size_type(c, &sgn);
        if (!sgn) fail("only sign-extending casts (s8, s16, s32) are instructions");
        need(c, ")");
        const Reg src = need_reg(c, "source");
        if (sz == Size::DW || (w && sz == Size::W)) fail("invalid sign-extension width");
        return Alu{AluOp::MovSx, !w, dst, Operand{true, src, 0},
                   static_cast<std::uint8_t>(bytes(sz) * 8)};
    }
    if (c.peek() == '-') {  // neg, or a negative immediate
        Cursor probe = c;
        probe.accept("-");
        if (probe.at_reg()) {
            c = probe;
            const Reg r = need_reg(c, "negation");
            if (r != dst) fail("negation must name the destination register twice");
            return Alu{AluOp::Neg, !w, dst, {}, 0};
        }
    }
    if (c.at_reg()) return Alu{AluOp::Mov, !w, dst, Operand{true, need_reg(c, "source"), 0}, 0};
    if (c.peek() == '+' || c.peek() == '-' || (c.peek() >= '0' && c.peek() <= '9')) {
        const std::int64_t v = need_number(c, "immediate");
        if (c.accept_word("ll")) {
            const auto u = static_cast<std::uint64_t>(v);
            return LdImm64{LdImmKind::Imm64, dst, static_cast<std::int32_t>(u & 0xffffffffu),
                           static_cast<std::int32_t>(u >> 32)};
        }
        if (auto bad = check_imm32(v, "immediate")) fail(*bad);
        return Alu{AluOp::Mov, !w, dst, Operand{false, 0, to_imm32(v)}, 0};
    }
    const std::string fn = c.ident();
    if (fn == "le16" || fn == "le32" || fn == "le64" || fn == "be16" || fn == "be32" ||
        fn == "be64" || fn == "bswap16" || fn == "bswap32" || fn == "bswap64") {
        const Reg r = need_reg(c, "byte swap");
        if (r != dst) fail("byte swap must name the destination register twice");
        const EndianKind k = fn[0] == 'l'   ? EndianKind::ToLe
                             : fn[1] == 'e' ? EndianKind::ToBe
                                            : EndianKind::Swap;
        return Endian{k, static_cast<std::uint8_t>(std::stoi(fn.substr(fn.size() - 2))), dst};
    }
    if (fn == "addr_space_cast") {
        need(c, "(");
        const Reg src = need_reg(c, "source");
        need(c, ",");
        const std::int64_t das = need_number(c, "address space");
        need(c, ",");
        const std::int64_t sas = need_number(c, "address space");
        need(c, ")");
        if (das < 0 || das > 0xffff || sas < 0 || sas > 0xffff)
            fail("address spaces must be in [0, 0xffff]");
        return AddrSpaceCast{dst, src, to_imm32((das << 16) | sas)};
    }
    if (fn == "load_acquire") {
        need(c, "(");
        const MemRef m = mem_ref(c);
        need(c, ")");
        return Atomic{AtomicOp::LoadAcquire, false, m.size, dst, m.base, m.off};
    }
    if (auto op = fetch_op(fn)) {
        need(c, "(");
        const MemRef m = mem_ref(c);
        need(c, ",");
        const Reg src = need_reg(c, "atomic source");
        need(c, ")");
        if (src != dst) fail("atomic fetch must name the same register on both sides");
        return Atomic{*op, true, m.size, m.base, src, m.off};
    }
    if (fn == "xchg_64" || fn == "xchg32_32") {
        need(c, "(");
        auto [base, off] = address(c, false);
        need(c, ",");
        const Reg src = need_reg(c, "exchange source");
        need(c, ")");
        if (src != dst) fail("xchg must name the same register on both sides");
        return Atomic{AtomicOp::Xchg, true, fn == "xchg_64" ? Size::DW : Size::W, base, src, off};
    }
    if (fn == "cmpxchg_64" || fn == "cmpxchg32_32") {
        need(c, "(");
        auto [base, off] = address(c, false);
        need(c, ",");
        if (need_reg(c, "comparand") != 0 || dst != 0) fail("cmpxchg compares with r0");
        need(c, ",");
        const Reg src = need_reg(c, "exchange source");
        need(c, ")");
        return Atomic{
            AtomicOp::Cmpxchg, true, fn == "cmpxchg_64" ? Size::DW : Size::W, base, src, off};
    }
    fail("cannot parse the right-hand side '" + (fn.empty() ? c.rest() : fn) + "'");
}

Parsed statement(Cursor& c) {
    Parsed p{Exit{}, std::nullopt};
    if (c.accept_word("exit")) return p;
    if (c.accept_word("goto") || c.accept_word("ja")) {
        std::int64_t v = 0;
        target(c, p, v, false);
        p.insn = Ja{off16(v, "jump offset"), false};
        return p;
    }
    if (c.accept_word("gotol")) {
        std::int64_t v = 0;
        target(c, p, v, true);
        if (auto bad = check_imm32(v, "jump offset")) fail(*bad);
        p.insn = Ja{to_imm32(v), true};
        return p;
    }
    if (c.accept_word("may_goto")) {
        std::int64_t v = 0;
        target(c, p, v, false);
        p.insn = MayGoto{off16(v, "jump offset")};
        return p;
    }
    if (c.accept_word("gotox")) {
        p.insn = Gotox{need_reg(c, "gotox")};
        return p;
    }
    if (c.accept_word("call")) {
        if (c.accept_word("kfunc")) {
            Call k{CallKind::Kfunc, imm32(c, "kfunc id"), 0};
            if (c.accept(",")) k.off = off16(need_number(c, "kfunc offset"), "kfunc offset");
            p.insn = k;
        } else if (c.accept_word("pc")) {
            p.insn = Call{CallKind::Local, imm32(c, "call offset"), 0};
        } else if (c.peek() == '-' || c.peek() == '+' || (c.peek() >= '0' && c.peek() <= '9')) {
            p.insn = Call{CallKind::Helper, imm32(c, "helper id"), 0};
        } else {
            std::int64_t v = 0;
            target(c, p, v, true);
            p.insn = Call{CallKind::Local, 0, 0};
        }
        return p;
    }
    if (c.accept_word("if")) {
        bool w = false;
        const Reg dst = need_reg(c, "comparison", &w);
        const Cond cd = condition(c);
        const Operand src = operand(c);
        if (!c.accept_word("goto")) fail("expected 'goto' at '" + c.rest() + "'");
        std::int64_t v = 0;
        target(c, p, v, false);
        p.insn = Jmp{cd, w, dst, src, off16(v, "jump offset")};
        return p;
    }
    if (c.accept_word("lock")) {
        need(c, "*");
        const MemRef m = mem_ref(c);
        AtomicOp op{};
        if (c.accept("+="))
            op = AtomicOp::Add;
        else if (c.accept("|="))
            op = AtomicOp::Or;
        else if (c.accept("&="))
            op = AtomicOp::And;
        else if (c.accept("^="))
            op = AtomicOp::Xor;
        else
            fail("expected an atomic operator (+= |= &= ^=) at '" + c.rest() + "'");
        p.insn = Atomic{op, false, m.size, m.base, need_reg(c, "atomic source"), m.off};
        return p;
    }
    if (c.accept_word("store_release")) {
        need(c, "(");
        const MemRef m = mem_ref(c);
        need(c, ",");
        const Reg src = need_reg(c, "store source");
        need(c, ")");
        p.insn = Atomic{AtomicOp::StoreRelease, false, m.size, m.base, src, m.off};
        return p;
    }
    if (c.accept_word("ld_pseudo")) {
        const Reg dst = need_reg(c, "ld_pseudo");
        need(c, ",");
        const std::int64_t kind = need_number(c, "pseudo source");
        if (kind < 1 || kind > 6) fail("ld_pseudo source must be 1..6");
        need(c, ",");
        LdImm64 l{static_cast<LdImmKind>(kind), dst, imm32(c, "immediate"), 0};
        if (c.accept(",")) l.next_imm = imm32(c, "high immediate");
        p.insn = l;
        return p;
    }
    if (c.accept("*")) {
        const MemRef m = mem_ref(c);
        if (m.is_signed) fail("stores take an unsigned type");
        need(c, "=");
        p.insn = Store{m.size, m.base, m.off, operand(c)};
        return p;
    }
    if (c.at_reg()) {
        bool w = false;
        const Reg dst = need_reg(c, "destination", &w);
        if (c.accept("=")) {
            p.insn = assignment(c, dst, w);
        } else {
            const AluOp op = compound_op(c);
            p.insn = Alu{op, !w, dst, operand(c), 0};
        }
        return p;
    }
    const std::string word = c.ident();
    fail(word.empty() ? "cannot parse '" + c.rest() + "'" : "unknown mnemonic '" + word + "'");
}

}  // namespace

std::variant<Parsed, ParseError> parse_linux(std::string_view stmt) {
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
