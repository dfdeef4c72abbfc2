// SPDX-License-Identifier: Apache-2.0
// bpflab bench: a parsing loop — Ethernet, up to four VLAN tags, IPv4 with its options walked
// kind by kind, TCP with its options walked likewise, then the payload as a chain of
// type-length-value records; returns a digest of what it saw.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define MAX_VLANS 4
#define MAX_OPTIONS 40
#define MAX_RECORDS 160
#define MAX_OFFSET 1536

struct vlan {
    __be16 tci;
    __be16 proto;
};

/// Bytes an option occupies: 1 for no-op (1) and end (0), else its length byte (a length of 0
/// counts as 256, which ends the walk). Computed without a branch: were the advance chosen by a
/// branch, the kernel verifier would carry two offsets per option and the paths would double
/// at each step.
static __always_inline __u32 option_advance(__u32 kind, __u32 len) {
    __u32 has_len = (kind + 254) >> 8;  // 1 when kind >= 2
    asm volatile("" : "+r"(has_len));   // keep clang from turning the product into a branch
    return 1 + has_len * ((len - 1) & 0xff);
}

SEC("xdp")
int parse_tlv(struct xdp_md *ctx) {
    __u8 *data = (void *)(long)ctx->data;
    __u8 *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = (void *)data;
    if ((void *)(eth + 1) > (void *)end) return 1;
    __u16 proto = eth->h_proto;
    __u32 off = sizeof(*eth);
    __u32 vlans = 0;
#pragma clang loop unroll(disable)
    for (int i = 0; i < MAX_VLANS; i++) {
        if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD)) break;
        struct vlan *v = (void *)(data + off);
        if ((void *)(v + 1) > (void *)end) return 1;
        proto = v->proto;
        off += sizeof(*v);
        vlans++;
    }
    if (proto != bpf_htons(ETH_P_IP)) return 2;
    struct iphdr *ip = (void *)(data + off);
    if ((void *)(ip + 1) > (void *)end || ip->ihl < 5 || ip->protocol != IPPROTO_TCP) return 3;

    // IP options: end (0) stops, no-op (1) is one byte, every other kind carries its length.
    __u32 digest = vlans;
    __u32 opt = off + sizeof(*ip);
    __u32 opt_end = off + ip->ihl * 4;
#pragma clang loop unroll(disable)
    for (int i = 0; i < MAX_OPTIONS; i++) {
        if (opt >= opt_end || opt > MAX_OFFSET) break;
        __u8 *p = data + opt;
        if (p + 2 > end) break;
        __u8 kind = p[0];
        if (kind == 0) break;
        __u32 adv = option_advance(kind, p[1]);
        digest = digest * 31 + kind + (adv << 8);
        opt += adv;
    }
    // Offsets are re-derived from a fresh read of the header after each loop, so the kernel
    // verifier's paths out of a loop (one per iteration) reach the same state and converge.
    __u32 l4 = off + (*(volatile __u8 *)ip & 0x0f) * 4;
    if (l4 > MAX_OFFSET) return 4;
    struct tcphdr *tcp = (void *)(data + l4);
    if ((void *)(tcp + 1) > (void *)end || tcp->doff < 5) return 5;

    // TCP options, the same walk; MSS (2), window scale (3) and timestamps (8) are read.
    opt = l4 + sizeof(*tcp);
    opt_end = l4 + tcp->doff * 4;
    __u32 mss = 0, wscale = 0, tsval = 0;
#pragma clang loop unroll(disable)
    for (int i = 0; i < MAX_OPTIONS; i++) {
        if (opt >= opt_end || opt > MAX_OFFSET) break;
        __u8 *p = data + opt;
        if (p + 10 > end) break;
        __u8 kind = p[0];
        if (kind == 0) break;
        __u32 adv = option_advance(kind, p[1]);
        if (kind == 2) mss = (p[2] << 8) | p[3];
        else if (kind == 3) wscale = p[2];
        else if (kind == 8) tsval = ((__u32)p[2] << 24) | ((__u32)p[3] << 16) | (p[4] << 8) | p[5];
        opt += adv;
    }
    digest ^= mss ^ (wscale << 16) ^ tsval;

    // Payload records: [type][length][length bytes of value]; values of type 7 are summed.
    __u32 rec = l4 + (*(volatile __u8 *)((__u8 *)tcp + 12) >> 4) * 4;
    __u32 records = 0, sum = 0;
#pragma clang loop unroll(disable)
    for (int i = 0; i < MAX_RECORDS; i++) {
        if (rec > MAX_OFFSET) break;
        __u8 *p = data + rec;
        if (p + 4 > end) break;
        __u8 type = p[0];
        __u8 len = p[1];
        if (type == 7) sum += (p[2] << 8) | p[3];
        else if (type == 9) sum ^= p[2];
        else digest = (digest << 5) ^ (digest >> 27) ^ type;
        records++;
        rec += 2 + len;
    }
    return (int)(digest ^ (records << 20) ^ (sum << 4));
}

char LICENSE[] SEC("license") = "GPL";
