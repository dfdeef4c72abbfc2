// SPDX-License-Identifier: Apache-2.0
// kprobe exercising every atomic read-modify-write on a map value, 32- and 64-bit: add, or, and,
// xor (with and without fetch), exchange and compare-and-exchange (a lock-free maximum).
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct counters {
    __u64 calls;
    __u64 flags;
    __u32 mask;
    __u32 toggles;
    __u64 last_pid;
    __u64 max_size;
    __u32 fetched;
    __u32 calls32;
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct counters);
} state SEC(".maps");

SEC("kprobe/__kmalloc_noprof")
int BPF_KPROBE(kmalloc_atomics, unsigned long size) {
    __u32 key = 0;
    struct counters *c = bpf_map_lookup_elem(&state, &key);
    if (!c) return 0;
    __u64 before = __sync_fetch_and_add(&c->calls, 1);
    __sync_fetch_and_or(&c->flags, 1ULL << (before & 63));
    __u32 old_mask = __sync_fetch_and_and(&c->mask, 0xffff00ffu);
    __sync_fetch_and_xor(&c->toggles, 1);
    __u64 pid = bpf_get_current_pid_tgid();
    __u64 previous = __sync_lock_test_and_set(&c->last_pid, pid);
    __u64 seen = c->max_size;
    if (size > seen) __sync_val_compare_and_swap(&c->max_size, seen, size);
    c->fetched = old_mask ^ (__u32)previous;
    __sync_fetch_and_add(&c->calls32, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
