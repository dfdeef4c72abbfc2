// SPDX-License-Identifier: Apache-2.0
// XDP: count packets by the first byte of the frame, in a hash map; read a global.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

volatile const __u32 verdict_on_hit = XDP_PASS;

SEC("xdp")
int xdp_count(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    if (data + 14 > end) return XDP_DROP;
    __u32 key = *(unsigned char *)data;
    __u64 *v = bpf_map_lookup_elem(&counts, &key);
    if (v) {
        __sync_fetch_and_add(v, 1);
        return verdict_on_hit;
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
