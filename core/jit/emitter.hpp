// SPDX-License-Identifier: Apache-2.0
// bpflab: the JIT's emitters — one member per instruction family, over Xbyak's encoder.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <xbyak/xbyak.h>

#include "core/isa.hpp"
#include "core/jit/regs.hpp"
#include "core/jit/runtime.hpp"
#include "core/platform.hpp"
#include "core/program.hpp"
#include "core/vm/maps.hpp"

namespace bpflab::jit {

/// A reason the program cannot be compiled, at slot `pc`.
struct CompileError : std::runtime_error {
    CompileError(std::uint32_t at, const std::string& what) : std::runtime_error(what), pc(at) {}
    std::uint32_t pc;
};

/// Code memory under write-xor-execute: mmap'ed read+write for emission, then sealed
/// read+execute with mprotect. Xbyak never changes protections (useProtect() is false).
class WxAllocator : public Xbyak::Allocator {
  public:
    std::uint8_t* alloc(std::size_t size) override;
    void free(std::uint8_t* p) override;
    [[nodiscard]] bool useProtect() const override { return false; }
    /// Makes the mapping read+execute (and no longer writable); false if mprotect fails.
    bool seal();

  private:
    std::uint8_t* base_ = nullptr;
    std::size_t size_ = 0;
};

/// What the emitters need to know about the program being compiled.
struct EmitContext {
    const Program* program = nullptr;
    vm::MapSet* maps = nullptr;
    const ProgramTypeInfo* type = nullptr;  ///< nullptr: no context field rewriting
    bool checked = false;
    /// Each basic block subtracts its length from JitState::insn_left on entry (checked mode
    /// also faults when that borrows: the instruction budget).
    bool counting = false;
    /// Counting: by slot, how many instructions of its block follow it (a fault in the middle
    /// of a block gives them back, so the count stays the interpreter's).
    const std::uint32_t* rest = nullptr;
    /// By slot, the registers that may hold a context pointer (may_hold_context); a 4-byte
    /// load through any other register needs no context field test. nullptr: test them all.
    const std::uint16_t* may_ctx = nullptr;
};

/// Basic blocks for instruction counting: for each instruction index, the length of the block
/// it starts, or 0 when it is not a leader. Leaders: the entry, jump, call and callback
/// targets, and every instruction after a jump, exit, call or legacy packet load (calls and
/// LD_ABS/LD_IND may end the run or re-enter other code, so they end their block).
[[nodiscard]] std::vector<std::uint32_t> block_lengths(const Code& code);

/// Emits one program: the entry trampoline, the shared exits, then each instruction.
class Emitter : public Xbyak::CodeGenerator {
  public:
    Emitter(std::size_t capacity, Xbyak::Allocator* allocator, const EmitContext& ctx);

    /// Emits the trampoline and the shared exit and fault stubs (before any instruction).
    void prologue();
    /// Binds the label of slot `pc` here (call once per instruction, in order).
    void bind(std::uint32_t pc);
    /// Counting: the block of `length` instructions starting at instruction index `first`
    /// begins here (call right after bind()).
    void count_block(std::uint32_t length, std::uint32_t first);
    /// Emits the cold budget-fault stubs and resolves labels; afterwards getCode() + entry_offset()
    /// is the EntryFn.
    void finish();
    [[nodiscard]] std::size_t body_offset(std::uint32_t pc) const { return offsets_.at(pc); }

    // ---- one emitter per family (emit_alu.cpp, emit_jump.cpp, emit_mem.cpp) ----
    void alu(const Alu& a);
    void endian(const Endian& e);
    void ldimm64(const LdImm64& l, std::uint32_t pc);
    void cond_jump(const Jmp& j, std::uint32_t pc);
    void jump(const Ja& j, std::uint32_t pc);
    void may_goto(const MayGoto& m, std::uint32_t pc);
    void call(const Call& c, std::uint32_t pc);
    void exit();
    void load(const Load& l, std::uint32_t pc);
    void store(const Store& s, std::uint32_t pc);
    void atomic(const Atomic& a, std::uint32_t pc);
    void ld_packet(const LdPacket& p, std::uint32_t pc);

    /// Whether the program calls bpf_tail_call (its targets must be compiled too).
    [[nodiscard]] bool uses_tail_call() const { return tail_call_; }

  private:
    // ALU pieces (emit_alu.cpp).
    void shift(const Alu& a);
    void divmod(const Alu& a);
    void movsx_alu(const Alu& a);
    // Memory pieces (emit_mem.cpp).
    void check_access(Reg base, std::int16_t off, int size, bool write, std::uint32_t pc);
    void load_ctx_field(const Load& l);
    void atomic_fetch_loop(const Atomic& a);
    // Calls (emit_jump.cpp).
    void call_native(const void* fn);
    void leave_if_stopped();
    [[nodiscard]] Xbyak::Label& label_at(std::int64_t pc, std::uint32_t from);
    // Counting (translate.cpp).
    struct BudgetStub;
    /// The cold copy of a block the budget does not cover (checked mode, length > 1).
    void slow_block(BudgetStub& stub);

    /// Checked mode: where a block that would exceed the budget goes.
    struct BudgetStub {
        Xbyak::Label label;  ///< restores insn_left and faults
        Xbyak::Label slow;   ///< the block again, one budget check per instruction
        std::uint32_t length = 0;
        std::uint32_t first = 0;
    };

    EmitContext ctx_;
    std::deque<BudgetStub> budget_stubs_;  ///< a deque: labels must not move
    Xbyak::Label budget_fault_, check_failed_;
    std::unique_ptr<Xbyak::Label[]> labels_;
    std::vector<std::size_t> offsets_;
    Xbyak::Label stop_exit_, out_, check_stub_, depth_fault_;
    bool tail_call_ = false;
};

/// Emits instruction `insn` at slot `pc` with the emitter of its family. Every alternative of
/// Instruction has a case: a new one is a compile error here.
void translate(Emitter& e, const Instruction& insn, std::uint32_t pc);

/// Called by generated code when the block starting at instruction `first` would exceed the
/// instruction budget (insn_left holds what the budget still allows): faults like the
/// interpreter, at the instruction that exceeds it; `pcs` is Code::pc.
void jit_budget_fault(JitState* s, std::uint32_t first, const std::uint32_t* pcs);
/// Called by generated code after a checked access faulted mid-block: gives back the
/// instructions of the block that did not run (`rest` as in EmitContext).
void jit_uncount(JitState* s, const std::uint32_t* rest);

}  // namespace bpflab::jit
