// SPDX-License-Identifier: Apache-2.0
// UNSAFE. Socket filter that returns a value computed from a register nothing has written: the
// bug (spelled in inline assembly, since C cannot name an unset register) is the read of r3.
// Note: a privileged loader may read uninitialised *stack* bytes, so the register form is the one
// every loader rejects.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("socket")
int uninit_register(struct __sk_buff *skb) {
    long result;
    asm volatile(
        "r0 = r3\n"  // BUG: r3 was never written
        "r0 += 1\n"
        "%[out] = r0\n"
        : [out] "=r"(result)
        :
        : "r0");
    return result;
}

char LICENSE[] SEC("license") = "GPL";
