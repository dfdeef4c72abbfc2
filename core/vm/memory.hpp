// SPDX-License-Identifier: Apache-2.0
// bpflab: the interpreter's checked address space — regions, stack frames, faults.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/platform.hpp"
#include "core/vm/maps.hpp"

namespace bpflab::vm {

/// What a concrete pointer points into.
enum class RegionKind : std::uint8_t {
    None,        ///< not a pointer into any known region (a scalar)
    Context,     ///< the program's context object
    Packet,      ///< packet data: [data, data_end)
    PacketMeta,  ///< packet metadata: [data_meta, data)
    PacketEnd,   ///< the packet's end pointer (comparable, never dereferenced)
    Stack,       ///< a 512-byte call frame
    MapValue,    ///< a live value of a map
    Ringbuf,     ///< a reserved ring-buffer record
    Memory,      ///< a caller-supplied memory image (conformance tests, probe_read source)
    Code,        ///< the address of a subprogram (a bpf_loop callback); value = its pc
    MapPtr,      ///< a map (ldimm64 map); value = the map's index
};
[[nodiscard]] std::string_view region_kind_name(RegionKind k);

/// Kinds of run-time faults the interpreter reports.
enum class FaultKind : std::uint8_t {
    OutOfBounds,        ///< access outside the region the pointer belongs to
    InvalidPointer,     ///< access through a value that points into no region (incl. NULL)
    UninitRegister,     ///< read of a register never written
    UninitStack,        ///< read of stack bytes never written
    ReadOnly,           ///< write to read-only memory (.rodata, context field)
    ContextAccess,      ///< context field not accessible with this size or direction
    HelperArgument,     ///< a helper argument violates the helper's contract
    UnknownHelper,      ///< helper not emulated (named in the message)
    Unsupported,        ///< instruction the interpreter does not execute (named)
    InstructionBudget,  ///< more instructions than the budget allows
    CallDepth,          ///< more than 8 call frames
};
[[nodiscard]] std::string_view fault_kind_name(FaultKind k);

/// A structured run-time fault.
struct Fault {
    FaultKind kind = FaultKind::OutOfBounds;
    std::uint32_t pc = 0;
    std::uint64_t addr = 0;
    std::uint32_t size = 0;
    RegionKind region = RegionKind::None;
    std::uint64_t region_base = 0;
    std::uint64_t region_size = 0;
    std::string message;
    [[nodiscard]] std::string to_string() const;
};

inline constexpr std::uint32_t kStackSize = 512;
inline constexpr std::uint32_t kMaxFrames = 8;
inline constexpr std::uint32_t kPacketHeadroom = 256;
inline constexpr std::uint32_t kPacketTailroom = 256;

/// The provenance of a register or spilled stack slot: the region a pointer was derived from.
/// A value without a tag (kind None) is a scalar and cannot be dereferenced.
struct Tag {
    RegionKind kind = RegionKind::None;
    bool writable = false;
    std::uint8_t* base = nullptr;  ///< region start (Stack: frame bottom; MapValue: the value)
    std::uint64_t size = 0;        ///< region length
    std::uint32_t map = 0;         ///< MapValue: map index
    friend bool operator==(const Tag&, const Tag&) = default;
};

/// Every region a running program may touch. Addresses are real host addresses, so pointers
/// in registers can be dereferenced directly after a check.
class AddressSpace {
  public:
    AddressSpace(MapSet& maps, const ProgramTypeInfo* type);

    /// Installs the packet (copied into a buffer with head- and tailroom).
    void set_packet(const std::vector<std::uint8_t>& bytes) {
        set_packet(bytes.data(), bytes.size());
    }
    /// Installs `n` packet bytes; reuses the buffer (no allocation once it is large enough).
    void set_packet(const std::uint8_t* bytes, std::size_t n);
    [[nodiscard]] std::uint8_t* data() const { return data_; }
    [[nodiscard]] std::uint8_t* data_end() const { return data_end_; }
    [[nodiscard]] std::uint8_t* data_meta() const { return meta_; }
    /// Moves packet start/end (xdp_adjust_head/meta/tail); false when out of the buffer.
    bool adjust_head(std::int64_t delta);
    bool adjust_meta(std::int64_t delta);
    bool adjust_tail(std::int64_t delta);
    [[nodiscard]] std::vector<std::uint8_t> packet_bytes() const;
    /// The current packet [data, data_end), valid until the next change of the packet.
    [[nodiscard]] std::span<const std::uint8_t> packet_view() const { return {data_, data_end_}; }

    /// The context object: `bytes` as given (sized to the type's context size).
    void set_context(const std::vector<std::uint8_t>& bytes);
    [[nodiscard]] std::uint8_t* context() { return ctx_.data(); }
    [[nodiscard]] std::uint64_t context_size() const { return ctx_.size(); }
    void set_memory(const std::vector<std::uint8_t>& bytes);
    [[nodiscard]] std::uint8_t* memory() { return mem_.data(); }
    [[nodiscard]] std::uint64_t memory_size() const { return mem_.size(); }

    /// Frame `f`'s stack: frame pointer (one past the top) and the init bitmap.
    [[nodiscard]] std::uint8_t* frame_pointer(std::uint32_t f) {
        return stack_.data() + static_cast<std::size_t>(f + 1) * kStackSize;
    }
    /// Bottom of frame 0 (the deepest address of every frame); spill slots count from here.
    [[nodiscard]] std::uint8_t* stack_base() { return stack_.data(); }
    /// Forgets what frame `f` held (a new call starts with an uninitialised frame). Costs the
    /// bytes written since the last reset, not the frame size: each frame remembers the span
    /// of its init map that may be nonzero.
    void reset_frame(std::uint32_t f);
    /// Marks stack bytes written (`p` in one frame, as checked accesses guarantee).
    void mark_stack_init(const std::uint8_t* p, std::uint32_t n) {
        const auto at = static_cast<std::uint32_t>(p - stack_.data());
        std::memset(stack_init_.data() + at, 1, n);
        Dirty& d = dirty_[at / kStackSize];
        d.lo = std::min(d.lo, at);
        d.hi = std::max(d.hi, at + n);
    }
    /// Whether the `n` stack bytes at `p` were all written since their frame was reset.
    [[nodiscard]] bool stack_init(const std::uint8_t* p, std::uint32_t n) const {
        const std::uint8_t* b = stack_init_.data() + (p - stack_.data());
        std::uint64_t all = 0;
        switch (n) {  // whole-word compares for the access sizes, bytewise otherwise
            case 8:
                std::memcpy(&all, b, 8);
                return all == 0x0101010101010101ull;
            case 4:
                std::memcpy(&all, b, 4);
                return all == 0x01010101ull;
            case 2:
                std::memcpy(&all, b, 2);
                return all == 0x0101ull;
            case 1:
                return *b != 0;
            default:
                for (std::uint32_t i = 0; i < n; ++i)
                    if (b[i] == 0) return false;
                return true;
        }
    }

    /// Tag of the frame `f` stack region.
    [[nodiscard]] Tag stack_tag(std::uint32_t f);
    /// Tag of the context, the packet, its metadata and end, and the memory image.
    [[nodiscard]] Tag context_tag();
    [[nodiscard]] Tag packet_tag() const;
    [[nodiscard]] Tag packet_meta_tag() const;
    [[nodiscard]] Tag packet_end_tag() const;
    [[nodiscard]] Tag memory_tag();

    /// Checks a non-context access of `size` bytes at `addr` through a pointer tagged `tag`:
    /// the access must lie in the region (packet: in the current [data, data_end)), and writes
    /// need a writable region. Returns the host pointer, or nullptr with `fault` filled.
    [[nodiscard]] std::uint8_t* check(const Tag& tag, std::uint64_t addr, std::uint32_t size,
                                      bool write, Fault& fault) const;

    [[nodiscard]] MapSet& maps() { return maps_; }
    [[nodiscard]] const ProgramTypeInfo* type() const { return type_; }

  private:
    MapSet& maps_;
    const ProgramTypeInfo* type_;
    std::vector<std::uint8_t> packet_buf_;  ///< grows, never shrinks: set_packet reuses it
    std::uint8_t* buf_end_ = nullptr;       ///< end of the tailroom of the current packet
    std::uint8_t* meta_ = nullptr;
    std::uint8_t* data_ = nullptr;
    std::uint8_t* data_end_ = nullptr;
    std::vector<std::uint8_t> ctx_;
    std::vector<std::uint8_t> mem_;
    std::vector<std::uint8_t> stack_;
    std::vector<std::uint8_t> stack_init_;  ///< one byte per stack byte: 1 = written
    /// Per frame, the span [lo, hi) of stack_init_ (absolute offsets) that may hold ones.
    struct Dirty {
        std::uint32_t lo = UINT32_MAX;
        std::uint32_t hi = 0;
    };
    Dirty dirty_[kMaxFrames];
};

}  // namespace bpflab::vm
