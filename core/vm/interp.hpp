// SPDX-License-Identifier: Apache-2.0
// bpflab: the reference interpreter — every access checked, every fault structured.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/program.hpp"
#include "core/vm/maps.hpp"
#include "core/vm/memory.hpp"

namespace bpflab::vm {

/// The concrete input of one run.
struct RunInput {
    /// Packet bytes for packet program types, starting at the Ethernet header. Socket filters
    /// and cgroup skb programs see the packet from the network header, as in the kernel.
    std::vector<std::uint8_t> packet;
    /// Raw context bytes: the whole context for tracing types (pt_regs, tracepoint record,
    /// raw tracepoint arguments); for packet types, initial values of the scalar fields.
    std::vector<std::uint8_t> context;
    /// Conformance-style start: r1 points at `memory` and r2 holds its length (no context).
    bool memory_in_r1 = false;
    std::vector<std::uint8_t> memory;
    /// Kernel memory image for probe_read*: bytes at [probe_base, probe_base + size).
    std::uint64_t probe_base = 0;
    std::vector<std::uint8_t> probe_memory;
    /// Deterministic environment for helpers.
    std::uint64_t seed = 1;
    std::uint64_t ktime_ns = 1'000'000'000;
    std::uint64_t pid_tgid = (std::uint64_t{1234} << 32) | 1234;
    std::uint64_t uid_gid = 0;
    std::string comm = "bpflab";
};

/// The state before one instruction, handed to the trace hook.
struct ConcreteState {
    std::uint32_t pc = 0;                 ///< slot index in the running program
    std::uint32_t program = 0;            ///< index of the running program in the Object
    std::uint32_t frame = 0;              ///< call depth, 0 for the entry function
    const std::uint64_t* regs = nullptr;  ///< r0..r10
    const Tag* tags = nullptr;            ///< provenance of r0..r10
    std::uint16_t init = 0;               ///< bit i: ri has been written
    const AddressSpace* memory = nullptr;
    /// Whether register `r` is initialised.
    [[nodiscard]] bool is_init(int r) const { return (init >> r) & 1; }
};

using TraceHook = std::function<void(const ConcreteState&)>;

struct RunOptions {
    std::uint64_t instruction_budget = 10'000'000;  ///< across tail calls and callbacks
    TraceHook hook;                                 ///< called before every instruction
};

/// What a run produced.
struct RunResult {
    std::uint64_t r0 = 0;
    std::uint64_t instructions = 0;  ///< instructions executed
    std::optional<Fault> fault;
    std::vector<std::uint8_t> packet;       ///< final packet bytes (packet types)
    std::vector<std::string> trace_output;  ///< trace_printk lines
    std::uint64_t redirect = 0;             ///< last redirect target, if any
    std::uint32_t tail_calls = 0;           ///< tail calls taken (at most 33, then they fail)
};

class Engine;  // the predecoded programs and the dispatch loop (interp.cpp)

/// Runs the programs of one Object. Maps persist across runs (they belong to the caller).
class Interpreter {
  public:
    /// `object` and `maps` must outlive the interpreter; maps are indexed as object.maps.
    Interpreter(const Object& object, MapSet& maps);
    ~Interpreter();
    Interpreter(const Interpreter&) = delete;
    Interpreter& operator=(const Interpreter&) = delete;

    /// Runs program `program` (index into object.programs) once on `input`.
    [[nodiscard]] RunResult run(std::size_t program, const RunInput& input,
                                const RunOptions& options = {});
    /// Runs like run() but into `result`, reusing its buffers: repeated runs of one program
    /// on inputs of one size allocate nothing (the benchmarks' and fuzzers' form).
    void run_into(std::size_t program, const RunInput& input, const RunOptions& options,
                  RunResult& result);

  private:
    std::unique_ptr<Engine> engine_;
};

}  // namespace bpflab::vm
