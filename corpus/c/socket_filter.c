// SPDX-License-Identifier: Apache-2.0
// Socket filters on an Ethernet packet socket. dns_filter keeps only UDP datagrams to port 53,
// reading headers with bpf_skb_load_bytes; ipv4_only uses the legacy LD_ABS packet loads.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

// The LLVM intrinsics behind BPF_LD | BPF_ABS | BPF_{B,H,W} (classic socket-filter loads).
unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");

SEC("socket")
int dns_filter(struct __sk_buff *skb) {
    struct ethhdr eth;
    struct iphdr ip;
    struct udphdr udp;
    if (bpf_skb_load_bytes(skb, 0, &eth, sizeof(eth)) < 0) return 0;
    if (eth.h_proto != bpf_htons(ETH_P_IP)) return 0;
    if (bpf_skb_load_bytes(skb, sizeof(eth), &ip, sizeof(ip)) < 0) return 0;
    if (ip.protocol != IPPROTO_UDP || ip.ihl < 5) return 0;
    __u32 l4 = sizeof(eth) + ip.ihl * 4;
    if (bpf_skb_load_bytes(skb, l4, &udp, sizeof(udp)) < 0) return 0;
    if (udp.dest != bpf_htons(53)) return 0;
    return skb->len;  // keep the whole packet
}

SEC("socket")
int ipv4_only(struct __sk_buff *skb) {
    if (load_half(skb, offsetof(struct ethhdr, h_proto)) != ETH_P_IP) return 0;
    __u8 version_ihl = load_byte(skb, ETH_HLEN);
    if ((version_ihl >> 4) != 4) return 0;
    return -1;  // keep everything (truncated to the packet length)
}

char LICENSE[] SEC("license") = "GPL";
