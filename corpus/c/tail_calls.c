// SPDX-License-Identifier: Apache-2.0
// XDP with tail calls: a dispatcher jumps, through a program array indexed by the EtherType,
// to a handler for IPv4 or IPv6; when the slot is empty the dispatcher passes the packet.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

enum { SLOT_IPV4 = 0, SLOT_IPV6 = 1, SLOTS = 2 };

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, SLOTS);
    __type(key, __u32);
    __type(value, __u32);
} handlers SEC(".maps");

SEC("xdp")
int xdp_dispatch(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end) return XDP_DROP;
    if (eth->h_proto == bpf_htons(ETH_P_IP))
        bpf_tail_call(ctx, &handlers, SLOT_IPV4);
    else if (eth->h_proto == bpf_htons(ETH_P_IPV6))
        bpf_tail_call(ctx, &handlers, SLOT_IPV6);
    return XDP_PASS;  // reached only when the tail call did not happen
}

SEC("xdp")
int xdp_ipv4(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct iphdr *ip = data + sizeof(struct ethhdr);
    if ((void *)(ip + 1) > end) return XDP_DROP;
    return ip->ttl == 0 ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_ipv6(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
    if ((void *)(ip6 + 1) > end) return XDP_DROP;
    return ip6->hop_limit == 0 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
