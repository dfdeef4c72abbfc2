// SPDX-License-Identifier: Apache-2.0
// bpflab: the JIT's run-time state, shared by generated code (fixed offsets) and C++ helpers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "core/vm/interp.hpp"

namespace bpflab::jit {

/// Why generated code left early.
enum class Stop : std::uint32_t {
    None = 0,
    Fault = 1,     ///< a structured fault is in JitRun::fault
    TailCall = 2,  ///< bpf_tail_call succeeded: run JitRun::pending_tail next
    ExitZero = 3,  ///< a legacy packet load fell outside the packet: the program returns 0
};

/// The part of the run state generated code reads and writes; r12 points here during a run.
/// Standard layout, so the emitters address fields with offsetof.
struct JitState {
    std::uint64_t saved_rsp = 0;  ///< native stack of the innermost entry (for early exits)
    std::uint32_t stop = 0;       ///< a Stop value; nonzero after a helper means "leave"
    std::uint32_t depth = 0;      ///< current call depth, 0 for the entry function
    std::uint32_t pc = 0;         ///< slot of the helper call in progress (for fault reports)
    std::uint32_t pad = 0;
    std::uint64_t may_goto = 0;   ///< may_goto iterations left
    /// Host addresses of the context fields data, data_end, data_meta (~0 when absent): a
    /// 4-byte load from one of them yields the 64-bit pointer in field_value instead.
    std::uint64_t field_addr[3] = {~0ull, ~0ull, ~0ull};
    std::uint64_t field_value[3] = {};
    /// uint64_t entry(JitState*, const void* target, uint64_t r1, uint64_t r2, uint64_t fp):
    /// the generated trampoline (callbacks re-enter generated code through it).
    const void* entry = nullptr;
    void* run = nullptr;  ///< the owning JitRun
    /// Instruction counting (checked mode or JitOptions::count_instructions): each basic block
    /// subtracts its length from insn_left on entry; insn_limit is the start value, 0 when the
    /// code does not count. Executed instructions = insn_limit - insn_left.
    std::uint64_t insn_left = 0;
    std::uint64_t insn_limit = 0;
};
static_assert(std::is_standard_layout_v<JitState>);

using EntryFn = std::uint64_t (*)(JitState*, const void*, std::uint64_t, std::uint64_t,
                                  std::uint64_t);
/// A helper as generated code calls it: r1..r5 in the SysV argument registers, then the state.
using HelperFn = std::uint64_t (*)(std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t,
                                   std::uint64_t, JitState*);

/// Everything one run needs beyond the generated code.
struct JitRun {
    JitState state;
    const Object* object = nullptr;
    vm::MapSet* maps = nullptr;
    vm::AddressSpace* mem = nullptr;
    const vm::RunInput* input = nullptr;
    vm::RunResult* result = nullptr;
    bool checked = false;
    vm::Fault fault;
    std::uint64_t rng = 0;
    std::uint64_t clock_calls = 0;
    std::int64_t pending_tail = -1;
    std::uint32_t tail_calls = 0;

    /// Records a fault at the current helper pc and asks generated code to leave.
    void raise(vm::FaultKind kind, std::string message);
    /// Whether [addr, addr + size) lies in one region this run allows (writable if `write`);
    /// on failure records an OutOfBounds / InvalidPointer / ReadOnly fault at `pc`.
    bool check(std::uint64_t addr, std::uint32_t size, bool write, std::uint32_t pc);
    /// Copies the packet pointers from the address space into the state (after helpers).
    void refresh_packet();
    /// Runs generated code at `target` in a fresh frame at depth+1 (bpf_loop callbacks);
    /// returns r0, or nothing useful when state.stop is set afterwards.
    std::uint64_t call_callback(const void* target, std::uint64_t r1, std::uint64_t r2);
};

/// The bridge function of helper `id`, or nullptr when the JIT does not provide it.
[[nodiscard]] HelperFn find_helper(std::int32_t id);

/// Called by generated code in checked mode. `meta` = pc << 8 | write << 7 | size.
bool jit_check(JitState* s, std::uint64_t addr, std::uint32_t meta);
/// Called by generated code when a local call would exceed 8 frames.
void jit_call_depth_fault(JitState* s, std::uint32_t pc);
/// LD_ABS / LD_IND: r0 = ntoh(packet[off, off + size)); outside the packet: Stop::ExitZero.
std::uint64_t jit_ld_packet(JitState* s, std::int64_t off, std::uint32_t size);

}  // namespace bpflab::jit
