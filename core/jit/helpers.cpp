// SPDX-License-Identifier: Apache-2.0
// bpflab: the JIT's helper bridge — SysV functions generated code calls, over the emulated
// maps and the run's address space (the interpreter's semantics, deterministic, one CPU).
#include <linux/bpf.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/jit/runtime.hpp"
#include "core/vm/helper_math.hpp"

namespace bpflab::jit {
namespace {

using U = std::uint64_t;
constexpr std::int64_t kEFAULT = 14;
constexpr U kMaxLoops = 1u << 23;

JitRun& run_of(JitState* s) {
    return *static_cast<JitRun*>(s->run);
}
vm::Map& map_of(U r) {
    return *reinterpret_cast<vm::Map*>(r);
}
U neg(std::int64_t e) {
    return static_cast<U>(-e);
}

/// Checked mode: `size` bytes at `p` must lie in one region; the fault becomes a helper
/// argument fault. Unchecked mode trusts the verifier.
bool arg_mem(JitState* s, U p, U size, bool write, const char* what) {
    JitRun& run = run_of(s);
    if (!run.checked || size == 0) return true;
    if (size > (1u << 30) || !run.check(p, static_cast<std::uint32_t>(size), write, s->pc)) {
        run.fault.kind = vm::FaultKind::HelperArgument;
        run.fault.message = std::string(what) + ": bad memory argument: " + run.fault.message;
        s->stop = static_cast<std::uint32_t>(Stop::Fault);
        return false;
    }
    return true;
}

/// Checked mode: `r` must be the address of one of the run's maps.
bool arg_map(JitState* s, U r, const char* what) {
    JitRun& run = run_of(s);
    if (!run.checked) return true;
    for (std::size_t i = 0; i < run.maps->size(); ++i)
        if (reinterpret_cast<U>(&run.maps->at(i)) == r) return true;
    run.raise(vm::FaultKind::HelperArgument, std::string(what) + ": r1 is not a map");
    return false;
}

U map_lookup(U r1, U r2, U, U, U, JitState* s) {
    if (!arg_map(s, r1, "map_lookup_elem")) return 0;
    vm::Map& m = map_of(r1);
    if (!arg_mem(s, r2, m.def().key_size, false, "map_lookup_elem")) return 0;
    return reinterpret_cast<U>(m.lookup(reinterpret_cast<const std::uint8_t*>(r2)));
}

U map_update(U r1, U r2, U r3, U r4, U, JitState* s) {
    if (!arg_map(s, r1, "map_update_elem")) return 0;
    vm::Map& m = map_of(r1);
    if (!arg_mem(s, r2, m.def().key_size, false, "map_update_elem") ||
        !arg_mem(s, r3, m.def().value_size, false, "map_update_elem"))
        return 0;
    return static_cast<U>(m.update(reinterpret_cast<const std::uint8_t*>(r2),
                                   reinterpret_cast<const std::uint8_t*>(r3), r4));
}

U map_delete(U r1, U r2, U, U, U, JitState* s) {
    if (!arg_map(s, r1, "map_delete_elem")) return 0;
    vm::Map& m = map_of(r1);
    if (!arg_mem(s, r2, m.def().key_size, false, "map_delete_elem")) return 0;
    return static_cast<U>(m.erase(reinterpret_cast<const std::uint8_t*>(r2)));
}

// The interpreter's clock advances with the instructions it executed. Counting code knows
// that number (the call ends its block, so it is included), and reads the same clock; code
// that does not count advances its clock by one nanosecond per reading.
U ktime(U, U, U, U, U, JitState* s) {
    JitRun& run = run_of(s);
    if (s->insn_limit != 0) return run.input->ktime_ns + (s->insn_limit - s->insn_left);
    return run.input->ktime_ns + ++run.clock_calls;
}

U jiffies(U, U, U, U, U, JitState* s) {
    return run_of(s).input->ktime_ns / 4'000'000;
}

U prandom(U, U, U, U, U, JitState* s) {
    // Seeded like the interpreter's, so both engines draw the same numbers.
    return static_cast<std::uint32_t>(vm::splitmix(run_of(s).rng));
}

U zero(U, U, U, U, U, JitState*) {
    return 0;
}
U pid_tgid(U, U, U, U, U, JitState* s) {
    return run_of(s).input->pid_tgid;
}
U uid_gid(U, U, U, U, U, JitState* s) {
    return run_of(s).input->uid_gid;
}

U current_comm(U r1, U r2, U, U, U, JitState* s) {
    if (r2 == 0 || !arg_mem(s, r1, r2, true, "get_current_comm")) return 0;
    const std::string& comm = run_of(s).input->comm;
    auto* buf = reinterpret_cast<std::uint8_t*>(r1);
    std::memset(buf, 0, r2);
    std::memcpy(buf, comm.data(), std::min<std::size_t>(comm.size(), r2 - 1));
    return 0;
}

U trace_printk(U r1, U r2, U r3, U r4, U r5, JitState* s) {
    if (!arg_mem(s, r1, r2, false, "trace_printk")) return 0;
    std::string fmt(reinterpret_cast<const char*>(r1), r2);
    fmt = fmt.substr(0, fmt.find('\0'));
    const U args[3] = {r3, r4, r5};
    auto& lines = run_of(s).result->trace_output;
    lines.push_back(vm::format_trace(fmt, args, 3));
    return lines.back().size();
}

U probe_read(U r1, U r2, U r3, U, U, JitState* s, bool str) {
    if (!arg_mem(s, r1, r2, true, "probe_read")) return 0;
    if (r2 == 0) return 0;
    const auto& img = run_of(s).input->probe_memory;
    const U base = run_of(s).input->probe_base;
    auto* dst = reinterpret_cast<std::uint8_t*>(r1);
    if (r3 < base || r3 - base >= img.size() || (!str && img.size() - (r3 - base) < r2)) {
        std::memset(dst, 0, r2);
        return neg(kEFAULT);
    }
    const std::uint8_t* src = img.data() + (r3 - base);
    if (!str) {
        std::memcpy(dst, src, r2);
        return 0;
    }
    const std::size_t avail = img.size() - (r3 - base);
    std::size_t n = 0;
    while (n + 1 < r2 && n < avail && src[n] != 0) ++n;
    std::memcpy(dst, src, n);
    dst[n] = 0;
    return n + 1;
}
U probe_read_mem(U r1, U r2, U r3, U r4, U r5, JitState* s) {
    (void)r4;
    (void)r5;
    return probe_read(r1, r2, r3, 0, 0, s, false);
}
U probe_read_str(U r1, U r2, U r3, U r4, U r5, JitState* s) {
    (void)r4;
    (void)r5;
    return probe_read(r1, r2, r3, 0, 0, s, true);
}

U ringbuf_reserve(U r1, U r2, U r3, U, U, JitState* s) {
    if (!arg_map(s, r1, "ringbuf_reserve")) return 0;
    if (r3 != 0) return 0;
    return reinterpret_cast<U>(map_of(r1).ringbuf_reserve(r2));
}

U ringbuf_commit(U r1, JitState* s, bool submit) {
    JitRun& run = run_of(s);
    for (std::size_t i = 0; i < run.maps->size(); ++i) {
        vm::Map& m = run.maps->at(i);
        if (m.is_ringbuf() && m.ringbuf_commit(reinterpret_cast<const std::uint8_t*>(r1), submit))
            return 0;
    }
    run.raise(vm::FaultKind::HelperArgument, "ringbuf_submit/discard: r1 is not a reserved record");
    return 0;
}
U ringbuf_submit(U r1, U, U, U, U, JitState* s) {
    return ringbuf_commit(r1, s, true);
}
U ringbuf_discard(U r1, U, U, U, U, JitState* s) {
    return ringbuf_commit(r1, s, false);
}

U ringbuf_output(U r1, U r2, U r3, U, U, JitState* s) {
    if (!arg_map(s, r1, "ringbuf_output") || !arg_mem(s, r2, r3, false, "ringbuf_output")) return 0;
    return static_cast<U>(
        map_of(r1).ringbuf_output({reinterpret_cast<const std::uint8_t*>(r2), r3}));
}
U ringbuf_query(U r1, U, U, U, U, JitState*) {
    return map_of(r1).ringbuf_records().size();
}

U skb_load_bytes(U, U r2, U r3, U r4, U, JitState* s) {
    if (!arg_mem(s, r3, r4, true, "skb_load_bytes")) return 0;
    const vm::AddressSpace& mem = *run_of(s).mem;
    const auto len = static_cast<U>(mem.data_end() - mem.data());
    auto* to = reinterpret_cast<std::uint8_t*>(r3);
    if (r2 > len || len - r2 < r4) {
        std::memset(to, 0, r4);
        return neg(kEFAULT);
    }
    std::memcpy(to, mem.data() + r2, r4);
    return 0;
}

U skb_store_bytes(U, U r2, U r3, U r4, U r5, JitState* s) {
    if (!arg_mem(s, r3, r4, false, "skb_store_bytes")) return 0;
    JitRun& run = run_of(s);
    const auto len = static_cast<U>(run.mem->data_end() - run.mem->data());
    if ((r5 & ~U{BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH}) != 0) return neg(vm::kEINVAL);
    if (r2 > len || len - r2 < r4) return neg(kEFAULT);
    std::memmove(run.mem->data() + r2, reinterpret_cast<const std::uint8_t*>(r3), r4);
    return 0;
}

// l3_csum_replace / l4_csum_replace: update the 16-bit checksum at packet offset r2 for a field
// changing from r3 to r4 (flags r5: field size 2 or 4, or 0 with r3 = 0 for a precomputed
// difference in r4). l4 also accepts the pseudo-header and mangled-zero flags: with
// BPF_F_MARK_MANGLED_0 a zero checksum (UDP "none") is left alone and a result of zero is
// stored as 0xffff. The same rules as the interpreter's, flag for flag.
U csum_replace(U r2, U r3, U r4, U r5, JitState* s, bool l4) {
    JitRun& run = run_of(s);
    const auto len = static_cast<U>(run.mem->data_end() - run.mem->data());
    const U allowed = BPF_F_HDR_FIELD_MASK |
                      (l4 ? U{BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE} : 0);
    if ((r5 & ~allowed) != 0) return neg(vm::kEINVAL);
    if (r2 > 0xffff || (!l4 && (r2 & 1) != 0) || r2 + 2 > len) return neg(kEFAULT);
    std::uint8_t* ptr = run.mem->data() + r2;
    std::uint16_t sum = 0;
    std::memcpy(&sum, ptr, 2);
    const bool mangled0 = l4 && (r5 & BPF_F_MARK_MANGLED_0) != 0;
    if (mangled0 && sum == 0) return 0;
    switch (r5 & BPF_F_HDR_FIELD_MASK) {
        case 0:
            if (r3 != 0) return neg(vm::kEINVAL);
            sum = vm::csum_fold(vm::csum_add(static_cast<std::uint32_t>(r4), ~std::uint32_t{sum}));
            break;
        case 2:
            sum = vm::csum_replace2(sum, static_cast<std::uint16_t>(r3),
                                    static_cast<std::uint16_t>(r4));
            break;
        case 4:
            sum = vm::csum_fold(
                vm::csum_add(vm::csum_add(~std::uint32_t{sum}, ~static_cast<std::uint32_t>(r3)),
                             static_cast<std::uint32_t>(r4)));
            break;
        default:
            return neg(vm::kEINVAL);
    }
    if (mangled0 && sum == 0) sum = 0xffff;
    std::memcpy(ptr, &sum, 2);
    return 0;
}
U l3_csum_replace(U, U r2, U r3, U r4, U r5, JitState* s) {
    return csum_replace(r2, r3, r4, r5, s, false);
}
U l4_csum_replace(U, U r2, U r3, U r4, U r5, JitState* s) {
    return csum_replace(r2, r3, r4, r5, s, true);
}

U xdp_adjust(U r2, JitState* s, int which) {
    JitRun& run = run_of(s);
    const auto delta = static_cast<std::int64_t>(static_cast<std::int32_t>(r2));
    const bool ok = which == 0   ? run.mem->adjust_head(delta)
                    : which == 1 ? run.mem->adjust_meta(delta)
                                 : run.mem->adjust_tail(delta);
    run.refresh_packet();
    return ok ? 0 : neg(vm::kEINVAL);
}
U adjust_head(U, U r2, U, U, U, JitState* s) {
    return xdp_adjust(r2, s, 0);
}
U adjust_meta(U, U r2, U, U, U, JitState* s) {
    return xdp_adjust(r2, s, 1);
}
U adjust_tail(U, U r2, U, U, U, JitState* s) {
    return xdp_adjust(r2, s, 2);
}

U redirect(U r1, U, U, U, U, JitState* s) {
    JitRun& run = run_of(s);
    run.result->redirect = r1;
    const ProgramTypeInfo* t = run.mem->type();
    return t != nullptr && t->prog_type == BPF_PROG_TYPE_XDP ? XDP_REDIRECT : 7;  // TC_ACT_REDIRECT
}
U redirect_map(U, U r2, U, U, U, JitState* s) {
    run_of(s).result->redirect = r2;
    return XDP_REDIRECT;
}

U tail_call(U, U r2, U r3, U, U, JitState* s) {
    JitRun& run = run_of(s);
    if (!arg_map(s, r2, "tail_call")) return 0;
    vm::Map& m = map_of(r2);
    if (m.def().type != BPF_MAP_TYPE_PROG_ARRAY) {
        run.raise(vm::FaultKind::HelperArgument, "tail_call: r2 is not a program array");
        return 0;
    }
    const auto idx = static_cast<std::uint32_t>(r3);
    if (idx >= m.def().max_entries || run.tail_calls >= 33) return neg(vm::kENOENT);
    const std::uint8_t* v = m.lookup(reinterpret_cast<const std::uint8_t*>(&idx));
    std::uint32_t prog = 0;
    if (v != nullptr) std::memcpy(&prog, v, 4);
    if (prog == 0 || prog > run.object->programs.size()) return neg(vm::kENOENT);
    if (s->depth != 0) {
        run.raise(vm::FaultKind::Unsupported, "tail call from a subprogram is not emulated");
        return 0;
    }
    ++run.tail_calls;
    run.pending_tail = prog - 1;
    s->stop = static_cast<std::uint32_t>(Stop::TailCall);
    return 0;
}

U bpf_loop(U r1, U r2, U r3, U r4, U, JitState* s) {
    if (r1 > kMaxLoops) return neg(vm::kE2BIG);
    if (r4 != 0) return neg(vm::kEINVAL);
    JitRun& run = run_of(s);
    U i = 0;
    while (i < r1) {
        const U r0 = run.call_callback(reinterpret_cast<const void*>(r2), i, r3);
        if (s->stop != 0) return 0;
        ++i;
        if (r0 != 0) break;
    }
    return i;
}

struct Entry {
    std::int32_t id;
    HelperFn fn;
};

constexpr Entry kHelpers[] = {
    {BPF_FUNC_map_lookup_elem, map_lookup},
    {BPF_FUNC_map_update_elem, map_update},
    {BPF_FUNC_map_delete_elem, map_delete},
    {BPF_FUNC_probe_read, probe_read_mem},
    {BPF_FUNC_ktime_get_ns, ktime},
    {BPF_FUNC_trace_printk, trace_printk},
    {BPF_FUNC_get_prandom_u32, prandom},
    {BPF_FUNC_get_smp_processor_id, zero},
    {BPF_FUNC_tail_call, tail_call},
    {BPF_FUNC_get_current_pid_tgid, pid_tgid},
    {BPF_FUNC_get_current_uid_gid, uid_gid},
    {BPF_FUNC_get_current_comm, current_comm},
    {BPF_FUNC_redirect, redirect},
    {BPF_FUNC_skb_store_bytes, skb_store_bytes},
    {BPF_FUNC_l3_csum_replace, l3_csum_replace},
    {BPF_FUNC_l4_csum_replace, l4_csum_replace},
    {BPF_FUNC_skb_load_bytes, skb_load_bytes},
    {BPF_FUNC_get_numa_node_id, zero},
    {BPF_FUNC_xdp_adjust_head, adjust_head},
    {BPF_FUNC_probe_read_str, probe_read_str},
    {BPF_FUNC_redirect_map, redirect_map},
    {BPF_FUNC_xdp_adjust_meta, adjust_meta},
    {BPF_FUNC_xdp_adjust_tail, adjust_tail},
    {BPF_FUNC_probe_read_user, probe_read_mem},
    {BPF_FUNC_probe_read_kernel, probe_read_mem},
    {BPF_FUNC_probe_read_user_str, probe_read_str},
    {BPF_FUNC_probe_read_kernel_str, probe_read_str},
    {BPF_FUNC_ktime_get_boot_ns, ktime},
    {BPF_FUNC_ringbuf_output, ringbuf_output},
    {BPF_FUNC_ringbuf_reserve, ringbuf_reserve},
    {BPF_FUNC_ringbuf_submit, ringbuf_submit},
    {BPF_FUNC_ringbuf_discard, ringbuf_discard},
    {BPF_FUNC_ringbuf_query, ringbuf_query},
    {BPF_FUNC_jiffies64, jiffies},
    {BPF_FUNC_ktime_get_coarse_ns, ktime},
    {BPF_FUNC_loop, bpf_loop},
    {BPF_FUNC_ktime_get_tai_ns, ktime},
};

}  // namespace

HelperFn find_helper(std::int32_t id) {
    for (const Entry& e : kHelpers)
        if (e.id == id) return e.fn;
    return nullptr;
}

}  // namespace bpflab::jit
