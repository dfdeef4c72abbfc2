// SPDX-License-Identifier: Apache-2.0
// XDP: walk the variable-length IPv4 options with a bounded loop (at most 40 option bytes),
// counting each option type in a per-CPU array and dropping packets with source routing.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define MAX_OPTION_BYTES 40

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 32);
    __type(key, __u32);
    __type(value, __u64);
} option_types SEC(".maps");

SEC("xdp")
int xdp_ip_options(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end) return XDP_DROP;
    if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end) return XDP_DROP;
    if (ip->ihl < 5) return XDP_DROP;

    __u32 options_len = ip->ihl * 4 - sizeof(*ip);  // 0..40
    __u8 *options = (void *)(ip + 1);
    __u32 off = 0;
    for (int i = 0; i < MAX_OPTION_BYTES; i++) {
        if (off >= options_len) break;
        __u8 *opt = options + off;
        if ((void *)(opt + 1) > end) return XDP_DROP;
        __u8 type = opt[0];
        if (type == IPOPT_END) break;
        __u32 key = type & 31;
        __u64 *seen = bpf_map_lookup_elem(&option_types, &key);
        if (seen) *seen += 1;
        if (type == IPOPT_NOOP) {
            off++;
            continue;
        }
        if ((void *)(opt + 2) > end) return XDP_DROP;
        __u8 len = opt[1];
        if (len < 2) return XDP_DROP;
        if (type == IPOPT_LSRR || type == IPOPT_SSRR) return XDP_DROP;
        off += len;
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
