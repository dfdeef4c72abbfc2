// SPDX-License-Identifier: Apache-2.0
// bpflab: soundness on real runs — generated inputs, the per-instruction containment check of
// concrete states in the verifier's facts, and the interpreter/JIT comparison.
#include "checker/verifier/soundness.hpp"

#include <linux/bpf.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unordered_map>
#include <variant>

#include "core/jit/jit.hpp"
#include "core/platform.hpp"
#include "core/vm/maps.hpp"
#include "core/vm/memory.hpp"

namespace bpflab::verify {

namespace {

using Bytes = std::vector<std::uint8_t>;

std::string hex(const Bytes& b) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    s.reserve(2 * b.size());
    for (std::uint8_t x : b) {
        s += kDigits[x >> 4];
        s += kDigits[x & 15];
    }
    return s;
}

std::string hex(std::uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}

std::string kinds_text(KindSet k) {
    std::string s;
    for (int i = 0; i < kKindCount; ++i) {
        if (!k.has(static_cast<Kind>(i))) continue;
        if (!s.empty()) s += '|';
        s += kind_name(static_cast<Kind>(i));
    }
    return s.empty() ? "none" : s;
}

// ---- inputs ---------------------------------------------------------------------------------

/// A value a tracing argument or a map word typically holds: small counts, negative error
/// codes, sizes around powers of two, kernel-pointer-like addresses, or anything.
std::uint64_t typical_word(std::mt19937_64& rng) {
    switch (rng() % 7) {
        case 0:
            return rng() % 16;
        case 1:
            return rng() % 1500;
        case 2:
            return static_cast<std::uint64_t>(-static_cast<std::int64_t>(1 + rng() % 150));
        case 3:
            return (std::uint64_t{1} << (rng() % 64)) + rng() % 3 - 1;
        case 4:
            return 0xffff888000000000ull | (rng() & 0xffffffff8ull);
        case 5:
            return 0;
        default:
            return rng();
    }
}

void put_words(std::mt19937_64& rng, std::uint8_t* out, std::size_t n) {
    for (std::size_t at = 0; at < n; at += 8) {
        const std::uint64_t v = typical_word(rng);
        std::memcpy(out + at, &v, std::min<std::size_t>(8, n - at));
    }
}

/// Lengths the program is likely to compare the packet against: small constants of its
/// arithmetic, comparisons and access offsets (offsets from `data` are built from them).
std::vector<std::size_t> program_lengths(const Program& p) {
    std::set<std::size_t> out;
    auto add = [&](std::int64_t c) {
        if (c > 0 && c <= 1500) out.insert(static_cast<std::size_t>(c));
    };
    for (const Instruction& insn : p.code.insns) {
        if (const auto* a = std::get_if<Alu>(&insn);
            a && !a->src.is_reg && (a->op == AluOp::Add || a->op == AluOp::Sub))
            add(a->src.imm);
        else if (const auto* j = std::get_if<Jmp>(&insn); j && !j->src.is_reg)
            add(j->src.imm);
        else if (const auto* l = std::get_if<Load>(&insn))
            add(std::int64_t{l->off} + bytes(l->size));
        else if (const auto* s = std::get_if<Store>(&insn))
            add(std::int64_t{s->off} + bytes(s->size));
        else if (const auto* lp = std::get_if<LdPacket>(&insn))
            add(std::int64_t{lp->imm} + bytes(lp->size));
    }
    return {out.begin(), out.end()};
}

/// Writes, from `start`, an Ethernet header (0-2 VLAN tags), IPv4 (with options, sometimes a
/// bad IHL) or IPv6 (sometimes behind extension headers) or ARP, then TCP, UDP or ICMP with
/// common ports, into `p`. When `full`, `p` grows to hold every header; else the headers are
/// cut where `p` ends (truncated frames). Fields are random but consistent enough for a
/// parser to go deep.
void shape_headers(std::mt19937_64& rng, Bytes& p, bool full, std::size_t start) {
    auto room = [&](std::size_t end) {
        if (full && p.size() < end) p.resize(end, 0);
    };
    auto set = [&](std::size_t at, std::uint8_t v) {
        if (at < p.size()) p[at] = v;
    };
    auto set16 = [&](std::size_t at, std::uint64_t v) {  // network order
        set(at, static_cast<std::uint8_t>(v >> 8));
        set(at + 1, static_cast<std::uint8_t>(v));
    };
    std::size_t off = start + 12;
    const std::uint64_t vlan_draw = rng() % 6;
    const int vlans = vlan_draw < 4 ? 0 : static_cast<int>(vlan_draw - 3);
    for (int i = 0; i < vlans; ++i) {
        room(off + 6);
        set16(off, (rng() & 1) ? 0x8100 : 0x88a8);
        off += 4;
    }
    room(off + 2);
    const std::uint64_t family = rng() % 10;
    const std::size_t l3 = off + 2;
    if (family == 9) {  // ARP
        set16(off, 0x0806);
        room(l3 + 28);
        return;
    }
    const bool v6 = family >= 6;
    set16(off, v6 ? 0x86dd : 0x0800);
    static constexpr std::uint8_t kL4[] = {6, 6, 17, 17, 1, 58};
    std::uint8_t proto = kL4[rng() % std::size(kL4)];
    std::size_t l4 = 0;
    if (v6) {
        room(l3 + 40);
        set(l3, 0x60);
        std::size_t at = l3 + 40;
        const int exts = rng() % 3 == 0 ? 1 + static_cast<int>(rng() % 6) : 0;
        std::size_t next_field = l3 + 6;
        for (int i = 0; i < exts; ++i) {
            static constexpr std::uint8_t kExt[] = {0, 43, 60, 44};
            const std::uint8_t type = kExt[rng() % std::size(kExt)];
            const std::uint8_t len = type == 44 ? 0 : static_cast<std::uint8_t>(rng() % 3);
            set(next_field, type);
            room(at + 8 * (len + 1));
            set(at + 1, len);
            next_field = at;
            at += 8 * (std::size_t{len} + 1);
        }
        set(next_field, proto);
        l4 = at;
    } else {
        const std::uint64_t d = rng() % 20;
        const unsigned ihl = d < 16   ? 5
                             : d < 19 ? 6 + static_cast<unsigned>(rng() % 10)
                                      : static_cast<unsigned>(rng() % 5);
        room(l3 + std::max(20u, 4 * ihl));
        set(l3, static_cast<std::uint8_t>(0x40 | ihl));
        set16(l3 + 2, p.size() > l3 ? p.size() - l3 : 0);
        set(l3 + 6, (rng() % 4 == 0) ? 0x20 : 0x40);  // MF sometimes, else DF
        set(l3 + 7, 0);
        set(l3 + 8, static_cast<std::uint8_t>(rng() % 4 == 0 ? rng() % 3 : rng()));  // ttl
        if (rng() % 8 == 0) proto = static_cast<std::uint8_t>(rng());
        set(l3 + 9, proto);
        l4 = l3 + 4 * std::max(ihl, 5u);
    }
    static constexpr std::uint16_t kPorts[] = {53, 80, 443, 22, 23, 123, 5353, 8080, 67, 0};
    const std::uint16_t dport = kPorts[rng() % std::size(kPorts)];
    room(l4 + (proto == 6 ? 20 : 8) + rng() % 24);
    set16(l4, rng() % 65536);
    set16(l4 + 2, dport == 0 ? rng() % 65536 : dport);
    if (proto == 6) set(l4 + 12, 0x50);  // data offset 5
    if (proto == 17)
        set16(l4 + 4, rng() % 4 == 0 ? rng() % 12 : (p.size() > l4 ? p.size() - l4 : 0));
}

Bytes make_packet(std::mt19937_64& rng, const std::vector<std::size_t>& lengths, bool l3_view) {
    auto bytes_of = [&](std::size_t n) {
        Bytes p(n);
        for (auto& b : p) b = static_cast<std::uint8_t>(rng());
        return p;
    };
    const std::size_t hidden = l3_view ? 14 : 0;
    // L3 views hide the Ethernet header; half of their frames carry a second one behind it
    // (programs written for packet sockets parse from an Ethernet header).
    const std::size_t start = l3_view && (rng() & 1) ? 14 : 0;
    switch (rng() % 8) {
        case 0:  // short, random
            return bytes_of(rng() % 81);
        case 1: {  // short, header-shaped
            Bytes p = bytes_of(rng() % 81);
            shape_headers(rng, p, false, start);
            return p;
        }
        case 2:
        case 3: {  // a length the program compares against, +-2
            if (lengths.empty()) break;
            const std::size_t c = lengths[rng() % lengths.size()] + hidden;
            const std::size_t d = rng() % 5;
            const std::size_t n = c + d >= 2 ? c + d - 2 : 0;
            Bytes p = bytes_of(std::min<std::size_t>(n, 1600));
            shape_headers(rng, p, false, start);
            return p;
        }
        case 4: {  // header boundaries: Ethernet, IPv4, IPv6, + UDP / TCP
            static constexpr std::size_t kEdges[] = {14, 18, 34, 38, 42, 46,
                                                     54, 58, 62, 66, 74, 78};
            const std::size_t n = kEdges[rng() % std::size(kEdges)] + rng() % 3 - 1;
            Bytes p = bytes_of(n);
            shape_headers(rng, p, false, start);
            return p;
        }
        case 5: {  // large
            Bytes p = bytes_of(200 + rng() % 1301);
            shape_headers(rng, p, true, start);
            return p;
        }
        default:
            break;
    }
    Bytes p = bytes_of(14 + rng() % 180);  // full headers and some payload
    shape_headers(rng, p, true, start);
    return p;
}

bool is_l3_view(std::uint32_t prog_type) {
    return prog_type == BPF_PROG_TYPE_SOCKET_FILTER || prog_type == BPF_PROG_TYPE_CGROUP_SKB;
}

/// Whether check_runs may put its own entries into map `m` (not global data, program arrays,
/// ring buffers or maps of maps: only arrays and hashes of plain values).
bool prefillable(const MapDef& m) {
    if (m.read_only() || m.inner_map ||
        (!m.section.empty() && m.section.front() == '.' && m.section != ".maps"))
        return false;
    switch (m.type) {
        case BPF_MAP_TYPE_ARRAY:
        case BPF_MAP_TYPE_PERCPU_ARRAY:
        case BPF_MAP_TYPE_HASH:
        case BPF_MAP_TYPE_PERCPU_HASH:
        case BPF_MAP_TYPE_LRU_HASH:
        case BPF_MAP_TYPE_LRU_PERCPU_HASH:
            return m.key_size > 0 && m.value_size > 0;
        default:
            return false;
    }
}

/// Puts the same random entries into every MapSet of `sets`: some array slots, and hash keys
/// that are small integers (the keys programs derive from packet bytes and counters).
void prefill(const Object& object, std::mt19937_64& rng, const std::vector<vm::MapSet*>& sets) {
    for (std::size_t m = 0; m < object.maps.size(); ++m) {
        const MapDef& def = object.maps[m];
        if (!prefillable(def)) continue;
        const bool array = def.type == BPF_MAP_TYPE_ARRAY || def.type == BPF_MAP_TYPE_PERCPU_ARRAY;
        const std::uint32_t n = std::min<std::uint32_t>(def.max_entries, array ? 16 : 64);
        for (std::uint32_t i = 0; i < n; ++i) {
            Bytes key(def.key_size, 0), value(def.value_size, 0);
            const std::uint64_t k = array ? i : rng() % 256;
            std::memcpy(key.data(), &k, std::min<std::size_t>(8, key.size()));
            put_words(rng, value.data(), value.size());
            for (vm::MapSet* s : sets) (void)s->at(m).update(key.data(), value.data(), BPF_ANY);
        }
    }
}

// ---- the containment check ----------------------------------------------------------------

/// The number a concrete register holds in the verifier's terms, after its region is checked
/// against the fact's kinds: an error message, or the number.
struct Number {
    std::string error;
    std::uint64_t value = 0;
};

Number concrete_number(const vm::ConcreteState& s, int r, const RegFact& f) {
    const vm::Tag& t = s.tags[r];
    const std::uint64_t v = s.regs[r];
    const auto base = reinterpret_cast<std::uintptr_t>(t.base);
    auto need = [&](std::initializer_list<Kind> ks) -> bool {
        for (Kind k : ks)
            if (f.kinds.has(k)) return true;
        return false;
    };
    auto wrong = [&] {
        return Number{"r" + std::to_string(r) + " is " + std::string(vm::region_kind_name(t.kind)) +
                          ", the invariant allows only " + kinds_text(f.kinds),
                      0};
    };
    auto wrong_map = [&](std::int64_t got) {
        return Number{"r" + std::to_string(r) + " belongs to map " + std::to_string(got) +
                          ", the invariant says map " + std::to_string(f.map),
                      0};
    };
    switch (t.kind) {
        case vm::RegionKind::None:
            if (f.kinds.has(Kind::Scalar)) return {"", v};
            if (v == 0 && need({Kind::MapValueOrNull, Kind::MemOrNull})) return {"", 0};
            return wrong();
        case vm::RegionKind::Context:
            if (!need({Kind::Ctx})) return wrong();
            return {"", v - base};
        case vm::RegionKind::Packet:
            if (!need({Kind::Packet})) return wrong();
            return {"", v - reinterpret_cast<std::uintptr_t>(s.memory->data())};
        case vm::RegionKind::PacketEnd:  // its number is the packet's size
            if (!need({Kind::PacketEnd})) return wrong();
            return {"", v - reinterpret_cast<std::uintptr_t>(s.memory->data())};
        case vm::RegionKind::PacketMeta:
            if (!need({Kind::PacketMeta})) return wrong();
            return {"", v - reinterpret_cast<std::uintptr_t>(s.memory->data_meta())};
        case vm::RegionKind::Stack: {
            if (!need({Kind::Stack})) return wrong();
            // Frame f's bottom is stack_base + 512 f; r10 of the current frame is one past it.
            const std::uint64_t stack_base =
                s.regs[10] - (std::uint64_t{s.frame} + 1) * vm::kStackSize;
            const std::uint64_t frame = (base - stack_base) / vm::kStackSize;
            if (frame != f.frame)
                return Number{"r" + std::to_string(r) + " points into frame " +
                                  std::to_string(frame) + ", the invariant says frame " +
                                  std::to_string(f.frame),
                              0};
            return {"", v - base};
        }
        case vm::RegionKind::MapValue:
            if (!need({Kind::MapValue, Kind::MapValueOrNull})) return wrong();
            if (f.map >= 0 && static_cast<std::uint32_t>(f.map) != t.map) return wrong_map(t.map);
            return {"", v - base};
        case vm::RegionKind::Ringbuf:
            if (!need({Kind::Mem, Kind::MemOrNull})) return wrong();
            return {"", v - base};
        case vm::RegionKind::MapPtr:  // the verifier's number of a map pointer is 0
            if (!need({Kind::MapPtr})) return wrong();
            if (f.map >= 0 && static_cast<std::uint32_t>(f.map) != t.map) return wrong_map(t.map);
            return {"", 0};
        case vm::RegionKind::Code:  // the value is the callback's slot, the fact's `map`
            if (!need({Kind::Func})) return wrong();
            if (f.map >= 0 && static_cast<std::uint64_t>(f.map) != v)
                return Number{"r" + std::to_string(r) + " is the function at " + std::to_string(v) +
                                  ", the invariant says " + std::to_string(f.map),
                              0};
            return {"", 0};
        case vm::RegionKind::Memory:
            return wrong();
    }
    return wrong();
}

std::string fact_text(const RegFact& f) {
    std::ostringstream s;
    s << kinds_text(f.kinds) << "(";
    if (f.map != -1) s << "map=" << f.map << ",";
    if (f.kinds.has(Kind::Stack)) s << "frame=" << int{f.frame} << ",";
    if (f.umin == f.umax && f.smin == f.smax && static_cast<std::uint64_t>(f.smin) == f.umin &&
        f.known_mask == 0 && f.known_value == f.umin) {
        s << "=" << f.umin << ")";
        return s.str();
    }
    s << "umin=" << f.umin << ",umax=" << f.umax << ",smin=" << f.smin << ",smax=" << f.smax
      << ",var_off=(" << hex(f.known_value) << "; " << hex(f.known_mask) << "))";
    return s.str();
}

}  // namespace

std::string check_state(const vm::ConcreteState& s, const PointFacts& facts) {
    for (int r = 0; r < kRegs; ++r) {
        const RegFact& f = facts.regs[r];
        if (f.kinds.has(Kind::Uninit)) continue;  // not checked: the verifier forbids reading it
        const auto reg = [r] { return "r" + std::to_string(r); };
        if (f.kinds.empty()) return reg() + ": the invariant admits no value here";
        if (!s.is_init(r))
            return reg() + " is uninitialised, the invariant says " + kinds_text(f.kinds);
        const Number n = concrete_number(s, r, f);
        if (!n.error.empty()) return n.error;
        const std::uint64_t x = n.value;
        const auto sx = static_cast<std::int64_t>(x);
        std::string broken;
        if (x < f.umin || x > f.umax)
            broken =
                "unsigned bounds [" + std::to_string(f.umin) + ", " + std::to_string(f.umax) + "]";
        else if (sx < f.smin || sx > f.smax)
            broken =
                "signed bounds [" + std::to_string(f.smin) + ", " + std::to_string(f.smax) + "]";
        else if ((x & ~f.known_mask) != f.known_value)
            broken = "known bits (" + hex(f.known_value) + "; " + hex(f.known_mask) + ")";
        if (!broken.empty())
            return reg() + " holds " + std::to_string(x) + " (" + hex(x) + ", as signed " +
                   std::to_string(sx) + "), outside the " + broken + " of " + fact_text(f);
    }
    return {};
}

std::string describe_concrete(const vm::ConcreteState& s) {
    std::ostringstream out;
    const std::uint64_t stack_base = s.regs[10] - (std::uint64_t{s.frame} + 1) * vm::kStackSize;
    for (int r = 0; r < kRegs; ++r) {
        if (!s.is_init(r)) continue;
        const vm::Tag& t = s.tags[r];
        const std::uint64_t v = s.regs[r];
        const auto base = reinterpret_cast<std::uintptr_t>(t.base);
        if (out.tellp() > 0) out << ' ';
        out << 'r' << r << '=';
        switch (t.kind) {
            case vm::RegionKind::None:
                out << hex(v) << '(' << static_cast<std::int64_t>(v) << ')';
                break;
            case vm::RegionKind::Packet:
            case vm::RegionKind::PacketEnd:
                out << vm::region_kind_name(t.kind) << "+"
                    << static_cast<std::int64_t>(
                           v - reinterpret_cast<std::uintptr_t>(s.memory->data()));
                break;
            case vm::RegionKind::Stack:
                out << "fp" << (base - stack_base) / vm::kStackSize << "+"
                    << static_cast<std::int64_t>(v - base);
                break;
            case vm::RegionKind::MapValue:
                out << "map_value[" << t.map << "]+" << static_cast<std::int64_t>(v - base);
                break;
            case vm::RegionKind::MapPtr:
                out << "map_ptr[" << t.map << "]";
                break;
            case vm::RegionKind::Code:
                out << "func@" << v;
                break;
            default:
                out << vm::region_kind_name(t.kind) << "+" << static_cast<std::int64_t>(v - base);
                break;
        }
    }
    return out.str();
}

std::string describe_report(const SoundnessReport& r) {
    std::ostringstream out;
    out << r.runs << " runs, " << r.checked_points << " points checked, " << r.reached_points << "/"
        << r.fact_points << " invariant points reached, " << r.faults << " faults, "
        << r.violation_count << " violations";
    if (!r.jit_error.empty())
        out << "; JIT not run: " << r.jit_error;
    else if (r.jit_runs > 0)
        out << "; " << r.jit_runs << " JIT runs, " << r.jit_mismatches << " disagreements";
    for (const Violation& v : r.violations)
        out << "\n  run " << v.run << ", pc " << v.pc << ", call depth " << v.frame << ": "
            << v.what << "\n    concrete:  " << v.concrete << "\n    invariant: " << v.invariant
            << "\n    input:     " << v.input;
    if (static_cast<std::size_t>(r.violation_count) > r.violations.size())
        out << "\n  (" << r.violation_count - static_cast<int>(r.violations.size())
            << " more violations not kept)";
    for (const std::string& n : r.jit_notes) out << "\n  JIT: " << n;
    return out.str();
}

std::string describe_facts(const PointFacts& facts) {
    std::ostringstream out;
    out << "frame " << int{facts.frame} << ":";
    for (int r = 0; r < kRegs; ++r) {
        const RegFact& f = facts.regs[r];
        if (f.kinds.is(Kind::Uninit)) continue;
        out << " r" << r << "=" << fact_text(f);
    }
    return out.str();
}

vm::RunInput soundness_input(const Program& program, std::uint64_t seed, int run) {
    std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ull +
                        static_cast<std::uint64_t>(run) * 0xbf58476d1ce4e5b9ull + 1);
    vm::RunInput in;
    const ProgramTypeInfo* type = program_type_info(program.prog_type);
    const std::uint64_t pid = 100 + rng() % 5000;
    in.pid_tgid = (pid << 32) | (pid + rng() % 4);
    in.uid_gid = (rng() % 2000) * 0x100000001ull;
    in.ktime_ns = 1'000'000'000 + rng() % 1'000'000'000;
    in.seed = rng();
    if (type != nullptr && type->packet_context) {
        in.packet = make_packet(rng, program_lengths(program), is_l3_view(program.prog_type));
        if (rng() % 3 == 0 && type->ctx_size > 0) {  // scalar context fields (mark, priority ...)
            in.context.resize(type->ctx_size);
            put_words(rng, in.context.data(), in.context.size());
        }
        return in;
    }
    const std::size_t ctx = type == nullptr || type->ctx_size == 0 ? 64 : type->ctx_size;
    in.context.resize(ctx);
    put_words(rng, in.context.data(), ctx);
    // Kernel memory for probe_read*, and a third of the runs point rdi (pt_regs + 112) at it.
    in.probe_base = 0xffff888012340000ull;
    in.probe_memory.resize(256);
    put_words(rng, in.probe_memory.data(), in.probe_memory.size());
    if (rng() % 3 == 0 && ctx >= 120) {
        const std::uint64_t p = in.probe_base + rng() % 200;
        std::memcpy(in.context.data() + 112, &p, 8);
    }
    return in;
}

SoundnessReport check_runs(const Object& object, std::size_t program_index,
                           const ProgramResult& with_facts, const SoundnessOptions& options) {
    const Program& program = object.programs.at(program_index);
    if (with_facts.pass && with_facts.facts.empty() && !program.code.insns.empty())
        throw std::invalid_argument("check_runs: " + program.name +
                                    " has no recorded facts (verify with record_facts = true)");
    SoundnessReport rep;
    // Facts by (pc, call depth): several inlined contexts may share both.
    struct Point {
        std::vector<const PointFacts*> facts;
        bool reached = false;
    };
    std::unordered_map<std::uint64_t, Point> at;
    for (const PointFacts& p : with_facts.facts)
        at[(std::uint64_t{p.pc} << 8) | p.frame].facts.push_back(&p);
    rep.fact_points = at.size();

    vm::MapSet imaps(object.maps), jmaps(object.maps);
    vm::Interpreter interp(object, imaps);
    std::optional<jit::JitProgram> jit;
    if (options.jit) {
        auto compiled = jit::JitProgram::compile(object, program_index, jmaps);
        if (compiled)
            jit.emplace(std::move(*compiled));
        else
            rep.jit_error = compiled.error().to_string();
    }
    std::vector<vm::MapSet*> sets{&imaps};
    if (jit) sets.push_back(&jmaps);
    std::mt19937_64 map_rng(options.seed ^ 0x5eed5eedull);
    const int prefill_at = options.runs - std::max(1, options.runs / 4);

    const auto p_index = static_cast<std::uint32_t>(program_index);
    std::set<std::pair<std::uint32_t, std::string>> kept;
    vm::RunInput input;
    int run = 0;
    auto record = [&](Violation v) {
        ++rep.violation_count;
        if (rep.violations.size() >= SoundnessReport::kMaxKept) return;
        if (!kept.emplace(v.pc, v.what).second) return;  // one of each (pc, reason) is enough
        v.input = hex(input.packet);
        if (!input.context.empty())
            v.input += (v.input.empty() ? "ctx=" : " ctx=") + hex(input.context);
        v.run = run;
        rep.violations.push_back(std::move(v));
    };

    vm::RunOptions ro;
    ro.hook = [&](const vm::ConcreteState& s) {
        if (s.program != p_index) {
            ++rep.skipped_points;
            return;
        }
        ++rep.checked_points;
        const auto it = at.find((std::uint64_t{s.pc} << 8) | s.frame);
        if (it == at.end()) {
            record(Violation{"", s.pc, describe_concrete(s), "unreachable",
                             "the instruction runs at call depth " + std::to_string(s.frame) +
                                 " but the verifier's invariant there is empty (unreachable)",
                             0, s.frame});
            return;
        }
        it->second.reached = true;
        std::string first;
        const PointFacts* closest = nullptr;
        for (const PointFacts* f : it->second.facts) {
            std::string why = check_state(s, *f);
            if (why.empty()) return;
            if (closest == nullptr) {
                closest = f;
                first = std::move(why);
            }
        }
        std::string why = first;
        if (it->second.facts.size() > 1)
            why += " (and outside the " + std::to_string(it->second.facts.size() - 1) +
                   " other contexts' facts)";
        record(Violation{"", s.pc, describe_concrete(s), describe_facts(*closest), std::move(why),
                         0, s.frame});
    };

    vm::RunResult result;
    for (run = 0; run < options.runs; ++run) {
        if (run == prefill_at) prefill(object, map_rng, sets);
        input = soundness_input(program, options.seed, run);
        interp.run_into(program_index, input, ro, result);
        ++rep.runs;
        if (result.fault) {
            ++rep.faults;
            if (with_facts.pass)
                record(Violation{"", result.fault->pc, "", "",
                                 "fault: " + result.fault->to_string(), 0, 0});
            continue;
        }
        if (!jit) continue;
        const vm::RunResult j = jit->run(input);
        ++rep.jit_runs;
        if (!j.fault && j.r0 == result.r0 && j.packet == result.packet) continue;
        ++rep.jit_mismatches;
        if (rep.jit_notes.size() < SoundnessReport::kMaxKept)
            rep.jit_notes.push_back(
                "run " + std::to_string(run) + " on " + hex(input.packet) +
                ": interpreter r0=" + hex(result.r0) + ", JIT " +
                (j.fault ? "fault " + j.fault->to_string() : "r0=" + hex(j.r0)) +
                (j.packet != result.packet ? " (final packets differ)" : ""));
    }
    for (const auto& [key, point] : at) rep.reached_points += point.reached ? 1 : 0;
    return rep;
}

}  // namespace bpflab::verify
