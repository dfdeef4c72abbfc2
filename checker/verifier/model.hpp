// SPDX-License-Identifier: Apache-2.0
// bpflab: the verifier's memory model — what a register or a spilled stack slot holds
// (DESIGN.md decision 5): a set of kinds, the map or region it belongs to, and pairing ids.
#pragma once

#include <cstdint>
#include <string>

namespace bpflab::verify {

/// What a value may be. A register's kind set is a union over paths: a register that is
/// `Scalar` on one path and `Uninit` on another has both, and any read of it is an error.
enum class Kind : std::uint8_t {
    Uninit,          ///< never written (or clobbered by a call)
    Scalar,          ///< a number
    Ctx,             ///< the program's context object; offset in the number
    Stack,           ///< a frame of the stack; offset from the frame's bottom (r10 = 512)
    Packet,          ///< packet data; offset from `data`
    PacketEnd,       ///< `data_end` (its number is unused: comparisons use the size)
    PacketMeta,      ///< `data_meta`; offset from `data_meta`
    MapPtr,          ///< a map (ldimm64); `map` names it
    MapValue,        ///< a value of map `map`; offset into the value
    MapValueOrNull,  ///< map_lookup_elem's result before its NULL check
    Mem,             ///< `size` bytes of helper-provided memory (ringbuf record)
    MemOrNull,       ///< ringbuf_reserve's result before its NULL check
    Func,            ///< the address of a subprogram (a callback); `map` holds its pc
    Count,
};
inline constexpr int kKindCount = static_cast<int>(Kind::Count);

/// "uninit", "scalar", "ctx", "fp", "pkt", "pkt_end", "pkt_meta", "map_ptr", "map_value",
/// "map_value_or_null", "mem", "mem_or_null", "func" — the kernel log's spelling.
[[nodiscard]] const char* kind_name(Kind k);

/// A set of kinds (bit k = Kind k).
class KindSet {
  public:
    constexpr KindSet() = default;
    constexpr KindSet(Kind k) : bits_(static_cast<std::uint16_t>(1u << static_cast<int>(k))) {}
    [[nodiscard]] constexpr bool has(Kind k) const { return (bits_ >> static_cast<int>(k)) & 1; }
    [[nodiscard]] constexpr bool is(Kind k) const { return *this == KindSet(k); }
    [[nodiscard]] constexpr bool empty() const { return bits_ == 0; }
    [[nodiscard]] constexpr bool single() const { return bits_ && !(bits_ & (bits_ - 1)); }
    /// The only kind (assumes single()).
    [[nodiscard]] Kind only() const { return static_cast<Kind>(__builtin_ctz(bits_)); }
    /// Whether some kind other than Scalar and Uninit is possible.
    [[nodiscard]] constexpr bool may_be_pointer() const {
        return (bits_ & ~((1u << static_cast<int>(Kind::Scalar)) |
                          (1u << static_cast<int>(Kind::Uninit)))) != 0;
    }
    [[nodiscard]] constexpr KindSet operator|(KindSet o) const {
        return from_bits(bits_ | o.bits_);
    }
    [[nodiscard]] constexpr bool subset_of(KindSet o) const { return (bits_ & ~o.bits_) == 0; }
    [[nodiscard]] constexpr std::uint16_t bits() const { return bits_; }
    [[nodiscard]] static constexpr KindSet from_bits(std::uint16_t b) {
        KindSet s;
        s.bits_ = b;
        return s;
    }
    friend constexpr bool operator==(KindSet, KindSet) = default;

  private:
    std::uint16_t bits_ = 0;
};

/// The non-numeric part of a register or spilled slot. Its number (value for a scalar,
/// offset for a pointer) lives in the numeric state, in the variable the slot owns.
///
///   map    MapPtr/MapValue/MapValueOrNull: index into Object::maps; -1 none; kSeveralMaps
///          when paths disagree. Func: the callback's pc.
///   frame  Stack: the frame the pointer points into.
///   size   Mem/MemOrNull: the record's size in bytes.
///   id     MapValueOrNull/MemOrNull: pairs copies for the NULL check (0: none). Packet: the
///          variable part this pointer shares with others (0: constant offset); `off` is then
///          the constant part added since, for the kernel-style checked range. Scalar: the
///          registers and slots with the same id hold the same number (copies), so a branch
///          that refines one refines all.
struct RegType {
    KindSet kinds = Kind::Uninit;
    std::int32_t map = -1;
    std::uint8_t frame = 0;
    std::uint32_t size = 0;
    std::uint32_t id = 0;
    std::int64_t off = 0;

    static constexpr std::int32_t kSeveralMaps = -2;

    [[nodiscard]] static RegType of(Kind k) { return RegType{KindSet(k)}; }
    [[nodiscard]] bool is(Kind k) const { return kinds.is(k); }
    /// The union of two types (kinds united; fields that disagree lose their information).
    [[nodiscard]] RegType join(const RegType& b) const;
    /// Whether every value of this type is a value of `b`.
    [[nodiscard]] bool leq(const RegType& b) const;
    friend bool operator==(const RegType&, const RegType&) = default;
};

/// The loader's privileges (DESIGN.md; `bpflab verify --caps`).
///   Bpf   CAP_BPF without CAP_PERFMON: no pointer leaks (into maps, the return value,
///         comparisons across regions), no reads of uninitialised stack.
///   Root  a fully privileged loader: both allowed.
enum class Caps : std::uint8_t { Bpf, Root };

}  // namespace bpflab::verify
