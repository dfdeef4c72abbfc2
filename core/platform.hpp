// SPDX-License-Identifier: Apache-2.0
// bpflab: Linux platform tables — program types, their context layouts, helper prototypes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace bpflab {

/// What a context field holds when read. Pointer kinds are rewritten by the kernel into full
/// 64-bit pointer loads, whatever the declared field width.
enum class CtxFieldKind : std::uint8_t { Scalar, PacketStart, PacketEnd, PacketMeta };

/// One accessible context field (or array of fields): [offset, offset + size).
struct CtxField {
    std::uint16_t offset = 0;
    std::uint16_t size = 0;
    CtxFieldKind kind = CtxFieldKind::Scalar;
    bool writable = false;
    bool narrow_reads = true;  ///< loads narrower than the field are allowed (scalars only)
    std::string_view name;
};

/// What bpflab knows about one program type.
struct ProgramTypeInfo {
    std::uint32_t prog_type = 0;  ///< enum bpf_prog_type
    std::string_view name;        ///< libbpf spelling
    std::uint32_t ctx_size = 0;   ///< bytes of the context object (0: given by the input)
    std::span<const CtxField> fields;  ///< empty: any aligned read-only access within ctx_size
    bool direct_packet_access = false;
    bool packet_context = false;  ///< the context describes a packet (skb or xdp)
    std::optional<std::pair<std::int64_t, std::int64_t>> return_range;  ///< allowed r0, if any
};

/// The program types bpflab models (XDP, socket filter, tc, kprobe, tracepoint, raw tracepoint,
/// perf event, cgroup skb); nullptr for others.
[[nodiscard]] const ProgramTypeInfo* program_type_info(std::uint32_t prog_type);

/// The context field containing byte `offset`, if the type has a field table and one does.
[[nodiscard]] const CtxField* find_ctx_field(const ProgramTypeInfo& info, std::int64_t offset);

/// Kinds of helper arguments, after the kernel's `bpf_arg_type` (simplified but sound).
enum class ArgKind : std::uint8_t {
    None,            ///< no argument in this position
    Anything,        ///< any initialised scalar
    Scalar,          ///< an initialised scalar (not a pointer)
    ConstMapPtr,     ///< a map pointer (ldimm64 map)
    MapKey,          ///< pointer to key_size initialised bytes
    MapValue,        ///< pointer to value_size initialised bytes
    Mem,             ///< pointer to readable, initialised memory of the size in the next arg
    MemOrNull,       ///< like Mem, or NULL
    UninitMem,       ///< pointer to writable memory of the size in the next arg
    Size,            ///< size of the previous memory argument, > 0
    SizeOrZero,      ///< size of the previous memory argument, >= 0
    Ctx,             ///< the program's context pointer
    RingbufRecord,   ///< a record from ringbuf_reserve (not NULL)
    Func,            ///< a callback: pointer to a static subprogram
    StackOrNull,     ///< pointer to the stack, or NULL
    AllocSize,       ///< constant allocation size (ringbuf_reserve)
};

/// What a helper returns in r0.
enum class RetKind : std::uint8_t { Integer, Void, MapValueOrNull, RingbufRecordOrNull };

/// A helper function prototype.
struct HelperProto {
    std::int32_t id = 0;
    std::string_view name;
    RetKind ret = RetKind::Integer;
    ArgKind args[5] = {ArgKind::None, ArgKind::None, ArgKind::None, ArgKind::None, ArgKind::None};
};

/// The prototype of helper `id`, or nullptr when bpflab does not model it.
[[nodiscard]] const HelperProto* helper_proto(std::int32_t id);
/// The kernel's name of helper `id` ("map_lookup_elem"), for any id the UAPI header lists.
[[nodiscard]] std::optional<std::string_view> helper_name(std::int32_t id);
/// Every modelled prototype, in id order.
[[nodiscard]] std::span<const HelperProto> helper_protos();

}  // namespace bpflab
