// SPDX-License-Identifier: Apache-2.0
// XDP using global variables: configuration in .rodata (read-only, set before load), counters in
// .data (initialised) and .bss (zeroed), and a constant lookup table.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

// .rodata: the loader may change these before loading; the verifier sees them as constants.
volatile const __u32 sample_every = 4;
volatile const __u8 drop_non_ip = 0;
// A constant table indexed by a packet byte at run time, so it stays in .rodata.
static const __u8 sample_weight[16] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3};

// .data: initialised, writable.
__u64 next_sample = 1;
// .bss: zero-initialised, writable.
__u64 packets;
__u64 sampled;
__u64 dropped;

SEC("xdp")
int xdp_globals(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    __sync_fetch_and_add(&packets, 1);
    if ((void *)(eth + 1) > end) return XDP_PASS;

    __u32 cls = 0;
    if (eth->h_proto == bpf_htons(ETH_P_IP)) cls = 1;
    if (eth->h_proto == bpf_htons(ETH_P_IPV6)) cls = 2;
    if (cls != 1 && cls != 2 && drop_non_ip) {
        __sync_fetch_and_add(&dropped, 1);
        return XDP_DROP;
    }
    if (packets >= next_sample) {
        next_sample = packets + sample_every * sample_weight[eth->h_source[5] & 15];
        __sync_fetch_and_add(&sampled, 1);
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
