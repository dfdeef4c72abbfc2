// SPDX-License-Identifier: Apache-2.0
// UNSAFE. Two context misuses: tc_write_len stores into skb->len, which programs may only read;
// xdp_ctx_past_end reads a 4-byte word past the last field of struct xdp_md.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int tc_write_len(struct __sk_buff *skb) {
    // BUG: skb->len is read-only.
    skb->len = 0;
    return TC_ACT_OK;
}

SEC("xdp")
int xdp_ctx_past_end(struct xdp_md *ctx) {
    // BUG: offset 64 is past struct xdp_md (six 4-byte fields end at 24); volatile keeps the load.
    __u32 word = *(volatile __u32 *)((char *)ctx + 64);
    return word ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
