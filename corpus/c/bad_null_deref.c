// SPDX-License-Identifier: Apache-2.0
// UNSAFE. kprobe that increments a hash-map counter without checking the lookup result: the bug
// is the dereference of a possibly-NULL map value pointer.
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __type(value, __u64);
} calls_by_pid SEC(".maps");

SEC("kprobe/do_sys_openat2")
int BPF_KPROBE(count_open_unchecked) {
    __u32 pid = bpf_get_current_pid_tgid() >> 32;
    __u64 *count = bpf_map_lookup_elem(&calls_by_pid, &pid);
    // BUG: `count` is NULL when the pid has no entry yet.
    __sync_fetch_and_add(count, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
