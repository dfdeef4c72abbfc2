// SPDX-License-Identifier: Apache-2.0
// bpflab: Analyzer (verifier/analyzer.hpp) — helper calls checked against their prototypes
// (core/platform.hpp), local calls, and program exit.
#pragma once

namespace bpflab::verify {

template <dom::NumericState S>
bool Analyzer<S>::helper_memory(State& st, const Ctx& c, int r, std::int64_t size_lo,
                                std::int64_t size_hi, bool write, bool marks,
                                const char* what) const {
    const int f = c.frame;
    if (!read(st, c, r)) return false;
    const RegType t = reg(st, f, r);
    const auto arg = [&](const std::string& why) {
        fail(c, Check::HelperArg, std::string(what) + " (R" + std::to_string(r) + "): " + why,
             {value(st, f, r)});
        return false;
    };
    if (size_hi <= 0) return true;
    if (!t.kinds.single()) return arg("holds different kinds of values on different paths");
    const auto [lo0, hi0] = sbounds(st, var(f, r));
    const std::int64_t lo = lo0, hi = hi0 + size_hi;
    const Kind k = t.kinds.only();
    const auto bounds = [&](Check code, std::int64_t limit, const std::string& region) {
        if (lo < 0 || hi > limit) {
            fail(c, code,
                 std::string(what) + " (R" + std::to_string(r) + ", up to " +
                     std::to_string(size_hi) + " bytes) is not within " + region,
                 {value(st, f, r)});
            return false;
        }
        return true;
    };
    switch (k) {
        case Kind::Stack: {
            if (t.map == RegType::kSeveralMaps) return arg("a stack pointer into different frames");
            if (!bounds(Check::StackBounds, kStackBytes, "the 512-byte frame")) return false;
            note_stack(c, t.frame, lo);
            Frame& fr = st.frames[t.frame];
            if (!write) {
                bool all = true;
                for (std::int64_t b = lo; b < hi; ++b)
                    all = all && fr.init[static_cast<std::size_t>(b)];
                if (!all && opt_.caps == Caps::Bpf) {
                    fail(c, Check::UninitStack,
                         std::string(what) + " (R" + std::to_string(r) +
                             ") covers stack bytes that may be unwritten",
                         {value(st, f, r)});
                    return false;
                }
                for (std::int64_t s = lo / 8; s <= (hi - 1) / 8; ++s)
                    if (fr.slots[static_cast<std::size_t>(s)].kinds.may_be_pointer() &&
                        opt_.caps == Caps::Bpf) {
                        fail(c, Check::PointerLeak, std::string(what) + " covers a spilled pointer",
                             {value(st, f, r)});
                        return false;
                    }
            }
            if (marks) {
                for (std::int64_t s = lo / 8; s <= (hi - 1) / 8; ++s)
                    forget_slot(st, t.frame, static_cast<std::size_t>(s));
                if (lo0 == hi0)
                    for (std::int64_t b = lo; b < lo + size_lo; ++b)
                        fr.init[static_cast<std::size_t>(b)] = true;
            }
            return true;
        }
        case Kind::MapValue: {
            const MapDef* m = map_of(t);
            if (m == nullptr) return arg("a value of an unknown map");
            if (!bounds(Check::MapValueBounds, m->value_size, "the value of map " + m->name))
                return false;
            if (write && m->read_only()) {
                fail(c, Check::ReadOnlyWrite,
                     std::string(what) + ": map " + m->name + " is read-only", {value(st, f, r)});
                return false;
            }
            return true;
        }
        case Kind::Mem:
            return bounds(Check::MemBounds, t.size, "the record");
        case Kind::Packet:
            if (type_ == nullptr || !type_->direct_packet_access)
                return arg("packet pointers are not allowed here");
            if (lo < 0 || !(entails_below(st, var(f, r), size_hi, lay_.packet_size()) ||
                            (opt_.packet_range && in_checked_range(st, t, var(f, r), size_hi)))) {
                fail(c, Check::PacketBounds,
                     std::string(what) + " (R" + std::to_string(r) +
                         ") is not proved within the packet",
                     {value(st, f, r)});
                return false;
            }
            return true;
        case Kind::MapValueOrNull:
        case Kind::MemOrNull:
            fail(c, Check::NullDeref,
                 std::string(what) + " (R" + std::to_string(r) + ") may be NULL",
                 {value(st, f, r)});
            return false;
        default:
            return arg(std::string("needs a pointer to memory, not ") + kind_name(k));
    }
}

template <dom::NumericState S>
bool Analyzer<S>::array_key_in_range(State& st, int f, const MapDef* map) const {
    constexpr std::uint32_t kArray = 2, kPercpuArray = 6;  // BPF_MAP_TYPE_*
    if (map == nullptr || (map->type != kArray && map->type != kPercpuArray) || map->key_size != 4)
        return false;
    const RegType& k = reg(st, f, 2);
    if (!k.is(Kind::Stack) || k.map == RegType::kSeveralMaps) return false;
    const auto off = constant(st, var(f, 2));
    if (!off || *off < 0 || *off + 4 > kStackBytes) return false;
    const auto slot = static_cast<std::size_t>(*off / 8);
    const Frame& fr = st.frames[k.frame];
    const auto v = lay_.slot(k.frame, static_cast<int>(slot));
    if (v < 0 || fr.valid[slot] < 4 || fr.at[slot] != *off % 8 ||
        fr.slots[slot].kinds.may_be_pointer())
        return false;
    S n = st.num;
    const dom::Var t = lay_.scratch(1);
    n.assign(t, static_cast<dom::Var>(v));
    n.apply(dom::AluSpec{AluOp::And, true, 0}, t, std::uint64_t{0xffffffff});
    const auto i = n.interval(t);
    return !i.is_bottom() && i.u().hi().raw() < map->max_entries;
}

template <dom::NumericState S>
void Analyzer<S>::call(State& st, const Ctx& c, const Call& k) const {
    const int f = c.frame;
    if (k.kind == CallKind::Local) return;  // the graph's call and return edges do the work
    if (k.kind == CallKind::Kfunc) {
        fail(c, Check::Unsupported, "kfunc calls are not supported");
        clobber_caller_saved(st, f);
        set_scalar(st, f, 0);
        return;
    }
    const HelperProto* proto = helper_proto(k.imm);
    if (proto == nullptr) {
        const auto name = helper_name(k.imm);
        fail(c, Check::HelperUnknown,
             "helper " + std::to_string(k.imm) +
                 (name ? " (" + std::string(*name) + ")" : std::string()) + " is not modelled");
        clobber_caller_saved(st, f);
        set_scalar(st, f, 0);
        return;
    }
    const std::string hname = "bpf_" + std::string(proto->name);
    const MapDef* map = nullptr;
    std::int32_t map_index = -1;
    std::uint32_t alloc = 0;
    std::uint32_t release = 0;
    for (int i = 0; i < 5; ++i) {
        const int r = i + 1;
        const ArgKind a = proto->args[i];
        if (a == ArgKind::None) break;
        const std::string what = hname + " argument " + std::to_string(r);
        const auto bad = [&](const std::string& why) {
            fail(c, Check::HelperArg, what + ": " + why, {value(st, f, r)});
        };
        if (a == ArgKind::Size || a == ArgKind::SizeOrZero) continue;  // with the memory argument
        if (!read(st, c, r)) continue;
        const RegType& t = reg(st, f, r);
        const auto size_of_next = [&]() -> std::optional<std::pair<std::int64_t, std::int64_t>> {
            if (i + 1 >= 5) return std::nullopt;
            const ArgKind sk = proto->args[i + 1];
            if (sk != ArgKind::Size && sk != ArgKind::SizeOrZero) return std::nullopt;
            if (!read(st, c, r + 1)) return std::nullopt;
            if (reg(st, f, r + 1).kinds.may_be_pointer()) {
                fail(c, Check::HelperSize,
                     hname + " argument " + std::to_string(r + 1) + ": a size must be a scalar",
                     {value(st, f, r + 1)});
                return std::nullopt;
            }
            const auto iv = st.num.interval(var(f, r + 1));
            const auto lo =
                static_cast<std::int64_t>(std::min<std::uint64_t>(iv.u().lo().raw(), 1u << 30));
            const auto hi = iv.u().hi().raw();
            if (hi >= (1u << 29) || (sk == ArgKind::Size && lo == 0)) {
                fail(
                    c, Check::HelperSize,
                    hname + " argument " + std::to_string(r + 1) +
                        (hi >= (1u << 29) ? ": the size is not bounded" : ": the size may be zero"),
                    {value(st, f, r + 1)});
                return std::nullopt;
            }
            return std::pair<std::int64_t, std::int64_t>{lo, static_cast<std::int64_t>(hi)};
        };
        switch (a) {
            case ArgKind::Anything:
                break;
            case ArgKind::Scalar:
                if (t.kinds.may_be_pointer()) bad("must be a scalar");
                break;
            case ArgKind::ConstMapPtr:
                if (!t.is(Kind::MapPtr) || map_of(t) == nullptr) {
                    bad("must be a map (ldimm64 of a map)");
                } else {
                    map = map_of(t);
                    map_index = t.map;
                }
                break;
            case ArgKind::MapKey:
                if (map)
                    helper_memory(st, c, r, map->key_size, map->key_size, false, false,
                                  (what + ", the key").c_str());
                break;
            case ArgKind::MapValue:
                if (map)
                    helper_memory(st, c, r, map->value_size, map->value_size, false, false,
                                  (what + ", the value").c_str());
                break;
            case ArgKind::Mem:
            case ArgKind::MemOrNull:
            case ArgKind::UninitMem: {
                if (a == ArgKind::MemOrNull && t.is(Kind::Scalar) && constant(st, var(f, r)) == 0)
                    break;
                const auto size = size_of_next();
                if (size)
                    helper_memory(st, c, r, size->first, size->second, a == ArgKind::UninitMem,
                                  a == ArgKind::UninitMem, what.c_str());
                break;
            }
            case ArgKind::Ctx:
                if (!t.is(Kind::Ctx) || constant(st, var(f, r)) != 0)
                    bad("must be the context pointer");
                break;
            case ArgKind::RingbufRecord:
                if (!t.is(Kind::Mem) || t.id == 0 || constant(st, var(f, r)) != 0)
                    bad("must be a record from bpf_ringbuf_reserve, NULL-checked, at offset 0");
                else
                    release = t.id;
                break;
            case ArgKind::Func:
                if (!t.is(Kind::Func)) bad("must be a function address");
                break;
            case ArgKind::StackOrNull:
                if (!t.is(Kind::Stack) && !(t.is(Kind::Scalar) && constant(st, var(f, r)) == 0))
                    bad("must be a stack pointer or NULL");
                break;
            case ArgKind::AllocSize: {
                const auto v = constant(st, var(f, r));
                if (!t.is(Kind::Scalar) || !v || *v <= 0 || *v >= (1 << 29))
                    fail(c, Check::HelperSize,
                         what + ": the record size must be a positive constant", {value(st, f, r)});
                else
                    alloc = static_cast<std::uint32_t>(*v);
                break;
            }
            default:
                break;
        }
    }
    if (k.imm == kHelperLoop) {
        // The flags argument must be 0; the edges enter the callback and clobber registers.
        if (!reg(st, f, 4).is(Kind::Scalar) || constant(st, var(f, 4)) != 0)
            fail(c, Check::HelperArg, "bpf_loop argument 4 (flags) must be 0", {value(st, f, 4)});
        return;
    }
    if (release != 0) {
        for (std::size_t fr = 0; fr < st.frames.size(); ++fr) {
            for (int r = 0; r < kRegs; ++r)
                if (st.frames[fr].regs[r].id == release) set_uninit(st, static_cast<int>(fr), r);
            for (std::size_t slot = 0; slot < kSlots; ++slot)
                if (st.frames[fr].slots[slot].id == release)
                    forget_slot(st, static_cast<int>(fr), slot);
        }
        std::erase(st.refs, release);
    }
    const bool never_null = proto->ret == RetKind::MapValueOrNull && array_key_in_range(st, f, map);
    clobber_caller_saved(st, f);
    switch (proto->ret) {
        case RetKind::Integer:
            set_scalar(st, f, 0);
            break;
        case RetKind::Void:
            set_uninit(st, f, 0);
            break;
        case RetKind::MapValueOrNull: {
            forget_id(st, c.uid);
            RegType t = RegType::of(never_null ? Kind::MapValue : Kind::MapValueOrNull);
            t.map = map_index;
            t.id = never_null ? 0 : c.uid;
            reg(st, f, 0) = t;
            st.num.assign(var(f, 0), std::uint64_t{0});
            break;
        }
        case RetKind::RingbufRecordOrNull: {
            forget_id(st, c.uid);
            std::erase(st.refs, c.uid);
            RegType t = RegType::of(Kind::MemOrNull);
            t.size = alloc;
            t.id = c.uid;
            reg(st, f, 0) = t;
            st.num.assign(var(f, 0), std::uint64_t{0});
            st.refs.push_back(c.uid);
            std::sort(st.refs.begin(), st.refs.end());
            break;
        }
    }
}

template <dom::NumericState S>
void Analyzer<S>::exit(State& st, const Ctx& c) const {
    const int f = c.frame;
    const Context& ctx = g_.contexts[g_.vertices[c.vertex].context];
    if (!read(st, c, 0)) return;
    const RegType& t = reg(st, f, 0);
    if (t.kinds.may_be_pointer()) {
        if (opt_.caps == Caps::Bpf && f == 0)
            fail(c, Check::PointerLeak, "the program returns a pointer", {value(st, f, 0)});
        if (f != 0 && t.kinds.has(Kind::Stack) && t.frame == f)
            fail(c, Check::PointerLeak, "a function returns a pointer into its own frame",
                 {value(st, f, 0)});
        if (f == 0 || ctx.callback) return;
    }
    std::optional<std::pair<std::int64_t, std::int64_t>> range;
    if (ctx.callback)
        range = std::pair<std::int64_t, std::int64_t>{0, 1};
    else if (f == 0 && type_ != nullptr)
        range = type_->return_range;
    if (range) {
        const auto [lo, hi] = sbounds(st, var(f, 0));
        if (lo < range->first || hi > range->second)
            fail(c, Check::ReturnRange,
                 std::string(ctx.callback ? "a bpf_loop callback" : "the program") +
                     " must return a value in [" + std::to_string(range->first) + ", " +
                     std::to_string(range->second) + "]",
                 {value(st, f, 0)});
    }
    if (f == 0 && !st.refs.empty())
        fail(c, Check::UnreleasedRef,
             "a ring-buffer record reserved on this path is neither submitted nor discarded");
}

}  // namespace bpflab::verify
