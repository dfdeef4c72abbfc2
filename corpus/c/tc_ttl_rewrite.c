// SPDX-License-Identifier: Apache-2.0
// tc: rewrite the IPv4 TTL to a floor value with bpf_skb_store_bytes and fix the header checksum
// with bpf_l3_csum_replace; packets whose TTL is already high enough are left alone.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define TTL_FLOOR 64
#define IP_OFF ETH_HLEN
#define TTL_OFF (IP_OFF + offsetof(struct iphdr, ttl))
#define CSUM_OFF (IP_OFF + offsetof(struct iphdr, check))

SEC("tc")
int tc_ttl_floor(struct __sk_buff *skb) {
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end) return TC_ACT_OK;
    if (eth->h_proto != bpf_htons(ETH_P_IP)) return TC_ACT_OK;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end) return TC_ACT_OK;
    __u8 old_ttl = ip->ttl;
    if (old_ttl >= TTL_FLOOR) return TC_ACT_OK;

    // The TTL shares a 16-bit checksum word with the protocol field.
    __be16 old_word = bpf_htons((__u16)old_ttl << 8 | ip->protocol);
    __be16 new_word = bpf_htons((__u16)TTL_FLOOR << 8 | ip->protocol);
    __u8 new_ttl = TTL_FLOOR;
    if (bpf_skb_store_bytes(skb, TTL_OFF, &new_ttl, 1, 0) < 0) return TC_ACT_SHOT;
    if (bpf_l3_csum_replace(skb, CSUM_OFF, old_word, new_word, 2) < 0) return TC_ACT_SHOT;
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
