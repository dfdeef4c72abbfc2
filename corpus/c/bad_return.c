// SPDX-License-Identifier: Apache-2.0
// UNSAFE. cgroup_skb ingress program returning 2: ingress programs may only return 0 (drop) or
// 1 (allow); the bug is the `return 2` on the large-packet path.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("cgroup_skb/ingress")
int ingress_bad_verdict(struct __sk_buff *skb) {
    if (skb->len > 1500) return 2;  // BUG: not a valid cgroup_skb verdict
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
