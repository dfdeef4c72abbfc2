// SPDX-License-Identifier: Apache-2.0
// bpflab bench: the Internet checksum (RFC 1071) of an IPv4 frame — the IP header's own sum and
// the TCP/UDP sum over the pseudo-header and the whole segment, word by word with end folding.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define MAX_SEGMENT_WORDS 760

static __always_inline __u32 fold(__u64 sum) {
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (__u32)sum & 0xffff;
}

SEC("xdp")
int inet_csum(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) return 1;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->ihl < 5) return 2;
    __u32 hlen = ip->ihl * 4;

    // The header sum: 10 to 30 words, the stored checksum included (a valid header sums to 0).
    __u16 *hw = (void *)ip;
    __u64 hsum = 0;
#pragma clang loop unroll(disable)
    for (__u32 i = 0; i < 30; i++) {
        if (i * 2 >= hlen || (void *)(hw + i + 1) > end) break;
        hsum += hw[i];
    }
    __u32 header_ok = fold(hsum) == 0xffff;

    // The segment sum, with the pseudo-header (addresses, protocol, length).
    __u8 *seg = (__u8 *)ip + hlen;
    __u64 sum = (ip->saddr >> 16) + (ip->saddr & 0xffff) + (ip->daddr >> 16) +
                (ip->daddr & 0xffff) + bpf_htons(ip->protocol);
    __u32 seglen = 0;
    __u16 *sw = (void *)seg;
#pragma clang loop unroll(disable)
    for (__u32 i = 0; i < MAX_SEGMENT_WORDS; i++) {
        if ((void *)(sw + i + 1) > end) break;
        sum += sw[i];
        seglen += 2;
    }
    __u8 *tail = seg + seglen;
    if ((void *)(tail + 1) <= end) {  // an odd trailing byte, padded with zero
        sum += *tail;
        seglen += 1;
    }
    sum += bpf_htons((__u16)seglen);
    return (int)((header_ok << 16) | fold(sum));
}

char LICENSE[] SEC("license") = "GPL";
