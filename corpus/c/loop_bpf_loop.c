// SPDX-License-Identifier: Apache-2.0
// kprobe using bpf_loop: a callback runs 1000 times over a stack context and folds a histogram
// seeded by the current pid into an array map, and sums the iteration numbers.
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define BUCKETS 8
#define ITERATIONS 1000

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, BUCKETS);
    __type(key, __u32);
    __type(value, __u64);
} histogram SEC(".maps");

struct loop_state {
    __u64 seed;
    __u64 sum;
};

// Called once per iteration with the iteration number; returning 1 would stop the loop early.
static long fold_one(__u32 index, void *data) {
    struct loop_state *state = data;
    state->seed = state->seed * 6364136223846793005ULL + 1442695040888963407ULL;
    __u32 bucket = (state->seed >> 33) % BUCKETS;
    __u64 *slot = bpf_map_lookup_elem(&histogram, &bucket);
    if (slot) __sync_fetch_and_add(slot, 1);
    state->sum += index;
    return 0;
}

SEC("kprobe/do_nanosleep")
int BPF_KPROBE(sleep_histogram) {
    struct loop_state state = {.seed = bpf_get_current_pid_tgid(), .sum = 0};
    bpf_loop(ITERATIONS, fold_one, &state, 0);
    __u32 last = BUCKETS - 1;
    __u64 *slot = bpf_map_lookup_elem(&histogram, &last);
    if (slot) *slot += state.sum & 1;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
