// SPDX-License-Identifier: Apache-2.0
// bpflab: the x86-64 JIT — compile a program of an Object, run it like the interpreter does.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/program.hpp"
#include "core/vm/interp.hpp"

namespace bpflab::jit {

struct JitOptions {
    /// Every load, store and atomic calls a bounds check against the regions of the run
    /// (stack frames, context, packet, memory image, map values, ring buffer records); a
    /// violation ends the run with a structured fault instead of touching the memory.
    bool checked = false;
    /// Count executed instructions into RunResult::instructions (an add per basic block).
    /// Checked mode always counts; the trusted fast path counts only when this is set.
    bool count_instructions = false;
    /// Checked mode: a run that would execute more instructions than this ends with an
    /// InstructionBudget fault at the instruction that exceeds it, like the interpreter.
    std::uint64_t instruction_budget = 10'000'000;
};

/// Where the x86 code of one eBPF instruction starts.
struct BlockStart {
    std::uint32_t pc = 0;      ///< eBPF slot
    std::uint32_t offset = 0;  ///< byte offset in code()
};

/// A compiled program. The code is mapped writable while it is emitted, then read+execute
/// (never both). Maps are the caller's and persist across runs, as with the interpreter.
class JitProgram {
  public:
    /// Compiles program `program` of `object` (and, when it tail-calls, the object's other
    /// programs). `object` and `maps` must outlive the result. Errors name the instruction and
    /// the reason (an unsupported helper by name, gotox, kfuncs, arena casts, ...).
    [[nodiscard]] static Expected<JitProgram> compile(const Object& object, std::size_t program,
                                                      vm::MapSet& maps, JitOptions options = {});
    JitProgram(JitProgram&&) noexcept;
    JitProgram& operator=(JitProgram&&) noexcept;
    ~JitProgram();

    /// Runs once on `input`; the result has the interpreter's shape (r0, fault, packet, ...);
    /// `instructions` is counted in checked mode or with count_instructions, else 0.
    [[nodiscard]] vm::RunResult run(const vm::RunInput& input);
    /// Runs like run() but into `result`, reusing its buffers: repeated runs on inputs of one
    /// size allocate nothing.
    void run_into(const vm::RunInput& input, vm::RunResult& result);

    /// Bytes of x86 code of the compiled program (the entry program, without tail-call targets).
    [[nodiscard]] std::size_t code_size() const;
    [[nodiscard]] std::span<const std::uint8_t> code() const;
    /// Wall-clock seconds compile() took (all programs it compiled).
    [[nodiscard]] double compile_seconds() const;
    /// Start of each eBPF instruction's code, in pc order.
    [[nodiscard]] const std::vector<BlockStart>& block_starts() const;
    [[nodiscard]] bool checked() const;

    struct Impl;

  private:
    explicit JitProgram(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// The x86 code of `program` as text (Capstone, AT&T-free Intel syntax), each eBPF
/// instruction's block headed by its slot and its eBPF text.
[[nodiscard]] std::string disassemble_x86(const JitProgram& jit, const Program& program);

}  // namespace bpflab::jit
