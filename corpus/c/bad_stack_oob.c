// SPDX-License-Identifier: Apache-2.0
// UNSAFE. Socket filter that writes to a 16-byte stack buffer at an index taken from the packet
// length, masked to 0..31: the bug is that the mask allows writes up to 16 bytes past the buffer,
// which on the stack means past the top of the frame.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int stack_oob(struct __sk_buff *skb) {
    volatile char buffer[16];
    buffer[0] = 0;
    __u32 index = skb->len & 31;  // BUG: should be & 15
    asm volatile("" : "+r"(index));
    buffer[index] = 1;
    return buffer[0];
}

char LICENSE[] SEC("license") = "GPL";
