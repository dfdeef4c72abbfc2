// SPDX-License-Identifier: Apache-2.0
// kprobe/kretprobe: report every unlinkat (pid, comm, dfd, time) through a ring buffer, and count
// failed calls per return value in a hash map.
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define COMM_LEN 16

struct unlink_event {
    __u64 time_ns;
    __u32 pid;
    __s32 dfd;
    char comm[COMM_LEN];
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 128);
    __type(key, __s64);
    __type(value, __u64);
} errors SEC(".maps");

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(trace_unlinkat, int dfd, void *name) {
    struct unlink_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e) return 0;
    e->time_ns = bpf_ktime_get_ns();
    e->pid = bpf_get_current_pid_tgid() >> 32;
    e->dfd = dfd;
    bpf_get_current_comm(e->comm, sizeof(e->comm));
    bpf_ringbuf_submit(e, 0);
    return 0;
}

SEC("kretprobe/do_unlinkat")
int BPF_KRETPROBE(trace_unlinkat_ret, long ret) {
    if (ret >= 0) return 0;
    __s64 key = ret;
    __u64 one = 1;
    __u64 *count = bpf_map_lookup_elem(&errors, &key);
    if (count)
        __sync_fetch_and_add(count, 1);
    else
        bpf_map_update_elem(&errors, &key, &one, BPF_NOEXIST);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
