// SPDX-License-Identifier: Apache-2.0
// XDP: parse Ethernet, up to two VLAN tags, IPv4 or IPv6, then TCP or UDP, checking bounds before
// every header; count packets per L4 protocol in an array map and drop TCP to a blocked port.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define BLOCKED_TCP_PORT 23
#define MAX_VLAN_TAGS 2

struct vlan_tag {
    __be16 tci;
    __be16 encap_proto;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 256);
    __type(key, __u32);
    __type(value, __u64);
} l4_packets SEC(".maps");

SEC("xdp")
int xdp_parse(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end) return XDP_DROP;

    __be16 proto = eth->h_proto;
    void *cursor = eth + 1;
#pragma unroll
    for (int i = 0; i < MAX_VLAN_TAGS; i++) {
        if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD)) break;
        struct vlan_tag *tag = cursor;
        if ((void *)(tag + 1) > end) return XDP_DROP;
        proto = tag->encap_proto;
        cursor = tag + 1;
    }

    __u8 l4;
    if (proto == bpf_htons(ETH_P_IP)) {
        struct iphdr *ip = cursor;
        if ((void *)(ip + 1) > end) return XDP_DROP;
        if (ip->ihl < 5) return XDP_DROP;
        l4 = ip->protocol;
        cursor = (void *)ip + ip->ihl * 4;  // variable offset: 20..60 bytes
    } else if (proto == bpf_htons(ETH_P_IPV6)) {
        struct ipv6hdr *ip6 = cursor;
        if ((void *)(ip6 + 1) > end) return XDP_DROP;
        l4 = ip6->nexthdr;
        cursor = ip6 + 1;
    } else {
        return XDP_PASS;
    }

    __u32 key = l4;
    __u64 *count = bpf_map_lookup_elem(&l4_packets, &key);
    if (count) __sync_fetch_and_add(count, 1);

    if (l4 == IPPROTO_TCP) {
        struct tcphdr *tcp = cursor;
        if ((void *)(tcp + 1) > end) return XDP_DROP;
        if (tcp->dest == bpf_htons(BLOCKED_TCP_PORT)) return XDP_DROP;
    } else if (l4 == IPPROTO_UDP) {
        struct udphdr *udp = cursor;
        if ((void *)(udp + 1) > end) return XDP_DROP;
        if (bpf_ntohs(udp->len) < sizeof(*udp)) return XDP_DROP;
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
