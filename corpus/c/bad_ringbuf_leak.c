// SPDX-License-Identifier: Apache-2.0
// UNSAFE. kprobe that reserves a ring-buffer record and, on one path, returns without submitting
// or discarding it: the bug is the leaked reference on the early `return 0`.
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} records SEC(".maps");

SEC("kprobe/vfs_read")
int BPF_KPROBE(read_leak, void *file, void *buf, unsigned long count) {
    __u64 *rec = bpf_ringbuf_reserve(&records, sizeof(*rec), 0);
    if (!rec) return 0;
    if (count == 0) return 0;  // BUG: `rec` is neither submitted nor discarded
    *rec = count;
    bpf_ringbuf_submit(rec, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
