// SPDX-License-Identifier: Apache-2.0
// bpflab: Analyzer (verifier/analyzer.hpp) — abstract values in the kernel log's notation, for
// findings and `--log-level 2`.
#pragma once

namespace bpflab::verify {

template <dom::NumericState S>
std::string Analyzer<S>::describe(const State& st, int frame, int r) const {
    const RegType& t = st.frames[frame].regs[r];
    const dom::Var x = var(frame, r);
    const auto offset = [&](std::int64_t bias) {
        const auto [lo, hi] = sbounds(st, x);
        if (lo == hi) return "off=" + std::to_string(lo - bias);
        return "off=[" + std::to_string(lo - bias) + "," + std::to_string(hi - bias) + "]";
    };
    const auto map_name = [&] {
        const MapDef* m = map_of(t);
        return m ? m->name : std::string(t.map == RegType::kSeveralMaps ? "several" : "?");
    };
    if (!t.kinds.single()) {
        std::string names;
        for (int k = 0; k < kKindCount; ++k)
            if (t.kinds.has(static_cast<Kind>(k)))
                names += (names.empty() ? "" : "|") + std::string(kind_name(static_cast<Kind>(k)));
        return "{" + names + "}";
    }
    switch (t.kinds.only()) {
        case Kind::Uninit:
            return "uninit";
        case Kind::Scalar: {
            const dom::KernelScalar<Bits<64>> k(st.num.tnum(x), st.num.interval(x));
            return dom::to_string(k);
        }
        case Kind::Ctx:
            return "ctx(" + (constant(st, x) == 0 ? std::string() : offset(0)) + ")";
        case Kind::Stack: {
            const auto c = constant(st, x);
            const std::string fp = t.frame == frame ? "fp" : "fp[" + std::to_string(t.frame) + "]";
            if (c) return fp + (*c - kStackBytes == 0 ? "0" : std::to_string(*c - kStackBytes));
            return fp + "(" + offset(kStackBytes) + ")";
        }
        case Kind::Packet: {
            std::int64_t range = 0;
            if (t.id != 0) {
                range = st.range_of(t.id) - t.off;
            } else {
                const auto c = constant(st, x);
                const auto size = st.num.interval(lay_.packet_size());
                if (c && !size.is_bottom()) range = static_cast<std::int64_t>(size.u().lo().raw());
            }
            return "pkt(" + offset(0) + (t.id ? ",id=" + std::to_string(t.id) : "") +
                   ",r=" + std::to_string(std::max<std::int64_t>(range, 0)) + ")";
        }
        case Kind::PacketEnd:
            return "pkt_end()";
        case Kind::PacketMeta:
            return "pkt_meta(" + offset(0) + ")";
        case Kind::MapPtr:
            return "map_ptr(map=" + map_name() + ")";
        case Kind::MapValue:
            return "map_value(map=" + map_name() + "," + offset(0) + ")";
        case Kind::MapValueOrNull:
            return "map_value_or_null(id=" + std::to_string(t.id) + ",map=" + map_name() + "," +
                   offset(0) + ")";
        case Kind::Mem:
            return "mem(sz=" + std::to_string(t.size) + "," + offset(0) + ")";
        case Kind::MemOrNull:
            return "mem_or_null(id=" + std::to_string(t.id) + ",sz=" + std::to_string(t.size) + ")";
        case Kind::Func:
            return "func(pc=" + std::to_string(t.map) + ")";
        case Kind::Count:
            break;
    }
    return "?";
}

template <dom::NumericState S>
std::string Analyzer<S>::describe_state(const State& st) const {
    if (st.is_bottom()) return "unreachable";
    if (st.is_top()) return "top (the analysis gave up)";
    const int f = static_cast<int>(st.frames.size()) - 1;
    std::string out;
    for (int r = 0; r < kRegs; ++r) {
        if (st.frames[f].regs[r].is(Kind::Uninit)) continue;
        out += (out.empty() ? "" : " ") + std::string("R") + std::to_string(r) + "=" +
               describe(st, f, r);
    }
    for (int k = kSlots - 1; k >= 0; --k) {
        const int base = k * 8;
        bool any = false;
        for (int b = 0; b < 8; ++b) any = any || st.frames[f].init[base + b];
        if (!any) continue;
        const RegType& t = st.frames[f].slots[k];
        out += " fp" + std::to_string(base - kStackBytes) + "=";
        bool all = true;
        for (int b = 0; b < 8; ++b) all = all && st.frames[f].init[base + b];
        if (!t.is(Kind::Scalar)) {
            out += std::string(t.kinds.single() ? kind_name(t.kinds.only()) : "spilled");
        } else if (const auto v = lay_.slot(f, k); v >= 0 && all && st.frames[f].valid[k] == 8) {
            const dom::KernelScalar<Bits<64>> ks(st.num.tnum(static_cast<dom::Var>(v)),
                                                 st.num.interval(static_cast<dom::Var>(v)));
            out += dom::to_string(ks);
        } else {
            for (int b = 7; b >= 0; --b) out += st.frames[f].init[base + b] ? "m" : "?";
        }
    }
    return out;
}

}  // namespace bpflab::verify
