// SPDX-License-Identifier: Apache-2.0
// bpflab: JitProgram's internals — the compiled code of each program and the run-time space.
#pragma once

#include <memory>
#include <vector>

#include "core/jit/emitter.hpp"
#include "core/jit/jit.hpp"
#include "core/vm/memory.hpp"

namespace bpflab::jit {

/// One program's generated code. The allocator outlives the emitter that owns the buffer.
struct Compiled {
    std::unique_ptr<WxAllocator> alloc;
    std::unique_ptr<Emitter> code;
    std::vector<BlockStart> blocks;
    std::vector<std::uint32_t> rest;  ///< EmitContext::rest, alive as long as the code
    std::vector<std::uint16_t> may_ctx;  ///< EmitContext::may_ctx (used while emitting)
    std::size_t body_offset = 0;      ///< where slot 0's code starts
    std::size_t size = 0;
    bool tail_call = false;
    [[nodiscard]] EntryFn entry() const { return reinterpret_cast<EntryFn>(code->getCode()); }
    [[nodiscard]] const void* body() const { return code->getCode() + body_offset; }
};

/// Compiles program `index` (counting instructions when `counting`); throws CompileError.
[[nodiscard]] std::unique_ptr<Compiled> compile_program(const Object& object, std::size_t index,
                                                        vm::MapSet& maps, bool checked,
                                                        bool counting);

struct JitProgram::Impl {
    const Object* object = nullptr;
    vm::MapSet* maps = nullptr;
    std::size_t program = 0;
    bool checked = false;
    /// JitState::insn_limit of each run: the budget in checked mode, all ones when only
    /// counting, 0 when the code does not count.
    std::uint64_t insn_limit = 0;
    double seconds = 0;
    std::vector<std::unique_ptr<Compiled>> programs;  ///< by program index; null: not compiled
    std::unique_ptr<vm::AddressSpace> space;          ///< reused across runs of one type
    const ProgramTypeInfo* space_type = nullptr;
};

}  // namespace bpflab::jit
