// SPDX-License-Identifier: Apache-2.0
// bpflab bench: the empty XDP program (returns XDP_PASS): measures each engine's fixed cost of
// one run — input set-up, entry, exit and result — rather than execution speed.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int nop(struct xdp_md *ctx) {
    (void)ctx;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
