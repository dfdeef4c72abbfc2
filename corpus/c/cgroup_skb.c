// SPDX-License-Identifier: Apache-2.0
// cgroup_skb egress: count bytes sent by the cgroup per socket family and allow every packet
// (cgroup skb programs must return 0 = drop or 1 = allow).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u64);
} bytes_by_family SEC(".maps");

SEC("cgroup_skb/egress")
int egress_bytes(struct __sk_buff *skb) {
    __u32 family = skb->family & 63;
    __u64 *bytes = bpf_map_lookup_elem(&bytes_by_family, &family);
    if (bytes) *bytes += skb->len;
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
