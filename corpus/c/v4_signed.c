// SPDX-License-Identifier: Apache-2.0
// tc built with -mcpu=v4: signed division and modulo, sign-extending moves (casts of narrower
// signed values), sign-extending loads of signed char/short fields, and byte swaps.
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct sample {
    signed char delta;
    __u8 pad;
    short offset;
    int scale;
    long long total;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct sample);
} samples SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __s64);
} results SEC(".maps");

static __always_inline void store(__u32 slot, __s64 value) {
    __s64 *out = bpf_map_lookup_elem(&results, &slot);
    if (out) *out = value;
}

SEC("tc")
int tc_signed(struct __sk_buff *skb) {
    __u32 key = 0;
    struct sample *s = bpf_map_lookup_elem(&samples, &key);
    if (!s) return TC_ACT_OK;
    long long delta = s->delta;    // ldsx byte
    long long offset = s->offset;  // ldsx half
    int scale = s->scale;
    if (scale == 0) scale = 1;
    long long quotient = s->total / scale;  // sdiv (64-bit)
    int remainder = (int)skb->len % scale;  // smod (32-bit)
    signed char low = (signed char)skb->mark;
    short mid = (short)(skb->mark >> 8);
    long long widened = (long long)low + (long long)mid;  // movsx 8 and 16
    long long from_int = (long long)(int)skb->priority;   // movsx 32
    store(0, quotient + delta);
    store(1, remainder + offset);
    store(2, widened + from_int);
    store(3, (__s64)__builtin_bswap64(skb->hash) ^ __builtin_bswap32(skb->len) ^
                 __builtin_bswap16((__u16)skb->protocol));
    return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
