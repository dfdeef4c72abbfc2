// SPDX-License-Identifier: Apache-2.0
// tc with bpf-to-bpf calls: static __noinline helpers in .text (one takes a pointer into the
// caller's stack) and a global function, which the kernel verifies once, on its own, from BTF.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __type(value, __u64);
} bytes_by_source SEC(".maps");

struct summary {
    __u32 saddr;
    __u32 length;
    __u8 protocol;
};

// Returns the IPv4 header length in bytes, or 0 when the packet is not IPv4 or too short.
static __noinline __u32 ipv4_header_len(struct __sk_buff *skb) {
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) return 0;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->ihl < 5) return 0;
    return ip->ihl * 4;
}

// Fills *out from the IPv4 header; the caller has checked that the header exists.
static __noinline int summarise(struct __sk_buff *skb, struct summary *out) {
    void *data = (void *)(long)skb->data;
    void *end = (void *)(long)skb->data_end;
    struct iphdr *ip = data + sizeof(struct ethhdr);
    if ((void *)(ip + 1) > end) return -1;
    out->saddr = ip->saddr;
    out->length = bpf_ntohs(ip->tot_len);
    out->protocol = ip->protocol;
    return 0;
}

// Global function: verified independently, with unknown scalar arguments.
__noinline int account_bytes(__u32 saddr, __u32 length) {
    __u64 *total = bpf_map_lookup_elem(&bytes_by_source, &saddr);
    if (total) {
        __sync_fetch_and_add(total, length);
        return 0;
    }
    __u64 first = length;
    return bpf_map_update_elem(&bytes_by_source, &saddr, &first, BPF_ANY);
}

SEC("tc")
int tc_account(struct __sk_buff *skb) {
    struct summary s = {};
    if (ipv4_header_len(skb) == 0) return TC_ACT_OK;
    if (summarise(skb, &s) < 0) return TC_ACT_OK;
    if (s.protocol == IPPROTO_ICMP) return TC_ACT_OK;
    account_bytes(s.saddr, s.length);
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
