// SPDX-License-Identifier: Apache-2.0
// XDP with a plain bounded loop (constant bound, not unrolled): a 16-bit ones'-complement sum of
// the first 64 bytes of the frame, checking the packet bound on every iteration.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SUM_WORDS 32

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} last_sum SEC(".maps");

SEC("xdp")
int xdp_sum(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    __u16 *words = data;
    __u32 sum = 0;
#pragma clang loop unroll(disable)
    for (int i = 0; i < SUM_WORDS; i++) {
        if ((void *)(words + i + 1) > end) break;
        sum += words[i];
    }
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    __u32 key = 0;
    __u32 *out = bpf_map_lookup_elem(&last_sum, &key);
    if (out) *out = ~sum & 0xffff;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
