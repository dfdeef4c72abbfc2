// SPDX-License-Identifier: Apache-2.0
// bpflab: Analyzer (verifier/analyzer.hpp) — memory: loads, stores, atomics, legacy packet
// loads, and the region checks every access must pass.
#pragma once

namespace bpflab::verify {

template <dom::NumericState S>
bool Analyzer<S>::entails_below(const State& st, dom::Var x, std::int64_t add,
                                dom::Var limit) const {
    const auto [lo, hi] = sbounds(st, x);
    if (lo > hi) return true;
    const auto lim = st.num.interval(limit);
    if (lim.is_bottom()) return true;
    if (hi < (std::int64_t{1} << 40) &&
        hi + add <=
            static_cast<std::int64_t>(std::min<std::uint64_t>(lim.u().lo().raw(), 1ull << 40)))
        return true;
    // By refutation: x + add > limit must be impossible (x + add >= 0 is checked apart).
    S n = st.num;
    const dom::Var t = lay_.scratch(0);
    n.assign(t, x);
    n.apply(dom::AluSpec{AluOp::Add, true, 0}, t, static_cast<std::uint64_t>(add));
    n.assume(detail::branch(Cond::Gt, false, true), t, limit);
    return n.is_bottom();
}

template <dom::NumericState S>
std::optional<Kind> Analyzer<S>::check_access(State& st, const Ctx& c, int r, std::int64_t off,
                                              int size, Access acc, int value) const {
    const int f = c.frame;
    if (!read(st, c, r)) return std::nullopt;
    const RegType t = reg(st, f, r);
    const dom::Var x = var(f, r);
    const auto vals = [&] {
        std::vector<std::pair<std::string, std::string>> v{this->value(st, f, r)};
        if (value >= 0) v.push_back(this->value(st, f, value));
        return v;
    };
    const std::string where = "R" + std::to_string(r) + (off >= 0 ? "+" : "") + std::to_string(off);
    const std::string what =
        std::to_string(size) + "-byte " + (acc == Access::Read ? "read" : "write") + " at " + where;
    if (!t.kinds.single()) {
        fail(c, Check::InvalidDeref,
             what + ": R" + std::to_string(r) +
                 " holds different kinds of values on different paths",
             vals());
        return std::nullopt;
    }
    const bool leaks =
        value >= 0 && reg(st, f, value).kinds.may_be_pointer() && opt_.caps == Caps::Bpf;
    const auto [lo0, hi0] = sbounds(st, x);
    const std::int64_t lo = lo0 + off, hi = hi0 + off;
    const Kind k = t.kinds.only();
    switch (k) {
        case Kind::Scalar:
        case Kind::PacketEnd:
        case Kind::MapPtr:
        case Kind::Func:
        case Kind::Uninit:
        case Kind::Count:
            fail(c, Check::InvalidDeref,
                 what + ": R" + std::to_string(r) + " is " + kind_name(k) +
                     ", not a pointer to memory",
                 vals());
            return std::nullopt;
        case Kind::MapValueOrNull:
        case Kind::MemOrNull:
            fail(c, Check::NullDeref,
                 what + ": R" + std::to_string(r) + " may be NULL (no NULL check on this path)",
                 vals());
            return std::nullopt;
        case Kind::Ctx: {
            if (lo != hi) {
                fail(c, Check::CtxAccess, what + ": variable offset into the context", vals());
                return std::nullopt;
            }
            if (type_ == nullptr) {
                fail(c, Check::CtxAccess, what + ": the program type is unknown, so is its context",
                     vals());
                return std::nullopt;
            }
            if (type_->fields.empty()) {
                // A tracepoint's record size depends on its attach point, which a program
                // file does not carry: bpflab assumes at most kTracepointRecord bytes.
                constexpr std::int64_t kTracepointRecord = 512;
                const std::int64_t limit = type_->ctx_size ? type_->ctx_size : kTracepointRecord;
                if (acc == Access::Write || lo < 0 || lo + size > limit || lo % size != 0) {
                    fail(c, Check::CtxAccess,
                         what + ": outside the " + std::to_string(limit) +
                             "-byte read-only context, or misaligned",
                         vals());
                    return std::nullopt;
                }
                return k;
            }
            const CtxField* fd = find_ctx_field(*type_, lo);
            if (fd == nullptr || lo + size > fd->offset + fd->size) {
                fail(c, Check::CtxAccess,
                     what + ": no accessible context field at offset " + std::to_string(lo),
                     vals());
                return std::nullopt;
            }
            const bool exact = lo == fd->offset && size == std::min<int>(fd->size, 8);
            const bool narrow = fd->kind == CtxFieldKind::Scalar && fd->narrow_reads &&
                                acc == Access::Read && (lo - fd->offset) % size == 0;
            if (!exact && !narrow &&
                !(fd->size > 8 && (lo - fd->offset) % size == 0 &&
                  fd->kind == CtxFieldKind::Scalar)) {
                fail(c, Check::CtxAccess,
                     what + ": field " + std::string(fd->name) + " does not allow this size",
                     vals());
                return std::nullopt;
            }
            if (acc == Access::Write && !fd->writable) {
                fail(c, Check::CtxAccess,
                     what + ": field " + std::string(fd->name) + " is read-only", vals());
                return std::nullopt;
            }
            if (leaks)
                fail(c, Check::PointerLeak, what + ": a pointer stored into the context", vals());
            return k;
        }
        case Kind::Stack:
            if (t.map == RegType::kSeveralMaps) {
                fail(c, Check::InvalidDeref, what + ": a stack pointer into different frames",
                     vals());
                return std::nullopt;
            }
            if (lo < 0 || hi + size > kStackBytes) {
                fail(c, Check::StackBounds,
                     what + ": outside the 512-byte frame (offsets " +
                         std::to_string(lo - kStackBytes) + ".." +
                         std::to_string(hi - kStackBytes) + " from r10)",
                     vals());
                return std::nullopt;
            }
            note_stack(c, t.frame, lo);
            return k;
        case Kind::Packet: {
            if (type_ == nullptr || !type_->direct_packet_access) {
                fail(c, Check::PacketAccess,
                     what + ": this program type has no direct packet access", vals());
                return std::nullopt;
            }
            bool ok = lo >= 0;
            if (ok) {
                ok = entails_below(st, x, off + size, lay_.packet_size()) ||
                     (opt_.packet_range && in_checked_range(st, t, x, off + size));
            }
            if (!ok) {
                fail(c, Check::PacketBounds, what + ": not proved within [data, data_end)", vals());
                return std::nullopt;
            }
            if (leaks)
                fail(c, Check::PointerLeak, what + ": a pointer stored into the packet", vals());
            return k;
        }
        case Kind::PacketMeta:
            if (lo < 0 || !entails_below(st, x, off + size, lay_.meta_size())) {
                fail(c, Check::PacketBounds, what + ": not proved within [data_meta, data)",
                     vals());
                return std::nullopt;
            }
            return k;
        case Kind::MapValue: {
            const MapDef* m = map_of(t);
            if (m == nullptr) {
                fail(c, Check::InvalidDeref, what + ": a value of an unknown map", vals());
                return std::nullopt;
            }
            if (lo < 0 || hi + size > static_cast<std::int64_t>(m->value_size)) {
                fail(c, Check::MapValueBounds,
                     what + ": outside the " + std::to_string(m->value_size) +
                         "-byte value of map " + m->name,
                     vals());
                return std::nullopt;
            }
            if (acc == Access::Write && m->read_only()) {
                fail(c, Check::ReadOnlyWrite, what + ": map " + m->name + " is read-only", vals());
                return std::nullopt;
            }
            if (leaks)
                fail(c, Check::PointerLeak, what + ": a pointer stored into map " + m->name,
                     vals());
            return k;
        }
        case Kind::Mem:
            if (lo < 0 || hi + size > static_cast<std::int64_t>(t.size)) {
                fail(c, Check::MemBounds,
                     what + ": outside the " + std::to_string(t.size) + "-byte record", vals());
                return std::nullopt;
            }
            if (leaks)
                fail(c, Check::PointerLeak, what + ": a pointer stored into a record", vals());
            return k;
    }
    return std::nullopt;
}

template <dom::NumericState S>
void Analyzer<S>::forget_slot(State& st, int frame, std::size_t s) const {
    Frame& fr = st.frames[static_cast<std::size_t>(frame)];
    fr.slots[s] = RegType::of(Kind::Scalar);
    fr.valid[s] = 0;
    fr.at[s] = 0;
    if (const auto v = lay_.slot(frame, static_cast<int>(s)); v >= 0)
        st.num.havoc(static_cast<dom::Var>(v));
}

template <dom::NumericState S>
bool Analyzer<S>::stack_read(State& st, const Ctx& c, int frame, std::int64_t lo, std::int64_t hi,
                             int size, int dst, bool sign) const {
    Frame& fr = st.frames[static_cast<std::size_t>(frame)];
    bool all = true;
    for (std::int64_t b = lo; b < hi + size; ++b) all = all && fr.init[static_cast<std::size_t>(b)];
    if (!all && opt_.caps == Caps::Bpf)
        fail(c, Check::UninitStack,
             "read of stack bytes " + std::to_string(lo - kStackBytes) + ".." +
                 std::to_string(hi + size - 1 - kStackBytes) + " (from r10) that may be unwritten");
    bool pointer = false;
    for (std::int64_t s = lo / 8; s <= (hi + size - 1) / 8; ++s)
        pointer = pointer || fr.slots[static_cast<std::size_t>(s)].kinds.may_be_pointer();
    const int f = c.frame;
    const auto slot = static_cast<std::size_t>(lo / 8);
    const auto v = lay_.slot(frame, static_cast<int>(slot));
    if (lo == hi && size == 8 && lo % 8 == 0 && all && fr.valid[slot] == 8) {
        // A whole spilled register (pointer or scalar) comes back as it went.
        reg(st, f, dst) = fr.slots[slot];
        if (v >= 0)
            st.num.assign(var(f, dst), static_cast<dom::Var>(v));
        else
            st.num.havoc(var(f, dst));
        return true;
    }
    if (pointer && opt_.caps == Caps::Bpf)
        fail(c, Check::PartialPointer, "read of part of a spilled pointer");
    if (lo == hi && lo % 8 == fr.at[slot] && all && !pointer && v >= 0 && size <= fr.valid[slot]) {
        // The first `size` bytes of the number the slot keeps from byte `at`.
        reg(st, f, dst) = RegType::of(Kind::Scalar);
        const dom::Var x = var(f, dst);
        st.num.assign(x, static_cast<dom::Var>(v));
        if (size < 8) {
            st.num.apply(dom::AluSpec{AluOp::And, true, 0}, x,
                         (std::uint64_t{1} << (8 * size)) - 1);
            if (sign)
                st.num.apply(dom::AluSpec{AluOp::MovSx, true, static_cast<unsigned>(8 * size)}, x,
                             x);
        }
        return true;
    }
    set_loaded(st, f, dst, size, sign);
    return all;
}

template <dom::NumericState S>
void Analyzer<S>::stack_write(State& st, const Ctx& c, int frame, std::int64_t lo, std::int64_t hi,
                              int size, int value) const {
    Frame& fr = st.frames[static_cast<std::size_t>(frame)];
    const int f = c.frame;
    const bool ptr_value = value >= 0 && reg(st, f, value).kinds.may_be_pointer();
    const auto* store = std::get_if<Store>(&p_.code.insns[c.index]);
    const auto slot = static_cast<std::size_t>(lo / 8);
    const auto v = lay_.slot(frame, static_cast<int>(slot));
    const auto in_slot = static_cast<int>(lo % 8);
    // A narrow store beside the bytes the slot keeps leaves them kept (below); one over them,
    // or into a slot that keeps nothing, becomes what the slot keeps.
    const bool beside = fr.valid[slot] != 0 &&
                        (in_slot >= fr.at[slot] + fr.valid[slot] || in_slot + size <= fr.at[slot]);
    if (lo == hi && in_slot + size <= 8 && (size == 8 || (!ptr_value && !beside))) {
        // A spilled register, or a number the slot var keeps from byte `in_slot`.
        for (int b = 0; b < size; ++b) fr.init[static_cast<std::size_t>(lo + b)] = true;
        if (fr.slots[slot].kinds.may_be_pointer() && size < 8 && opt_.caps == Caps::Bpf)
            fail(c, Check::PartialPointer, "a write over part of a spilled pointer");
        fr.slots[slot] = value >= 0 && size == 8 ? reg(st, f, value) : RegType::of(Kind::Scalar);
        fr.valid[slot] = static_cast<std::uint8_t>(size);
        fr.at[slot] = static_cast<std::uint8_t>(in_slot);
        if (v < 0) return;
        const auto sv = static_cast<dom::Var>(v);
        if (value >= 0)
            st.num.assign(sv, var(f, value));
        else if (store != nullptr)
            st.num.assign(sv, static_cast<std::uint64_t>(std::int64_t{store->src.imm}));
        else
            st.num.havoc(sv);
        if (size < 8)
            st.num.apply(dom::AluSpec{AluOp::And, true, 0}, sv,
                         (std::uint64_t{1} << (8 * size)) - 1);
        return;
    }
    if (ptr_value && opt_.caps == Caps::Bpf)
        fail(c, Check::PartialPointer,
             "a pointer spilled with fewer than 8 bytes or at a variable or misaligned offset",
             {this->value(st, f, value)});
    for (std::int64_t s = lo / 8; s <= (hi + size - 1) / 8; ++s) {
        const auto k = static_cast<std::size_t>(s);
        if (fr.slots[k].kinds.may_be_pointer() && opt_.caps == Caps::Bpf)
            fail(c, Check::PartialPointer, "a write over part of a spilled pointer");
        // A write beside the slot's kept bytes leaves them kept.
        if (lo == hi && s == lo / 8 && (hi + size - 1) / 8 == s && beside &&
            !fr.slots[k].kinds.may_be_pointer())
            continue;
        forget_slot(st, frame, k);
    }
    if (lo == hi)
        for (int b = 0; b < size; ++b) fr.init[static_cast<std::size_t>(lo + b)] = true;
}
template <dom::NumericState S>
void Analyzer<S>::load(State& st, const Ctx& c, const Load& l) const {
    const int f = c.frame;
    const int size = bytes(l.size);
    if (l.dst == kFramePointer) {
        fail(c, Check::FramePointerWrite, "r10 is read-only");
        return;
    }
    const auto kind = check_access(st, c, l.src, l.off, size, Access::Read, -1);
    if (!kind) {
        set_loaded(st, f, l.dst, size, l.sign_ext);
        return;
    }
    const RegType t = reg(st, f, l.src);
    const auto [lo0, hi0] = sbounds(st, var(f, l.src));
    const std::int64_t lo = lo0 + l.off, hi = hi0 + l.off;
    switch (*kind) {
        case Kind::Stack:
            stack_read(st, c, t.frame, lo, hi, size, l.dst, l.sign_ext);
            return;
        case Kind::Ctx: {
            const CtxField* fd = type_->fields.empty() ? nullptr : find_ctx_field(*type_, lo);
            if (fd != nullptr && fd->kind != CtxFieldKind::Scalar) {
                const Kind pk = fd->kind == CtxFieldKind::PacketStart ? Kind::Packet
                                : fd->kind == CtxFieldKind::PacketEnd ? Kind::PacketEnd
                                                                      : Kind::PacketMeta;
                reg(st, f, l.dst) = RegType::of(pk);
                if (pk == Kind::PacketEnd)
                    st.num.assign(var(f, l.dst), lay_.packet_size());
                else
                    st.num.assign(var(f, l.dst), std::uint64_t{0});
                return;
            }
            set_loaded(st, f, l.dst, size, l.sign_ext);
            return;
        }
        case Kind::MapValue: {
            const MapDef* m = map_of(t);
            if (m != nullptr && m->read_only() && lo == hi && lo >= 0 &&
                static_cast<std::size_t>(lo + size) <= m->initial_value.size()) {
                std::uint64_t v = 0;
                for (int b = size - 1; b >= 0; --b)
                    v = (v << 8) | m->initial_value[static_cast<std::size_t>(lo + b)];
                if (l.sign_ext && size < 8 && ((v >> (8 * size - 1)) & 1))
                    v |= ~std::uint64_t{0} << (8 * size);
                reg(st, f, l.dst) = RegType::of(Kind::Scalar);
                st.num.assign(var(f, l.dst), v);
                return;
            }
            set_loaded(st, f, l.dst, size, l.sign_ext);
            return;
        }
        default:
            set_loaded(st, f, l.dst, size, l.sign_ext);
            return;
    }
}

template <dom::NumericState S>
void Analyzer<S>::store(State& st, const Ctx& c, const Store& s) const {
    const int f = c.frame;
    const int size = bytes(s.size);
    if (s.src.is_reg) read(st, c, s.src.reg);
    const int value = s.src.is_reg ? s.src.reg : -1;
    const auto kind = check_access(st, c, s.dst, s.off, size, Access::Write, value);
    if (!kind || *kind != Kind::Stack) return;
    const RegType t = reg(st, f, s.dst);
    const auto [lo0, hi0] = sbounds(st, var(f, s.dst));
    stack_write(st, c, t.frame, lo0 + s.off, hi0 + s.off, size, value);
}

template <dom::NumericState S>
void Analyzer<S>::atomic(State& st, const Ctx& c, const Atomic& a) const {
    const int f = c.frame;
    const int size = bytes(a.size);
    if (a.op == AtomicOp::LoadAcquire) {
        load(st, c, Load{a.size, false, a.dst, a.src, a.off});
        return;
    }
    if (a.op == AtomicOp::StoreRelease) {
        store(st, c, Store{a.size, a.dst, a.off, Operand{true, a.src, 0}});
        return;
    }
    read(st, c, a.src);
    if (a.op == AtomicOp::Cmpxchg) read(st, c, 0);
    if (reg(st, f, a.src).kinds.may_be_pointer())
        fail(c, Check::PointerLeak, "atomic operation with a pointer operand",
             {value(st, f, a.src)});
    const auto kind = check_access(st, c, a.dst, a.off, size, Access::Write, -1);
    if (kind && (*kind == Kind::Ctx || *kind == Kind::Packet || *kind == Kind::PacketMeta))
        fail(c, Check::InvalidDeref, std::string("atomic operation on ") + kind_name(*kind),
             {value(st, f, a.dst)});
    if (kind && *kind == Kind::Stack) {
        const RegType t = reg(st, f, a.dst);
        const auto [lo0, hi0] = sbounds(st, var(f, a.dst));
        const std::int64_t lo = lo0 + a.off, hi = hi0 + a.off;
        Frame& fr = st.frames[t.frame];
        bool all = true;
        for (std::int64_t b = lo; b < hi + size; ++b)
            all = all && fr.init[static_cast<std::size_t>(b)];
        if (!all && opt_.caps == Caps::Bpf)
            fail(c, Check::UninitStack, "atomic operation on stack bytes that may be unwritten");
        for (std::int64_t s = lo / 8; s <= (hi + size - 1) / 8; ++s) {
            if (fr.slots[static_cast<std::size_t>(s)].kinds.may_be_pointer())
                fail(c, Check::PartialPointer, "atomic operation on a spilled pointer");
            forget_slot(st, t.frame, static_cast<std::size_t>(s));
            if (const auto v = lay_.slot(t.frame, static_cast<int>(s)); v >= 0)
                st.num.havoc(static_cast<dom::Var>(v));
        }
    }
    if (a.op == AtomicOp::Cmpxchg)
        set_loaded(st, f, 0, size, false);
    else if (a.fetch || a.op == AtomicOp::Xchg)
        set_loaded(st, f, a.src, size, false);
}

template <dom::NumericState S>
void Analyzer<S>::ld_packet(State& st, const Ctx& c, const LdPacket& l) const {
    const int f = c.frame;
    constexpr std::uint32_t kXdp = 6;  // BPF_PROG_TYPE_XDP: no skb, no legacy loads
    if (type_ == nullptr || !type_->packet_context || type_->prog_type == kXdp)
        fail(c, Check::PacketAccess, "legacy packet loads need a socket filter or tc program");
    if (!reg(st, f, 6).is(Kind::Ctx))
        fail(c, Check::InvalidDeref, "legacy packet loads need the context in r6",
             {value(st, f, 6)});
    if (l.indirect) {
        read(st, c, l.src);
        if (reg(st, f, l.src).kinds.may_be_pointer())
            fail(c, Check::PointerArith, "legacy packet load with a pointer offset",
                 {value(st, f, l.src)});
    }
    clobber_caller_saved(st, f);
    set_loaded(st, f, 0, bytes(l.size), false);
}

}  // namespace bpflab::verify
