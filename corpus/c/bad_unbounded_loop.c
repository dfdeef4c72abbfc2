// SPDX-License-Identifier: Apache-2.0
// UNSAFE. XDP that spins until a flag in a map changes: nothing in the loop changes the state the
// verifier tracks, so the loop has no bound. The bug is `while (*flag)` re-reading a value the
// program never modifies (volatile keeps clang from hoisting or deleting the loop).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u32);
} gate SEC(".maps");

SEC("xdp")
int xdp_spin(struct xdp_md *ctx) {
    __u32 key = 0;
    volatile __u32 *flag = bpf_map_lookup_elem(&gate, &key);
    if (!flag) return XDP_PASS;
    // BUG: unbounded loop waiting for user space.
    while (*flag != 0) {
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
