// SPDX-License-Identifier: Apache-2.0
// XDP: walk IPv6 extension headers (hop-by-hop, routing, destination options, fragment) with a
// bounded loop of at most six headers, then drop UDP datagrams to a blocked port.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define MAX_EXT_HEADERS 6
#define BLOCKED_UDP_PORT 5353

struct ext_header {
    __u8 nexthdr;
    __u8 len;  // in 8-byte units, not counting the first 8 bytes
};

SEC("xdp")
int xdp_ipv6_ext(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end) return XDP_DROP;
    if (eth->h_proto != bpf_htons(ETH_P_IPV6)) return XDP_PASS;
    struct ipv6hdr *ip6 = (void *)(eth + 1);
    if ((void *)(ip6 + 1) > end) return XDP_DROP;

    __u8 next = ip6->nexthdr;
    void *cursor = ip6 + 1;
#pragma clang loop unroll(disable)
    for (int i = 0; i < MAX_EXT_HEADERS; i++) {
        if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS &&
            next != IPPROTO_FRAGMENT)
            break;
        struct ext_header *ext = cursor;
        if ((void *)(ext + 1) > end) return XDP_DROP;
        __u32 size = next == IPPROTO_FRAGMENT ? 8 : (ext->len + 1) * 8;
        next = ext->nexthdr;
        cursor += size;
    }
    if (next != IPPROTO_UDP) return XDP_PASS;
    struct udphdr *udp = cursor;
    if ((void *)(udp + 1) > end) return XDP_DROP;
    return udp->dest == bpf_htons(BLOCKED_UDP_PORT) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
