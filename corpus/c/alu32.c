// SPDX-License-Identifier: Apache-2.0
// Socket filter doing 32-bit arithmetic (built with -mcpu=v3, so it uses the 32-bit ALU and
// JMP32 forms): a Jenkins one-at-a-time hash of the IPv4 addresses picks a sampling bucket.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

#define BUCKETS 7

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, BUCKETS);
    __type(key, __u32);
    __type(value, __u32);
} bucket_hits SEC(".maps");

static __always_inline __u32 mix(__u32 hash, __u32 word) {
#pragma unroll
    for (int i = 0; i < 4; i++) {
        hash += (word >> (8 * i)) & 0xff;
        hash += hash << 10;
        hash ^= hash >> 6;
    }
    return hash;
}

SEC("socket")
int sample_by_hash(struct __sk_buff *skb) {
    struct iphdr ip;
    if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) < 0) return 0;
    __u32 hash = mix(mix(0, ip.saddr), ip.daddr);
    hash += hash << 3;
    hash ^= hash >> 11;
    hash += hash << 15;
    __u32 bucket = hash % BUCKETS;
    __u32 divisor = (skb->len & 15) + 1;  // 1..16, a divisor unknown at compile time
    __u32 share = skb->len / divisor;
    __u32 *hits = bpf_map_lookup_elem(&bucket_hits, &bucket);
    if (hits) __sync_fetch_and_add(hits, 1);
    return bucket == 0 ? share : 0;
}

char LICENSE[] SEC("license") = "GPL";
