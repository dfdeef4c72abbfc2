// SPDX-License-Identifier: Apache-2.0
// bpflab bench: division-heavy arithmetic — unsigned and signed, 64- and 32-bit division and
// modulo on values read from the packet (divisors may be zero or -1, as the ISA defines them).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_BLOCKS 96

SEC("xdp")
int divmod(struct xdp_md *ctx) {
    __u8 *data = (void *)(long)ctx->data;
    __u8 *end = (void *)(long)ctx->data_end;
    __u64 acc = 0x243f6a8885a308d3ull;
    __u32 acc32 = 0x13198a2e;
#pragma clang loop unroll(disable)
    for (__u32 i = 0; i < MAX_BLOCKS; i++) {
        __u64 *b = (void *)(data + i * 12);
        if ((void *)((__u8 *)b + 12) > (void *)end) break;
        __u64 x = *b;
        __u32 y = *(__u32 *)((__u8 *)b + 8);
        __u64 d = (y >> (x & 7)) | (acc & 0xf0);
        acc += x / (d + 1);
        acc ^= x % (y | 1);
        acc32 += (__u32)x / (y >> 20 | 3);
        acc32 ^= (__u32)(x >> 32) % ((y & 0xffff) + 7);
        __s64 sx = (__s64)(x ^ acc);
        __s64 sd = (__s64)(__s32)y >> (x & 15);
        acc += (__u64)(sx / (sd | 1));
        acc ^= (__u64)(sx % (sd | 5));
        __s32 sx32 = (__s32)(acc32 ^ (__u32)x);
        __s32 sd32 = (__s32)y >> 24;
        acc32 += (__u32)(sx32 / (sd32 | 1));
        acc32 ^= (__u32)(sx32 % (sd32 | 2));
    }
    return (int)((acc ^ (acc >> 32)) ^ acc32);
}

char LICENSE[] SEC("license") = "GPL";
