// SPDX-License-Identifier: Apache-2.0
// tc: two classifiers. tc_mark parses Ethernet/IPv4/TCP-or-UDP with direct packet access and sets
// skb->mark from the DSCP and the destination port; tc_ttl_guard copies the IPv4 header with
// bpf_skb_load_bytes and drops packets whose TTL is about to expire.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u64);
} dscp_packets SEC(".maps");

SEC("tc")
int tc_mark(struct __sk_buff *skb) {
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end) return TC_ACT_OK;
    if (eth->h_proto != bpf_htons(ETH_P_IP)) return TC_ACT_OK;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end) return TC_ACT_OK;

    __u32 dscp = ip->tos >> 2;
    __u64 *count = bpf_map_lookup_elem(&dscp_packets, &dscp);
    if (count) *count += 1;

    __u16 port = 0;
    void *l4 = (void *)ip + ip->ihl * 4;
    if (ip->protocol == IPPROTO_TCP) {
        struct tcphdr *tcp = l4;
        if ((void *)(tcp + 1) > end) return TC_ACT_OK;
        port = bpf_ntohs(tcp->dest);
    } else if (ip->protocol == IPPROTO_UDP) {
        struct udphdr *udp = l4;
        if ((void *)(udp + 1) > end) return TC_ACT_OK;
        port = bpf_ntohs(udp->dest);
    }
    skb->mark = (dscp << 16) | port;
    return TC_ACT_OK;
}

SEC("classifier")
int tc_ttl_guard(struct __sk_buff *skb) {
    struct iphdr ip;
    if (skb->protocol != bpf_htons(ETH_P_IP)) return TC_ACT_OK;
    if (bpf_skb_load_bytes(skb, sizeof(struct ethhdr), &ip, sizeof(ip)) < 0) return TC_ACT_SHOT;
    if (ip.ttl <= 1) return TC_ACT_SHOT;
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
