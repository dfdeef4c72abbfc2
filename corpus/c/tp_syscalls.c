// SPDX-License-Identifier: Apache-2.0
// tracepoint: sum the bytes each process asks write(2) to write, in a per-CPU hash keyed by tgid,
// and the calls per file descriptor in a per-CPU array.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// Layout of /sys/kernel/tracing/events/syscalls/sys_enter_write/format.
struct sys_enter_write_args {
    __u64 common;  // common_type, common_flags, common_preempt_count, common_pid
    __s32 syscall_nr;
    __u32 pad;
    __u64 fd;
    __u64 buf;
    __u64 count;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
    __uint(max_entries, 4096);
    __type(key, __u32);
    __type(value, __u64);
} bytes_by_tgid SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} calls_by_fd SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_write")
int count_write(struct sys_enter_write_args *args) {
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    __u64 *bytes = bpf_map_lookup_elem(&bytes_by_tgid, &tgid);
    if (bytes) {
        *bytes += args->count;  // per-CPU value: no atomic needed
    } else {
        __u64 first = args->count;
        bpf_map_update_elem(&bytes_by_tgid, &tgid, &first, BPF_ANY);
    }
    __u32 fd = args->fd;
    if (fd < 16) {
        __u64 *calls = bpf_map_lookup_elem(&calls_by_fd, &fd);
        if (calls) *calls += 1;
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
