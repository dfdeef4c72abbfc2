// SPDX-License-Identifier: Apache-2.0
// UNSAFE. tc program that indexes an 8-slot array inside a map value with the low 4 bits of the
// packet mark: the bug is that indices 8..15 reach past the 64-byte value.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define SLOTS 8

struct slots {
    __u64 counter[SLOTS];
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct slots);
} per_mark SEC(".maps");

SEC("tc")
int tc_map_oob(struct __sk_buff *skb) {
    __u32 key = 0;
    struct slots *s = bpf_map_lookup_elem(&per_mark, &key);
    if (!s) return TC_ACT_OK;
    __u32 index = skb->mark & 15;    // BUG: should be & (SLOTS - 1)
    asm volatile("" : "+r"(index));  // keep clang from reasoning about the out-of-range index
    s->counter[index] += 1;
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
