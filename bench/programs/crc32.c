// SPDX-License-Identifier: Apache-2.0
// bpflab bench: CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) computed bit by bit over
// the first 384 bytes of the frame — eight shift/multiply/xor steps per byte, no table.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_BYTES 384

SEC("xdp")
int crc32(struct xdp_md *ctx) {
    __u8 *data = (void *)(long)ctx->data;
    __u8 *end = (void *)(long)ctx->data_end;
    __u32 crc = 0xffffffff;
#pragma clang loop unroll(disable)
    for (__u32 i = 0; i < MAX_BYTES; i++) {
        if (data + i + 1 > end) break;
        crc ^= data[i];
#pragma clang loop unroll(full)
        for (int b = 0; b < 8; b++) {
            // The low bit selects the polynomial by multiplication: clang would otherwise use
            // a sign mask, which makes the kernel verifier fork a state per bit.
            __u32 bit = crc & 1;
            asm volatile("" : "+r"(bit));
            crc = (crc >> 1) ^ (0xedb88320u * bit);
        }
    }
    return (int)~crc;
}

char LICENSE[] SEC("license") = "GPL";
