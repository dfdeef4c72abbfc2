// SPDX-License-Identifier: Apache-2.0
// bpflab: Analyzer (verifier/analyzer.hpp) — entry state, block and edge transfer, ALU,
// pointer arithmetic, jumps and their refinement, reports of abstract values.
#pragma once

#include <limits>

namespace bpflab::verify {

namespace detail {
inline constexpr std::int64_t kMaxVarOff = std::int64_t{1} << 29;  ///< the kernel's limit
inline dom::Branch branch(Cond c, bool is32, bool holds) {
    return dom::Branch{c, is32, holds};
}
}  // namespace detail

template <dom::NumericState S>
AbsState<S> Analyzer<S>::entry_state() const {
    State st = State::entry(S::top());
    reg(st, 0, 1) = RegType::of(Kind::Ctx);
    st.num.assign(var(0, 1), std::uint64_t{0});
    RegType fp = RegType::of(Kind::Stack);
    reg(st, 0, 10) = fp;
    st.num.assign(var(0, 10), std::uint64_t{kStackBytes});
    assume_range(st, lay_.packet_size(), 0, 0xffff);
    assume_range(st, lay_.meta_size(), 0, 0xff);
    return st;
}

template <dom::NumericState S>
void Analyzer<S>::assume_range(State& st, dom::Var x, std::uint64_t lo, std::uint64_t hi) const {
    if (lo != 0) st.num.assume(detail::branch(Cond::Ge, false, true), x, lo);
    if (hi != ~std::uint64_t{0}) st.num.assume(detail::branch(Cond::Le, false, true), x, hi);
}

template <dom::NumericState S>
AbsState<S> Analyzer<S>::transfer_block(std::size_t v, const State& pre, Sink* sink) const {
    if (pre.is_bottom() || pre.is_top()) return pre;
    State st = pre;
    // A widened state is kept unclosed at its head (for termination); a copy closed once here
    // answers the block's many projections without closing a copy each time.
    if constexpr (requires(S & n) { n.normalise(); }) {
        st.num.normalise();
        if (st.is_bottom()) return st;
    }
    const Vertex& vx = g_.vertices[v];
    for (std::uint32_t i = vx.first; i <= vx.last; ++i) {
        Ctx c{&st,
              sink,
              v,
              i,
              g_.frame_of(v),
              static_cast<std::uint32_t>(vx.context * p_.code.insns.size() + i + 1)};
        if (sink && sink->on_state) sink->on_state(v, i, describe_state(st));
        if (sink) {
            const State before = st;
            c.pre = &before;
            step(st, c);
        } else {
            step(st, c);
        }
        if (st.is_bottom()) break;
    }
    return st;
}

template <dom::NumericState S>
AbsState<S> Analyzer<S>::transfer_insn(std::size_t v, std::uint32_t i, const State& pre) const {
    if (pre.is_bottom() || pre.is_top()) return pre;
    State st = pre;
    if constexpr (requires(S & n) { n.normalise(); }) {
        st.num.normalise();
        if (st.is_bottom()) return st;
    }
    const Vertex& vx = g_.vertices[v];
    const Ctx c{
        &st, nullptr,        v,
        i,   g_.frame_of(v), static_cast<std::uint32_t>(vx.context * p_.code.insns.size() + i + 1)};
    step(st, c);
    return st;
}

template <dom::NumericState S>
void Analyzer<S>::note_stack(const Ctx& c, int frame, std::int64_t lo) const {
    if (c.sink == nullptr) return;
    std::int64_t ctx = g_.vertices[c.vertex].context;
    while (ctx >= 0 && g_.contexts[static_cast<std::size_t>(ctx)].frame > frame)
        ctx = g_.contexts[static_cast<std::size_t>(ctx)].parent;
    if (ctx < 0) return;
    auto& low = c.sink->stack_low;
    if (low.size() < g_.contexts.size()) low.resize(g_.contexts.size(), kStackBytes);
    low[static_cast<std::size_t>(ctx)] = std::min(low[static_cast<std::size_t>(ctx)], lo);
}

template <dom::NumericState S>
void Analyzer<S>::fail(const Ctx& c, Check code, std::string message,
                       std::vector<std::pair<std::string, std::string>> values) const {
    if (c.sink == nullptr) return;
    Finding f;
    f.code = code;
    f.pc = p_.code.pc[c.index];
    f.insn = insn_text(c.index);
    f.message = std::move(message);
    f.values = std::move(values);
    f.context = g_.contexts[g_.vertices[c.vertex].context].chain;
    if (const SourceLine* line = p_.line_at(f.pc)) {
        f.source_file = line->file;
        f.source_line = line->line;
        f.source_text = line->text;
    }
    c.sink->findings.push_back(std::move(f));
}

template <dom::NumericState S>
std::pair<std::string, std::string> Analyzer<S>::value(const State& st, int frame, int r) const {
    return {"R" + std::to_string(r), describe(st, frame, r)};
}

template <dom::NumericState S>
std::pair<std::int64_t, std::int64_t> Analyzer<S>::sbounds(const State& st, dom::Var x) const {
    const auto i = st.num.interval(x);
    if (i.is_bottom()) return {0, -1};
    // Clamped to ±2^62 so that adding an offset or a size never overflows; every check
    // rejects such bounds anyway (no region is that large).
    constexpr std::int64_t kBig = std::int64_t{1} << 62;
    return {std::clamp(i.s().lo().sraw(), -kBig, kBig), std::clamp(i.s().hi().sraw(), -kBig, kBig)};
}

template <dom::NumericState S>
std::optional<std::int64_t> Analyzer<S>::constant(const State& st, dom::Var x) const {
    const auto i = st.num.interval(x);
    if (i.is_bottom() || i.s().lo().sraw() != i.s().hi().sraw()) return std::nullopt;
    return i.s().lo().sraw();
}

template <dom::NumericState S>
bool Analyzer<S>::read(State& st, const Ctx& c, int r) const {
    const RegType& t = reg(st, c.frame, r);
    if (!t.kinds.has(Kind::Uninit)) return true;
    fail(c, Check::UninitRegister,
         t.is(Kind::Uninit) ? "R" + std::to_string(r) + " is read before it is written"
                            : "R" + std::to_string(r) + " may be uninitialised on some path",
         {value(st, c.frame, r)});
    // Go on as if it were an unknown scalar, so that one missing write is reported once.
    set_scalar(st, c.frame, r);
    return false;
}

template <dom::NumericState S>
void Analyzer<S>::set_scalar(State& st, int frame, int r) const {
    reg(st, frame, r) = RegType::of(Kind::Scalar);
    st.num.havoc(var(frame, r));
}

template <dom::NumericState S>
void Analyzer<S>::set_uninit(State& st, int frame, int r) const {
    reg(st, frame, r) = RegType::of(Kind::Uninit);
    st.num.havoc(var(frame, r));
}

template <dom::NumericState S>
void Analyzer<S>::set_loaded(State& st, int frame, int r, int bytes, bool sign) const {
    set_scalar(st, frame, r);
    if (bytes >= 8) return;
    const dom::Var x = var(frame, r);
    const std::uint64_t max = (std::uint64_t{1} << (8 * bytes)) - 1;
    if (!sign) {
        assume_range(st, x, 0, max);
        return;
    }
    // A sign-extended load: x in [-2^(8b-1), 2^(8b-1) - 1].
    const auto half = std::int64_t{1} << (8 * bytes - 1);
    st.num.assume(detail::branch(Cond::Sge, false, true), x, static_cast<std::uint64_t>(-half));
    st.num.assume(detail::branch(Cond::Sle, false, true), x, static_cast<std::uint64_t>(half - 1));
}

template <dom::NumericState S>
void Analyzer<S>::forget_id(State& st, std::uint32_t id) const {
    if (id == 0) return;
    for (Frame& f : st.frames) {
        for (RegType& t : f.regs)
            if (t.id == id) t.id = 0;
        for (RegType& t : f.slots)
            if (t.id == id) t.id = 0;
    }
    st.drop_range(id);
}

template <dom::NumericState S>
void Analyzer<S>::step(State& st, const Ctx& c) const {
    std::visit(Overloaded{
                   [&](const Alu& a) { alu(st, c, a); },
                   [&](const Endian& e) {
                       if (e.dst == kFramePointer) {
                           fail(c, Check::FramePointerWrite, "r10 is read-only");
                           return;
                       }
                       read(st, c, e.dst);
                       if (reg(st, c.frame, e.dst).kinds.may_be_pointer()) {
                           fail(c, Check::PointerArith, "byte swap of a pointer",
                                {value(st, c.frame, e.dst)});
                           set_scalar(st, c.frame, e.dst);
                           return;
                       }
                       reg(st, c.frame, e.dst).id = 0;
                       st.num.endian(e.kind, e.bits, var(c.frame, e.dst));
                   },
                   [&](const Jmp& j) { jump_checks(st, c, j); },
                   [&](const Ja&) {},
                   [&](const MayGoto&) {},
                   [&](const Load& l) { load(st, c, l); },
                   [&](const Store& s) { store(st, c, s); },
                   [&](const Atomic& a) { atomic(st, c, a); },
                   [&](const LdImm64& l) { ldimm(st, c, l); },
                   [&](const LdPacket& l) { ld_packet(st, c, l); },
                   [&](const Call& k) { call(st, c, k); },
                   [&](const Exit&) { exit(st, c); },
                   [&](const Gotox&) { fail(c, Check::Unsupported, "gotox is not supported"); },
                   [&](const AddrSpaceCast&) {
                       fail(c, Check::Unsupported, "addr_space_cast (arena) is not supported");
                       st.set_bottom();
                   },
               },
               p_.code.insns[c.index]);
}

template <dom::NumericState S>
void Analyzer<S>::alu(State& st, const Ctx& c, const Alu& a) const {
    const int f = c.frame;
    if (a.dst == kFramePointer) {
        fail(c, Check::FramePointerWrite, "r10 is read-only");
        return;
    }
    const dom::AluSpec spec{a.op, a.is64, a.sx_bits};
    const dom::Var x = var(f, a.dst);
    if (a.op == AluOp::Mov || a.op == AluOp::MovSx) {
        if (!a.src.is_reg) {
            reg(st, f, a.dst) = RegType::of(Kind::Scalar);
            st.num.assign(x, a.is64 ? static_cast<std::uint64_t>(std::int64_t{a.src.imm})
                                    : std::uint64_t{static_cast<std::uint32_t>(a.src.imm)});
            return;
        }
        read(st, c, a.src.reg);
        RegType& src_type = reg(st, f, a.src.reg);
        if (src_type.is(Kind::Scalar)) {
            // A copy of a scalar is linked to its source (the 32-bit form only when the
            // source fits in 32 bits, so that the copy is equal as a 64-bit number).
            const bool equal =
                a.op == AluOp::Mov &&
                (a.is64 || st.num.interval(var(f, a.src.reg)).u().hi().raw() <= 0xffffffffu);
            if (equal && src_type.id == 0 && a.src.reg != a.dst) {
                forget_id(st, c.uid);
                src_type.id = c.uid;
            }
            RegType copy = src_type;
            if (!equal) copy.id = 0;
            reg(st, f, a.dst) = copy;
            if (a.src.reg != a.dst) st.num.assign(x, var(f, a.src.reg));
            if (!a.is64 || a.op == AluOp::MovSx) st.num.apply(spec, x, x);
            return;
        }
        if (src_type.is(Kind::Packet) && src_type.id == 0 && a.is64 && a.op == AluOp::Mov &&
            a.src.reg != a.dst && !constant(st, var(f, a.src.reg))) {
            // A copy of a packet pointer whose offset is not known: both share a fresh id, so
            // a bound checked on the copy holds for the original (the kernel's shared id).
            forget_id(st, c.uid);
            src_type.id = c.uid;
            src_type.off = 0;
        }
        const RegType src = src_type;
        if (src.kinds.may_be_pointer() && (!a.is64 || a.op == AluOp::MovSx)) {
            if (opt_.caps == Caps::Bpf)
                fail(c, Check::PointerLeak, "partial copy of a pointer", {value(st, f, a.src.reg)});
            set_scalar(st, f, a.dst);
            if (!a.is64) assume_range(st, x, 0, 0xffffffffu);
            return;
        }
        reg(st, f, a.dst) = src;
        if (a.src.reg != a.dst) st.num.assign(x, var(f, a.src.reg));
        if (!a.is64 || a.op == AluOp::MovSx) st.num.apply(spec, x, x);
        return;
    }
    if (a.op != AluOp::Neg && a.src.is_reg) read(st, c, a.src.reg);
    read(st, c, a.dst);
    const bool ptr_dst = reg(st, f, a.dst).kinds.may_be_pointer();
    const bool ptr_src =
        a.src.is_reg && a.op != AluOp::Neg && reg(st, f, a.src.reg).kinds.may_be_pointer();
    if (ptr_dst || ptr_src) {
        pointer_arith(st, c, a);
        return;
    }
    const bool division =
        a.op == AluOp::Div || a.op == AluOp::SDiv || a.op == AluOp::Mod || a.op == AluOp::SMod;
    reg(st, f, a.dst).id = 0;  // a new number: no longer a copy of anything
    if (!a.src.is_reg || a.op == AluOp::Neg) {
        const std::uint64_t k = static_cast<std::uint64_t>(std::int64_t{a.src.imm});
        st.num.apply(spec, x,
                     a.is64 ? k
                            : std::uint64_t{static_cast<std::uint32_t>(a.src.imm)} |
                                  (k & 0xffffffff00000000u));
        return;
    }
    if (division) {
        const auto i = st.num.interval(var(f, a.src.reg));
        const bool zero = a.is64 ? i.u().lo().raw() == 0 : i.u32().lo().raw() == 0;
        if (zero)
            fail(c, Check::DivisionByZero,
                 "the divisor may be zero (the result is then defined: 0 for div, the dividend for "
                 "mod)",
                 {value(st, f, a.src.reg)});
    }
    st.num.apply(spec, x, var(f, a.src.reg));
}

template <dom::NumericState S>
void Analyzer<S>::pointer_arith(State& st, const Ctx& c, const Alu& a) const {
    const int f = c.frame;
    const dom::Var x = var(f, a.dst);
    RegType dt = reg(st, f, a.dst);
    const RegType st_src = a.src.is_reg ? reg(st, f, a.src.reg) : RegType::of(Kind::Scalar);
    const auto bad = [&](const std::string& why) {
        fail(c, Check::PointerArith, why,
             a.src.is_reg ? std::vector{value(st, f, a.dst), value(st, f, a.src.reg)}
                          : std::vector{value(st, f, a.dst)});
        set_scalar(st, f, a.dst);
    };
    if (dt.kinds.may_be_pointer() && st_src.kinds.may_be_pointer()) {
        const auto packet = [](const RegType& t) {
            return t.is(Kind::Packet) || t.is(Kind::PacketEnd);
        };
        if (a.op == AluOp::Sub && a.is64 && packet(dt) && packet(st_src)) {
            // Distances within one packet (data_end - data: its length) are plain numbers.
            const auto side = [&](const RegType& t, int r) {
                return t.is(Kind::PacketEnd) ? lay_.packet_size() : var(f, r);
            };
            const dom::Var a_v = side(dt, a.dst), b_v = side(st_src, a.src.reg);
            reg(st, f, a.dst) = RegType::of(Kind::Scalar);
            if (a_v != x) st.num.assign(x, a_v);
            st.num.apply(dom::AluSpec{AluOp::Sub, true, 0}, x, b_v);
            return;
        }
        const bool same = dt.kinds.single() && st_src.kinds == dt.kinds;
        if (a.op == AluOp::Sub && a.is64 && (opt_.caps == Caps::Root || same)) {
            if (opt_.caps == Caps::Bpf) {
                bad("pointer minus pointer needs a privileged loader");
                return;
            }
            set_scalar(st, f, a.dst);
            return;
        }
        bad("arithmetic between two pointers");
        return;
    }
    if (!a.is64) {
        bad("32-bit arithmetic on a pointer");
        return;
    }
    // Exactly one side is a pointer (or may be). `scalar + pointer` is `pointer + scalar`.
    const bool swapped = !dt.kinds.may_be_pointer();
    const RegType ptr = swapped ? st_src : dt;
    if (swapped && a.op != AluOp::Add) {
        bad("a pointer may only be added to a scalar");
        return;
    }
    if (a.op != AluOp::Add && a.op != AluOp::Sub) {
        bad("only addition and subtraction are allowed on pointers");
        return;
    }
    if (!ptr.kinds.single() || ptr.kinds.has(Kind::Scalar)) {
        bad("arithmetic on a value that may be a pointer or a scalar");
        return;
    }
    switch (ptr.kinds.only()) {
        case Kind::Ctx:
        case Kind::Stack:
        case Kind::Packet:
        case Kind::PacketMeta:
        case Kind::MapValue:
        case Kind::Mem:
            break;
        case Kind::PacketEnd:
            bad("arithmetic on pkt_end");
            return;
        case Kind::MapValueOrNull:
        case Kind::MemOrNull:
            bad("arithmetic on a pointer that may be NULL (check it first)");
            return;
        default:
            bad(std::string("arithmetic on ") + kind_name(ptr.kinds.only()));
            return;
    }
    // The scalar operand: a constant, or a bounded register.
    const int sreg = swapped ? a.dst : (a.src.is_reg ? a.src.reg : -1);
    std::optional<std::int64_t> k;
    if (sreg < 0) {
        k = std::int64_t{a.src.imm};
    } else {
        k = constant(st, var(f, sreg));
        if (k && (*k <= -detail::kMaxVarOff || *k >= detail::kMaxVarOff)) {
            bad("pointer arithmetic with a constant beyond 2^29 in magnitude");
            return;
        }
        const auto [lo, hi] = sbounds(st, var(f, sreg));
        if (!k && (lo <= -detail::kMaxVarOff || hi >= detail::kMaxVarOff)) {
            bad("pointer arithmetic with an unbounded scalar (R" + std::to_string(sreg) + ")");
            return;
        }
        if (!k && ptr.kinds.only() == Kind::Ctx) {
            bad("variable offset on the context pointer");
            return;
        }
    }
    RegType r = ptr;
    if (ptr.kinds.only() == Kind::Packet) {
        if (k) {
            r.off += a.op == AluOp::Add ? *k : -*k;
        } else {
            forget_id(st, c.uid);
            r.id = c.uid;
            r.off = 0;
        }
    }
    if (swapped) {
        // x := scalar + pointer offset.
        st.num.apply(dom::AluSpec{AluOp::Add, true, 0}, x, var(f, a.src.reg));
    } else if (a.src.is_reg) {
        st.num.apply(dom::AluSpec{a.op, true, 0}, x, var(f, a.src.reg));
    } else {
        st.num.apply(dom::AluSpec{a.op, true, 0}, x,
                     static_cast<std::uint64_t>(std::int64_t{a.src.imm}));
    }
    reg(st, f, a.dst) = r;
}

template <dom::NumericState S>
void Analyzer<S>::jump_checks(State& st, const Ctx& c, const Jmp& j) const {
    const int f = c.frame;
    read(st, c, j.dst);
    if (j.src.is_reg) read(st, c, j.src.reg);
    if (opt_.caps == Caps::Root) return;
    const RegType& a = reg(st, f, j.dst);
    const RegType b = j.src.is_reg ? reg(st, f, j.src.reg) : RegType::of(Kind::Scalar);
    if (!a.kinds.may_be_pointer() && !b.kinds.may_be_pointer()) return;
    const auto null_check = [&](const RegType& p, bool other_is_zero) {
        return other_is_zero && (j.cond == Cond::Eq || j.cond == Cond::Ne) && !j.is32 &&
               p.kinds.single() &&
               (p.is(Kind::MapValueOrNull) || p.is(Kind::MemOrNull) || p.is(Kind::MapValue) ||
                p.is(Kind::Mem));
    };
    const bool zero_src =
        !j.src.is_reg ? j.src.imm == 0 : constant(st, var(f, j.src.reg)) == 0 && b.is(Kind::Scalar);
    if (!b.kinds.may_be_pointer() && null_check(a, zero_src)) return;
    const auto packet_pair = [](const RegType& x, const RegType& y) {
        const auto pk = [](const RegType& t) {
            return t.is(Kind::Packet) || t.is(Kind::PacketEnd) || t.is(Kind::PacketMeta);
        };
        return pk(x) && pk(y);
    };
    if (!j.is32 && j.src.is_reg && packet_pair(a, b)) return;
    fail(c, Check::PointerCompare, "pointer comparison other than a NULL check or a packet bound",
         j.src.is_reg ? std::vector{value(st, f, j.dst), value(st, f, j.src.reg)}
                      : std::vector{value(st, f, j.dst)});
}

template <dom::NumericState S>
void Analyzer<S>::refine(State& st, int f, const Jmp& j, bool holds) const {
    const dom::Branch br = detail::branch(j.cond, j.is32, holds);
    const RegType a = reg(st, f, j.dst);
    const RegType b = j.src.is_reg ? reg(st, f, j.src.reg) : RegType::of(Kind::Scalar);
    const dom::Var x = var(f, j.dst);
    if (!a.kinds.may_be_pointer() && !b.kinds.may_be_pointer()) {
        if (a.kinds.has(Kind::Uninit) || b.kinds.has(Kind::Uninit)) return;
        if (j.src.is_reg)
            st.num.assume(br, x, var(f, j.src.reg));
        else
            st.num.assume(br, x,
                          j.is32 ? std::uint64_t{static_cast<std::uint32_t>(j.src.imm)}
                                 : static_cast<std::uint64_t>(std::int64_t{j.src.imm}));
        sync_copies(st, f, j.dst);
        if (j.src.is_reg) sync_copies(st, f, j.src.reg);
        return;
    }
    // NULL checks: `p == 0` / `p != 0` on a pointer that may be NULL.
    const bool zero =
        !j.src.is_reg ? j.src.imm == 0 : b.is(Kind::Scalar) && constant(st, var(f, j.src.reg)) == 0;
    if (!j.is32 && zero && (j.cond == Cond::Eq || j.cond == Cond::Ne) && a.kinds.single()) {
        const bool is_null = (j.cond == Cond::Eq) == holds;
        const Kind k = a.kinds.only();
        if (k == Kind::MapValueOrNull || k == Kind::MemOrNull) {
            const Kind nonnull = k == Kind::MapValueOrNull ? Kind::MapValue : Kind::Mem;
            const auto convert = [&](RegType& t, std::optional<dom::Var> v) {
                if (is_null) {
                    std::erase(st.refs, t.id);
                    t = RegType::of(Kind::Scalar);
                    if (v) st.num.assign(*v, std::uint64_t{0});
                } else {
                    t.kinds = nonnull;
                }
            };
            if (a.id == 0) {
                convert(reg(st, f, j.dst), x);
            } else {
                for (std::size_t fr = 0; fr < st.frames.size(); ++fr) {
                    for (int r = 0; r < kRegs; ++r)
                        if (st.frames[fr].regs[r].id == a.id &&
                            st.frames[fr].regs[r].kinds.single() &&
                            st.frames[fr].regs[r].kinds.only() == k)
                            convert(st.frames[fr].regs[r], var(static_cast<int>(fr), r));
                    for (int s = 0; s < kSlots; ++s)
                        if (st.frames[fr].slots[s].id == a.id &&
                            st.frames[fr].slots[s].kinds.single() &&
                            st.frames[fr].slots[s].kinds.only() == k) {
                            const auto sv = lay_.slot(static_cast<int>(fr), s);
                            convert(st.frames[fr].slots[s],
                                    sv >= 0 ? std::optional<dom::Var>(static_cast<dom::Var>(sv))
                                            : std::nullopt);
                        }
                }
            }
            return;
        }
        if ((k == Kind::MapValue || k == Kind::Mem || k == Kind::Stack || k == Kind::Ctx ||
             k == Kind::Packet) &&
            is_null) {
            st.set_bottom();  // a valid pointer is never NULL
            return;
        }
        return;
    }
    if (j.is32 || !j.src.is_reg || !a.kinds.single() || !b.kinds.single()) return;
    const Kind ka = a.kinds.only(), kb = b.kinds.only();
    // Packet bounds: compare offsets against the packet size.
    if ((ka == Kind::Packet && kb == Kind::PacketEnd) ||
        (ka == Kind::PacketEnd && kb == Kind::Packet)) {
        const bool p_first = ka == Kind::Packet;
        const dom::Var pv = p_first ? x : var(f, j.src.reg);
        const RegType& pt = p_first ? a : b;
        if (p_first)
            st.num.assume(br, pv, lay_.packet_size());
        else
            st.num.assume(br, lay_.packet_size(), pv);
        // Sides on which p <= end holds.
        const Cond c = j.cond;
        bool below = false;
        if (p_first)
            below = (holds && (c == Cond::Lt || c == Cond::Le || c == Cond::Eq)) ||
                    (!holds && (c == Cond::Gt || c == Cond::Ge));
        else
            below = (holds && (c == Cond::Gt || c == Cond::Ge || c == Cond::Eq)) ||
                    (!holds && (c == Cond::Lt || c == Cond::Le));
        if (below && opt_.packet_range) {
            // id 0: the pointer is data + its offset, which must be known exactly.
            if (pt.id != 0)
                st.raise_range(pt.id, pt.off);
            else if (const auto k = constant(st, pv); k && *k > 0)
                st.raise_range(0, *k);
        }
        return;
    }
    // Two pointers into the same region: their offsets compare as the pointers do.
    const bool same_region =
        ka == kb && (ka == Kind::Packet || ka == Kind::PacketMeta ||
                     (ka == Kind::Stack && a.frame == b.frame) ||
                     ((ka == Kind::MapValue || ka == Kind::Ctx) && a.map == b.map));
    if (same_region) st.num.assume(br, x, var(f, j.src.reg));
}

template <dom::NumericState S>
bool Analyzer<S>::in_checked_range(const State& st, const RegType& t, dom::Var x,
                                   std::int64_t end) const {
    if (t.id != 0) return t.off + end <= st.range_of(t.id);
    const auto k = constant(st, x);
    return k && *k >= 0 && *k < (std::int64_t{1} << 40) && *k + end <= st.range_of(0);
}

template <dom::NumericState S>
void Analyzer<S>::sync_copies(State& st, int f, int r) const {
    const RegType& t = reg(st, f, r);
    if (!t.is(Kind::Scalar) || t.id == 0 || st.is_bottom()) return;
    const dom::Var x = var(f, r);
    const dom::Branch eq{Cond::Eq, false, true};
    for (std::size_t fr = 0; fr < st.frames.size(); ++fr) {
        for (int q = 0; q < kRegs; ++q) {
            const RegType& u = st.frames[fr].regs[q];
            if (u.id == t.id && u.is(Kind::Scalar) && !(static_cast<int>(fr) == f && q == r))
                st.num.assume(eq, var(static_cast<int>(fr), q), x);
        }
        for (int k = 0; k < kSlots; ++k) {
            const RegType& u = st.frames[fr].slots[k];
            const auto v = lay_.slot(static_cast<int>(fr), k);
            if (u.id == t.id && u.is(Kind::Scalar) && v >= 0 && st.frames[fr].valid[k] == 8)
                st.num.assume(eq, static_cast<dom::Var>(v), x);
        }
    }
}

template <dom::NumericState S>
AbsState<S> Analyzer<S>::edge(std::size_t u, std::size_t v, const State& post) const {
    if (post.is_bottom() || post.is_top()) return post;
    State out = State::bottom();
    const Vertex& vu = g_.vertices[u];
    const Instruction& last = p_.code.insns[vu.last];
    const int f = g_.frame_of(u);
    for (const FlowKind kind : g_.flows(u, v)) {
        State st = post;
        switch (kind) {
            case FlowKind::Taken:
            case FlowKind::NotTaken:
                refine(st, f, std::get<Jmp>(last), kind == FlowKind::Taken);
                break;
            case FlowKind::Call:
                push_frame(st, {-1, 1, 2, 3, 4, 5}, f);
                break;
            case FlowKind::Return: {
                RegType r0 = reg(st, f, 0);
                st.num.assign(var(f - 1, 0), var(f, 0));
                pop_frame(st);
                if (r0.kinds.has(Kind::Stack) && r0.frame == f) r0 = RegType::of(Kind::Uninit);
                reg(st, f - 1, 0) = r0;
                clobber_caller_saved(st, f - 1);
                break;
            }
            case FlowKind::CallbackEnter: {
                push_frame(st, {-1, -1, 3, -1, -1, -1}, f);
                // r1: the iteration index, below bpf_loop's limit of 2^23 iterations.
                reg(st, f + 1, 1) = RegType::of(Kind::Scalar);
                assume_range(st, var(f + 1, 1), 0, (std::uint64_t{1} << 23) - 1);
                break;
            }
            case FlowKind::CallbackAgain: {
                pop_frame(st);
                push_frame(st, {-1, -1, 3, -1, -1, -1}, f - 1);
                reg(st, f, 1) = RegType::of(Kind::Scalar);
                assume_range(st, var(f, 1), 0, (std::uint64_t{1} << 23) - 1);
                break;
            }
            case FlowKind::CallbackDone:
                pop_frame(st);
                clobber_caller_saved(st, f - 1);
                set_scalar(st, f - 1, 0);
                break;
            case FlowKind::Fallthrough:
                if (const auto* k = std::get_if<Call>(&last);
                    k != nullptr && k->kind == CallKind::Helper && k->imm == kHelperLoop) {
                    clobber_caller_saved(st, f);
                    set_scalar(st, f, 0);
                }
                break;
            case FlowKind::Goto:
                break;
        }
        if (!st.is_bottom()) out.join_with(std::move(st));
    }
    if (out.is_bottom()) return out;
    if (const std::int64_t l = g_.loop_of_head(v); l >= 0) {
        const dom::Var k = lay_.loop_counter(static_cast<int>(l));
        const dom::Var down = lay_.loop_down_counter(static_cast<int>(l));
        if (g_.is_back_edge(u, v)) {
            out.num.apply(dom::AluSpec{AluOp::Add, true, 0}, k, std::uint64_t{1});
            out.num.apply(dom::AluSpec{AluOp::Sub, true, 0}, down, std::uint64_t{1});
        } else {
            out.num.assign(k, std::uint64_t{0});
            out.num.assign(down, kDownCounterStart);
        }
    }
    return out;
}

template <dom::NumericState S>
bool Analyzer<S>::loop_bounded(std::size_t l, const State& st) const {
    if (st.is_bottom()) return true;
    if (st.is_top()) return false;
    const auto up = st.num.interval(lay_.loop_counter(static_cast<int>(l)));
    const auto down = st.num.interval(lay_.loop_down_counter(static_cast<int>(l)));
    return up.is_bottom() || down.is_bottom() || up.u().hi().raw() < (std::uint64_t{1} << 32) ||
           down.u().lo().raw() > kDownCounterStart - (std::uint64_t{1} << 32);
}

template <dom::NumericState S>
void Analyzer<S>::push_frame(State& st, const std::array<int, 6>& src, int from) const {
    st.frames.emplace_back();
    const int f = from + 1;
    for (int r = 0; r < kRegs; ++r) st.num.havoc(var(f, r));
    for (int r = 1; r <= 5; ++r) {
        if (src[r] < 0) continue;
        reg(st, f, r) = reg(st, from, src[r]);
        st.num.assign(var(f, r), var(from, src[r]));
    }
    RegType fp = RegType::of(Kind::Stack);
    fp.frame = static_cast<std::uint8_t>(f);
    reg(st, f, 10) = fp;
    st.num.assign(var(f, 10), std::uint64_t{kStackBytes});
}

template <dom::NumericState S>
void Analyzer<S>::pop_frame(State& st) const {
    const int f = static_cast<int>(st.frames.size()) - 1;
    for (int r = 0; r < kRegs; ++r) st.num.havoc(var(f, r));
    for (int s = 0; s < kSlots; ++s)
        if (const auto v = lay_.slot(f, s); v >= 0) st.num.havoc(static_cast<dom::Var>(v));
    // Pointers into the popped frame die with it.
    st.frames.pop_back();
    for (std::size_t fr = 0; fr < st.frames.size(); ++fr) {
        for (int r = 0; r < kRegs; ++r) {
            RegType& t = st.frames[fr].regs[r];
            if (t.kinds.has(Kind::Stack) && t.frame == f) set_uninit(st, static_cast<int>(fr), r);
        }
    }
}

template <dom::NumericState S>
void Analyzer<S>::clobber_caller_saved(State& st, int frame) const {
    for (int r = 1; r <= 5; ++r) set_uninit(st, frame, r);
}

template <dom::NumericState S>
void Analyzer<S>::ldimm(State& st, const Ctx& c, const LdImm64& l) const {
    const int f = c.frame;
    const dom::Var x = var(f, l.dst);
    if (l.dst == kFramePointer) {
        fail(c, Check::FramePointerWrite, "r10 is read-only");
        return;
    }
    switch (l.kind) {
        case LdImmKind::Imm64:
            reg(st, f, l.dst) = RegType::of(Kind::Scalar);
            st.num.assign(x, l.value());
            return;
        case LdImmKind::MapFd:
        case LdImmKind::MapIdx: {
            RegType t = RegType::of(Kind::MapPtr);
            t.map = l.imm;
            reg(st, f, l.dst) = t;
            st.num.assign(x, std::uint64_t{0});
            return;
        }
        case LdImmKind::MapValue:
        case LdImmKind::MapIdxValue: {
            RegType t = RegType::of(Kind::MapValue);
            t.map = l.imm;
            reg(st, f, l.dst) = t;
            st.num.assign(x, static_cast<std::uint64_t>(std::int64_t{l.next_imm}));
            return;
        }
        case LdImmKind::CodeAddr: {
            RegType t = RegType::of(Kind::Func);
            t.map = static_cast<std::int32_t>(std::int64_t{p_.code.pc[c.index]} + l.imm + 1);
            reg(st, f, l.dst) = t;
            st.num.assign(x, std::uint64_t{0});
            return;
        }
        case LdImmKind::VarAddr:
            fail(c, Check::Unsupported, "ldimm64 of a variable address (ksym) is not supported");
            set_scalar(st, f, l.dst);
            return;
    }
}

}  // namespace bpflab::verify
