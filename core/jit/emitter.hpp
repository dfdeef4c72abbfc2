// SPDX-License-Identifier: Apache-2.0
// bpflab: the JIT's emitters — one member per instruction family, over Xbyak's encoder.
#pragma once

#include <cstdint>
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
};

/// Emits one program: the entry trampoline, the shared exits, then each instruction.
class Emitter : public Xbyak::CodeGenerator {
public:
    Emitter(std::size_t capacity, Xbyak::Allocator* allocator, const EmitContext& ctx);

    /// Emits the trampoline and the shared exit and fault stubs (before any instruction).
    void prologue();
    /// Binds the label of slot `pc` here (call once per instruction, in order).
    void bind(std::uint32_t pc);
    /// Resolves labels; afterwards getCode() + entry_offset() is the EntryFn.
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

    EmitContext ctx_;
    std::unique_ptr<Xbyak::Label[]> labels_;
    std::vector<std::size_t> offsets_;
    Xbyak::Label stop_exit_, out_, check_stub_, depth_fault_;
    bool tail_call_ = false;
};

/// Emits instruction `insn` at slot `pc` with the emitter of its family. Every alternative of
/// Instruction has a case: a new one is a compile error here.
void translate(Emitter& e, const Instruction& insn, std::uint32_t pc);

}  // namespace bpflab::jit
