// SPDX-License-Identifier: Apache-2.0
// bpflab: the verifier's memory model and findings — names and the type lattice.
#include <array>

#include "checker/verifier/findings.hpp"
#include "checker/verifier/model.hpp"
#include "checker/verifier/state.hpp"

namespace bpflab::verify {

const char* kind_name(Kind k) {
    static constexpr std::array<const char*, kKindCount> kNames = {
        "uninit",  "scalar",      "ctx",     "fp",        "pkt",
        "pkt_end", "pkt_meta",    "map_ptr", "map_value", "map_value_or_null",
        "mem",     "mem_or_null", "func"};
    return kNames[static_cast<int>(k)];
}

namespace {

constexpr std::uint16_t bit(Kind k) {
    return static_cast<std::uint16_t>(1u << static_cast<int>(k));
}
constexpr std::uint16_t kMapKinds =
    bit(Kind::MapPtr) | bit(Kind::MapValue) | bit(Kind::MapValueOrNull) | bit(Kind::Func);
constexpr std::uint16_t kIdKinds =
    bit(Kind::MapValueOrNull) | bit(Kind::MemOrNull) | bit(Kind::Packet) | bit(Kind::Scalar);
constexpr std::uint16_t kSizeKinds = bit(Kind::Mem) | bit(Kind::MemOrNull);

}  // namespace

RegType RegType::join(const RegType& b) const {
    if (*this == b) return *this;
    RegType r;
    r.kinds = kinds | b.kinds;
    const bool am = kinds.bits() & kMapKinds, bm = b.kinds.bits() & kMapKinds;
    r.map = !am ? b.map : !bm ? map : map == b.map ? map : kSeveralMaps;
    const bool as = kinds.has(Kind::Stack), bs = b.kinds.has(Kind::Stack);
    // Stack pointers into different frames cannot be told apart any more: the frame field
    // keeps the deeper one only when both agree; a disagreement makes every access fail
    // through kSeveralMaps on `map` (checked by the transfer).
    r.frame = !as ? b.frame : !bs ? frame : frame;
    if (as && bs && frame != b.frame) r.map = kSeveralMaps;
    const bool az = kinds.bits() & kSizeKinds, bz = b.kinds.bits() & kSizeKinds;
    r.size = !az ? b.size : !bz ? size : std::min(size, b.size);
    const bool ai = kinds.bits() & kIdKinds, bi = b.kinds.bits() & kIdKinds;
    if (!ai) {
        r.id = b.id;
        r.off = b.off;
    } else if (!bi) {
        r.id = id;
        r.off = off;
    } else if (id == b.id && off == b.off) {
        r.id = id;
        r.off = off;
    }
    return r;
}

bool RegType::leq(const RegType& b) const {
    if (!kinds.subset_of(b.kinds)) return false;
    if ((kinds.bits() & kMapKinds) && b.map != kSeveralMaps && b.map != map) return false;
    if (kinds.has(Kind::Stack) && b.map != kSeveralMaps && b.frame != frame) return false;
    if ((kinds.bits() & kSizeKinds) && b.size > size) return false;
    if ((kinds.bits() & kIdKinds) && b.id != 0 && (b.id != id || b.off != off)) return false;
    return true;
}

std::string_view code_name(Check c) {
    static constexpr std::array<std::string_view, static_cast<int>(Check::Count)> kNames = {
        "uninit-register",      "r10-write",         "uninit-stack",  "stack-bounds",
        "ctx-access",           "packet-bounds",     "packet-access", "map-value-bounds",
        "mem-bounds",           "readonly-write",    "null-deref",    "invalid-deref",
        "pointer-arith",        "pointer-compare",   "pointer-leak",  "partial-pointer",
        "helper-unknown",       "helper-arg",        "helper-size",   "division-by-zero",
        "return-range",         "may-not-terminate", "call-depth",    "stack-depth",
        "unreleased-reference", "unsupported"};
    return kNames[static_cast<int>(c)];
}

bool is_warning(Check c) {
    return c == Check::DivisionByZero;
}

Layout::Layout(int frames, int loops, const std::vector<std::pair<int, int>>& spill_slots)
    : base_(static_cast<dom::Var>(frames * kRegs)), loops_(static_cast<dom::Var>(loops)) {
    dom::Var next = base_ + 4 + 2 * loops_;
    for (const auto& s : spill_slots)
        if (!slots_.contains(s)) slots_.emplace(s, next++);
    count_ = next;
}

}  // namespace bpflab::verify
