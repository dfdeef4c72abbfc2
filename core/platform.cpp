// SPDX-License-Identifier: Apache-2.0
// bpflab: context layouts and helper prototypes of the Linux program types bpflab models.
#include "core/platform.hpp"

#include <linux/bpf.h>
#include <linux/bpf_perf_event.h>
#include <linux/ptrace.h>

#include <algorithm>
#include <array>
#include <cstddef>

namespace bpflab {
namespace {

using K = CtxFieldKind;

#define SKB_FIELD(f) static_cast<std::uint16_t>(offsetof(struct __sk_buff, f))
#define SKB_SIZE(f) static_cast<std::uint16_t>(sizeof(static_cast<struct __sk_buff*>(nullptr)->f))
#define SKB(f, kind, w) CtxField{SKB_FIELD(f), SKB_SIZE(f), kind, w, kind == K::Scalar, #f}

// Socket filters: no direct packet access; only cb[] is writable.
constexpr CtxField kSocketFilterFields[] = {
    SKB(len, K::Scalar, false),         SKB(pkt_type, K::Scalar, false),
    SKB(mark, K::Scalar, false),        SKB(queue_mapping, K::Scalar, false),
    SKB(protocol, K::Scalar, false),    SKB(vlan_present, K::Scalar, false),
    SKB(vlan_tci, K::Scalar, false),    SKB(vlan_proto, K::Scalar, false),
    SKB(priority, K::Scalar, false),    SKB(ingress_ifindex, K::Scalar, false),
    SKB(ifindex, K::Scalar, false),     SKB(tc_index, K::Scalar, false),
    SKB(cb, K::Scalar, true),           SKB(hash, K::Scalar, false),
    SKB(napi_id, K::Scalar, false),
};

// tc classifier and action programs: direct packet access, several writable fields.
constexpr CtxField kTcFields[] = {
    SKB(len, K::Scalar, false),          SKB(pkt_type, K::Scalar, false),
    SKB(mark, K::Scalar, true),          SKB(queue_mapping, K::Scalar, true),
    SKB(protocol, K::Scalar, false),     SKB(vlan_present, K::Scalar, false),
    SKB(vlan_tci, K::Scalar, false),     SKB(vlan_proto, K::Scalar, false),
    SKB(priority, K::Scalar, true),      SKB(ingress_ifindex, K::Scalar, false),
    SKB(ifindex, K::Scalar, false),      SKB(tc_index, K::Scalar, true),
    SKB(cb, K::Scalar, true),            SKB(hash, K::Scalar, false),
    SKB(tc_classid, K::Scalar, true),    SKB(data, K::PacketStart, false),
    SKB(data_end, K::PacketEnd, false),  SKB(napi_id, K::Scalar, false),
    SKB(data_meta, K::PacketMeta, false), SKB(tstamp, K::Scalar, true),
    SKB(wire_len, K::Scalar, false),     SKB(gso_segs, K::Scalar, false),
    SKB(gso_size, K::Scalar, false),
};

// cgroup skb programs: packet readable directly, mark/priority/cb writable.
constexpr CtxField kCgroupSkbFields[] = {
    SKB(len, K::Scalar, false),         SKB(pkt_type, K::Scalar, false),
    SKB(mark, K::Scalar, true),         SKB(queue_mapping, K::Scalar, false),
    SKB(protocol, K::Scalar, false),    SKB(vlan_present, K::Scalar, false),
    SKB(vlan_tci, K::Scalar, false),    SKB(vlan_proto, K::Scalar, false),
    SKB(priority, K::Scalar, true),     SKB(ingress_ifindex, K::Scalar, false),
    SKB(ifindex, K::Scalar, false),     SKB(cb, K::Scalar, true),
    SKB(hash, K::Scalar, false),        SKB(data, K::PacketStart, false),
    SKB(data_end, K::PacketEnd, false), SKB(napi_id, K::Scalar, false),
    SKB(family, K::Scalar, false),      SKB(remote_ip4, K::Scalar, false),
    SKB(local_ip4, K::Scalar, false),   SKB(remote_ip6, K::Scalar, false),
    SKB(local_ip6, K::Scalar, false),   SKB(remote_port, K::Scalar, false),
    SKB(local_port, K::Scalar, false),  SKB(tstamp, K::Scalar, false),
    SKB(wire_len, K::Scalar, false),    SKB(gso_segs, K::Scalar, false),
    SKB(gso_size, K::Scalar, false),
};

#undef SKB
#undef SKB_SIZE
#undef SKB_FIELD

#define XDP(f, kind) \
    CtxField{static_cast<std::uint16_t>(offsetof(struct xdp_md, f)), 4, kind, false, false, #f}
constexpr CtxField kXdpFields[] = {
    XDP(data, K::PacketStart),       XDP(data_end, K::PacketEnd),
    XDP(data_meta, K::PacketMeta),   XDP(ingress_ifindex, K::Scalar),
    XDP(rx_queue_index, K::Scalar),  XDP(egress_ifindex, K::Scalar),
};
#undef XDP

constexpr std::uint32_t kPtRegsSize = sizeof(struct pt_regs);

const std::array<ProgramTypeInfo, 9> kTypes = {{
    {BPF_PROG_TYPE_SOCKET_FILTER, "socket_filter", sizeof(struct __sk_buff), kSocketFilterFields,
     false, true, std::nullopt},
    {BPF_PROG_TYPE_SCHED_CLS, "sched_cls", sizeof(struct __sk_buff), kTcFields, true, true,
     std::nullopt},
    {BPF_PROG_TYPE_SCHED_ACT, "sched_act", sizeof(struct __sk_buff), kTcFields, true, true,
     std::nullopt},
    {BPF_PROG_TYPE_XDP, "xdp", sizeof(struct xdp_md), kXdpFields, true, true, std::nullopt},
    {BPF_PROG_TYPE_CGROUP_SKB, "cgroup_skb", sizeof(struct __sk_buff), kCgroupSkbFields, true,
     true, std::pair<std::int64_t, std::int64_t>{0, 1}},
    {BPF_PROG_TYPE_KPROBE, "kprobe", kPtRegsSize, {}, false, false, std::nullopt},
    {BPF_PROG_TYPE_TRACEPOINT, "tracepoint", 0, {}, false, false, std::nullopt},
    {BPF_PROG_TYPE_RAW_TRACEPOINT, "raw_tracepoint", 12 * 8, {}, false, false, std::nullopt},
    {BPF_PROG_TYPE_PERF_EVENT, "perf_event", sizeof(struct bpf_perf_event_data), {}, false,
     false, std::nullopt},
}};

using A = ArgKind;
using R = RetKind;
constexpr A N = A::None;

// Prototypes of the helpers that typical programs use, after the kernel's bpf_func_proto
// tables. Argument kinds are as strict as the kernel's or stricter.
constexpr HelperProto kHelpers[] = {
    {BPF_FUNC_map_lookup_elem, "map_lookup_elem", R::MapValueOrNull, {A::ConstMapPtr, A::MapKey, N, N, N}},
    {BPF_FUNC_map_update_elem, "map_update_elem", R::Integer, {A::ConstMapPtr, A::MapKey, A::MapValue, A::Anything, N}},
    {BPF_FUNC_map_delete_elem, "map_delete_elem", R::Integer, {A::ConstMapPtr, A::MapKey, N, N, N}},
    {BPF_FUNC_probe_read, "probe_read", R::Integer, {A::UninitMem, A::SizeOrZero, A::Anything, N, N}},
    {BPF_FUNC_ktime_get_ns, "ktime_get_ns", R::Integer, {N, N, N, N, N}},
    {BPF_FUNC_trace_printk, "trace_printk", R::Integer, {A::Mem, A::Size, A::Anything, A::Anything, A::Anything}},
    {BPF_FUNC_get_prandom_u32, "get_prandom_u32", R::Integer, {N, N, N, N, N}},
    {BPF_FUNC_get_smp_processor_id, "get_smp_processor_id", R::Integer, {N, N, N, N, N}},
    {BPF_FUNC_skb_store_bytes, "skb_store_bytes", R::Integer, {A::Ctx, A::Scalar, A::Mem, A::Size, A::Scalar}},
    {BPF_FUNC_l3_csum_replace, "l3_csum_replace", R::Integer, {A::Ctx, A::Scalar, A::Scalar, A::Scalar, A::Scalar}},
    {BPF_FUNC_l4_csum_replace, "l4_csum_replace", R::Integer, {A::Ctx, A::Scalar, A::Scalar, A::Scalar, A::Scalar}},
    {BPF_FUNC_tail_call, "tail_call", R::Integer, {A::Ctx, A::ConstMapPtr, A::Scalar, N, N}},
    {BPF_FUNC_clone_redirect, "clone_redirect", R::Integer, {A::Ctx, A::Scalar, A::Scalar, N, N}},
    {BPF_FUNC_get_current_pid_tgid, "get_current_pid_tgid", R::Integer, {N, N, N, N, N}},
    {BPF_FUNC_get_current_uid_gid, "get_current_uid_gid", R::Integer, {N, N, N, N, N}},
    {BPF_FUNC_get_current_comm, "get_current_comm", R::Integer, {A::UninitMem, A::Size, N, N, N}},
    {BPF_FUNC_get_cgroup_classid, "get_cgroup_classid", R::Integer, {A::Ctx, N, N, N, N}},
    {BPF_FUNC_skb_vlan_push, "skb_vlan_push", R::Integer, {A::Ctx, A::Scalar, A::Scalar, N, N}},
    {BPF_FUNC_skb_vlan_pop, "skb_vlan_pop", R::Integer, {A::Ctx, N, N, N, N}},
    {BPF_FUNC_redirect, "redirect", R::Integer, {A::Scalar, A::Scalar, N, N, N}},
    {BPF_FUNC_get_route_realm, "get_route_realm", R::Integer, {A::Ctx, N, N, N, N}},
    {BPF_FUNC_perf_event_output, "perf_event_output", R::Integer, {A::Ctx, A::ConstMapPtr, A::Scalar, A::Mem, A::SizeOrZero}},
    {BPF_FUNC_skb_load_bytes, "skb_load_bytes", R::Integer, {A::Ctx, A::Scalar, A::UninitMem, A::Size, N}},
    {BPF_FUNC_get_stackid, "get_stackid", R::Integer, {A::Ctx, A::ConstMapPtr, A::Scalar, N, N}},
    {BPF_FUNC_csum_diff, "csum_diff", R::Integer, {A::MemOrNull, A::SizeOrZero, A::MemOrNull, A::SizeOrZero, A::Scalar}},
    {BPF_FUNC_skb_change_proto, "skb_change_proto", R::Integer, {A::Ctx, A::Scalar, A::Scalar, N, N}},
    {BPF_FUNC_skb_change_type, "skb_change_type", R::Integer, {A::Ctx, A::Scalar, N, N, N}},
    {BPF_FUNC_get_hash_recalc, "get_hash_recalc", R::Integer, {A::Ctx, N, N, N, N}},
    {BPF_FUNC_get_current_task, "get_current_task", R::Integer, {N, N, N, N, N}},
    {BPF_FUNC_skb_change_tail, "skb_change_tail", R::Integer, {A::Ctx, A::Scalar, A::Scalar, N, N}},
    {BPF_FUNC_skb_pull_data, "skb_pull_data", R::Integer, {A::Ctx, A::Scalar, N, N, N}},
    {BPF_FUNC_csum_update, "csum_update", R::Integer, {A::Ctx, A::Scalar, N, N, N}},
    {BPF_FUNC_set_hash_invalid, "set_hash_invalid", R::Void, {A::Ctx, N, N, N, N}},
    {BPF_FUNC_get_numa_node_id, "get_numa_node_id", R::Integer, {N, N, N, N, N}},
    {BPF_FUNC_skb_change_head, "skb_change_head", R::Integer, {A::Ctx, A::Scalar, A::Scalar, N, N}},
    {BPF_FUNC_xdp_adjust_head, "xdp_adjust_head", R::Integer, {A::Ctx, A::Scalar, N, N, N}},
    {BPF_FUNC_probe_read_str, "probe_read_str", R::Integer, {A::UninitMem, A::SizeOrZero, A::Anything, N, N}},
    {BPF_FUNC_get_socket_cookie, "get_socket_cookie", R::Integer, {A::Ctx, N, N, N, N}},
    {BPF_FUNC_get_socket_uid, "get_socket_uid", R::Integer, {A::Ctx, N, N, N, N}},
    {BPF_FUNC_set_hash, "set_hash", R::Integer, {A::Ctx, A::Scalar, N, N, N}},
    {BPF_FUNC_skb_adjust_room, "skb_adjust_room", R::Integer, {A::Ctx, A::Scalar, A::Scalar, A::Scalar, N}},
    {BPF_FUNC_redirect_map, "redirect_map", R::Integer, {A::ConstMapPtr, A::Scalar, A::Scalar, N, N}},
    {BPF_FUNC_xdp_adjust_meta, "xdp_adjust_meta", R::Integer, {A::Ctx, A::Scalar, N, N, N}},
    {BPF_FUNC_perf_event_read_value, "perf_event_read_value", R::Integer, {A::ConstMapPtr, A::Scalar, A::UninitMem, A::Size, N}},
    {BPF_FUNC_xdp_adjust_tail, "xdp_adjust_tail", R::Integer, {A::Ctx, A::Scalar, N, N, N}},
    {BPF_FUNC_fib_lookup, "fib_lookup", R::Integer, {A::Ctx, A::UninitMem, A::Size, A::Scalar, N}},
    {BPF_FUNC_get_current_cgroup_id, "get_current_cgroup_id", R::Integer, {N, N, N, N, N}},
    {BPF_FUNC_map_push_elem, "map_push_elem", R::Integer, {A::ConstMapPtr, A::MapValue, A::Scalar, N, N}},
    {BPF_FUNC_map_pop_elem, "map_pop_elem", R::Integer, {A::ConstMapPtr, A::UninitMem, N, N, N}},
    {BPF_FUNC_map_peek_elem, "map_peek_elem", R::Integer, {A::ConstMapPtr, A::UninitMem, N, N, N}},
    {BPF_FUNC_send_signal, "send_signal", R::Integer, {A::Scalar, N, N, N, N}},
    {BPF_FUNC_probe_read_user, "probe_read_user", R::Integer, {A::UninitMem, A::SizeOrZero, A::Anything, N, N}},
    {BPF_FUNC_probe_read_kernel, "probe_read_kernel", R::Integer, {A::UninitMem, A::SizeOrZero, A::Anything, N, N}},
    {BPF_FUNC_probe_read_user_str, "probe_read_user_str", R::Integer, {A::UninitMem, A::SizeOrZero, A::Anything, N, N}},
    {BPF_FUNC_probe_read_kernel_str, "probe_read_kernel_str", R::Integer, {A::UninitMem, A::SizeOrZero, A::Anything, N, N}},
    {BPF_FUNC_jiffies64, "jiffies64", R::Integer, {N, N, N, N, N}},
    {BPF_FUNC_get_current_ancestor_cgroup_id, "get_current_ancestor_cgroup_id", R::Integer, {A::Scalar, N, N, N, N}},
    {BPF_FUNC_ktime_get_boot_ns, "ktime_get_boot_ns", R::Integer, {N, N, N, N, N}},
    {BPF_FUNC_ringbuf_output, "ringbuf_output", R::Integer, {A::ConstMapPtr, A::Mem, A::SizeOrZero, A::Scalar, N}},
    {BPF_FUNC_ringbuf_reserve, "ringbuf_reserve", R::RingbufRecordOrNull, {A::ConstMapPtr, A::AllocSize, A::Scalar, N, N}},
    {BPF_FUNC_ringbuf_submit, "ringbuf_submit", R::Void, {A::RingbufRecord, A::Scalar, N, N, N}},
    {BPF_FUNC_ringbuf_discard, "ringbuf_discard", R::Void, {A::RingbufRecord, A::Scalar, N, N, N}},
    {BPF_FUNC_ringbuf_query, "ringbuf_query", R::Integer, {A::ConstMapPtr, A::Scalar, N, N, N}},
    {BPF_FUNC_ktime_get_coarse_ns, "ktime_get_coarse_ns", R::Integer, {N, N, N, N, N}},
    {BPF_FUNC_snprintf, "snprintf", R::Integer, {A::UninitMem, A::SizeOrZero, A::Mem, A::MemOrNull, A::SizeOrZero}},
    {BPF_FUNC_loop, "loop", R::Integer, {A::Scalar, A::Func, A::StackOrNull, A::Scalar, N}},
    {BPF_FUNC_ktime_get_tai_ns, "ktime_get_tai_ns", R::Integer, {N, N, N, N, N}},
};

#define BPFLAB_HELPER_NAME(x) #x
constexpr const char* kHelperNames[] = {__BPF_FUNC_MAPPER(BPFLAB_HELPER_NAME)};
#undef BPFLAB_HELPER_NAME

}  // namespace

const ProgramTypeInfo* program_type_info(std::uint32_t prog_type) {
    for (const auto& t : kTypes)
        if (t.prog_type == prog_type) return &t;
    return nullptr;
}

const CtxField* find_ctx_field(const ProgramTypeInfo& info, std::int64_t offset) {
    for (const auto& f : info.fields)
        if (offset >= f.offset && offset < f.offset + f.size) return &f;
    return nullptr;
}

const HelperProto* helper_proto(std::int32_t id) {
    auto it = std::lower_bound(std::begin(kHelpers), std::end(kHelpers), id,
                               [](const HelperProto& h, std::int32_t i) { return h.id < i; });
    if (it == std::end(kHelpers) || it->id != id) return nullptr;
    return it;
}

std::optional<std::string_view> helper_name(std::int32_t id) {
    if (id <= 0 || id >= static_cast<std::int32_t>(std::size(kHelperNames))) return std::nullopt;
    return kHelperNames[id];
}

std::span<const HelperProto> helper_protos() { return kHelpers; }

}  // namespace bpflab
