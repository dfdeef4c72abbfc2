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
static const __u8 ethertype_class[4] = {0, 1, 2, 3};

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
    if (eth->h_proto == bpf_htons(ETH_P_ARP)) cls = 3;
    if (ethertype_class[cls & 3] == 0 && drop_non_ip) {
        __sync_fetch_and_add(&dropped, 1);
        return XDP_DROP;
    }
    if (packets >= next_sample) {
        next_sample = packets + sample_every;
        __sync_fetch_and_add(&sampled, 1);
    }
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
