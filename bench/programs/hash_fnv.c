// SPDX-License-Identifier: Apache-2.0
// bpflab bench: FNV-1a (64-bit) over the frame, four bytes per step, with a multiply-rotate mix
// of each 32-bit word and a final avalanche; returns the low 32 bits of the digest.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_WORDS 256  // 1024 bytes
#define FNV_PRIME 0x100000001b3ull

static __always_inline __u64 rotl64(__u64 x, int r) { return (x << r) | (x >> (64 - r)); }

SEC("xdp")
int hash_fnv(struct xdp_md *ctx) {
    __u8 *data = (void *)(long)ctx->data;
    __u8 *end = (void *)(long)ctx->data_end;
    __u64 h = 0xcbf29ce484222325ull;
    __u64 m = 0x52dce729ull;
    // One exit per iteration; the state after the loop keeps only scalars, so the kernel
    // verifier's paths out of the loop converge.
#pragma clang loop unroll(disable)
    for (__u32 i = 0; i < MAX_WORDS; i++) {
        __u8 *p = data + i * 4;
        if (p + 4 > end) break;
        h = (h ^ p[0]) * FNV_PRIME;
        h = (h ^ p[1]) * FNV_PRIME;
        h = (h ^ p[2]) * FNV_PRIME;
        h = (h ^ p[3]) * FNV_PRIME;
        m ^= (__u64)*(__u32 *)p * 0x9e3779b97f4a7c15ull;
        m = rotl64(m, 27) * 5 + 0x52dce729;
    }
    m ^= h;
    m ^= m >> 33;
    m *= 0xff51afd7ed558ccdull;
    m ^= m >> 33;
    return (int)(m ^ (m >> 32));
}

char LICENSE[] SEC("license") = "GPL";
