// SPDX-License-Identifier: Apache-2.0
// bpflab: the JIT driver — W^X code memory, the entry trampoline, the translate visitor, and
// compilation of a program into a JitProgram.
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include "core/decode.hpp"
#include "core/jit/ctx_flow.hpp"
#include "core/jit/emitter.hpp"
#include "core/jit/jit_impl.hpp"

namespace bpflab::jit {

using namespace Xbyak::util;  // NOLINT(google-build-using-namespace): register names

#define BPFLAB_STATE(base, field) ((base) + static_cast<int>(offsetof(JitState, field)))

std::uint8_t* WxAllocator::alloc(std::size_t size) {
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    size_ = (size + page - 1) / page * page;
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    base_ = p == MAP_FAILED ? nullptr : static_cast<std::uint8_t*>(p);
    return base_;
}

void WxAllocator::free(std::uint8_t* p) {
    if (p != nullptr) munmap(p, size_);
    if (p == base_) base_ = nullptr;
}

bool WxAllocator::seal() {
    return base_ != nullptr && mprotect(base_, size_, PROT_READ | PROT_EXEC) == 0;
}

Emitter::Emitter(std::size_t capacity, Xbyak::Allocator* allocator, const EmitContext& ctx)
    : Xbyak::CodeGenerator(capacity, Xbyak::DontSetProtectRWE, allocator),
      ctx_(ctx),
      labels_(std::make_unique<Xbyak::Label[]>(ctx.program->code.slot_count() + 1)),
      offsets_(ctx.program->code.slot_count() + 1, 0) {}

void Emitter::prologue() {
    // uint64_t entry(JitState* s, const void* target, uint64_t r1, uint64_t r2, uint64_t fp):
    // saves the SysV callee-saved registers and the previous early-exit stack pointer, enters
    // `target` with r12 = s, r1, r2 and r10 = fp, and returns r0.
    push(rbx);
    push(rbp);
    push(r12);
    push(r13);
    push(r14);
    push(r15);
    push(qword[BPFLAB_STATE(rdi, saved_rsp)]);  // seven pushes: rsp = 0 (mod 16)
    mov(qword[BPFLAB_STATE(rdi, saved_rsp)], rsp);
    mov(r12, rdi);
    mov(r11, rsi);
    mov(rdi, rdx);
    mov(rsi, rcx);
    mov(rbp, r8);
    Xbyak::CodeGenerator::call(r11);
    L(out_);
    pop(r11);
    mov(qword[BPFLAB_STATE(r12, saved_rsp)], r11);
    pop(r15);
    pop(r14);
    pop(r13);
    pop(r12);
    pop(rbp);
    pop(rbx);
    ret();

    // Early exit (fault, tail call, failed packet load): drop every frame of this entry.
    L(stop_exit_);
    mov(rsp, qword[BPFLAB_STATE(r12, saved_rsp)]);
    jmp(out_, T_NEAR);

    // A local call beyond 8 frames; r10d = its pc.
    L(depth_fault_);
    mov(rsp, qword[BPFLAB_STATE(r12, saved_rsp)]);
    mov(rdi, r12);
    mov(esi, r10d);
    mov(rax, reinterpret_cast<std::uintptr_t>(&jit_call_depth_fault));
    Xbyak::CodeGenerator::call(rax);
    jmp(out_, T_NEAR);

    // Checked mode: r11 = address, r10d = meta. Entered with rsp = 0 (mod 16); six pushes keep
    // it aligned for the call. r6-r10 are callee-saved, r0-r5 are saved here.
    L(check_stub_);
    push(rax);
    push(rdi);
    push(rsi);
    push(rdx);
    push(rcx);
    push(r8);
    mov(rdi, r12);
    mov(rsi, r11);
    mov(edx, r10d);
    mov(rax, reinterpret_cast<std::uintptr_t>(&jit_check));
    Xbyak::CodeGenerator::call(rax);
    test(al, al);
    pop(r8);
    pop(rcx);
    pop(rdx);
    pop(rsi);
    pop(rdi);
    pop(rax);
    // A fault in the middle of a counted block gives back the instructions after it.
    if (ctx_.counting && ctx_.checked)
        jz(check_failed_, T_NEAR);
    else
        jz(stop_exit_, T_NEAR);
    ret();
    align(16);
}

void Emitter::bind(std::uint32_t pc) {
    offsets_[pc] = getSize();
    L(labels_[pc]);
}

void Emitter::count_block(std::uint32_t length, std::uint32_t first) {
    // Trusted mode: one subtraction. Checked mode: a borrow means the budget does not cover
    // the whole block; a cold copy of the block runs the instructions the budget still allows.
    sub(qword[BPFLAB_STATE(r12, insn_left)], static_cast<std::int32_t>(length));
    if (!ctx_.checked) return;
    BudgetStub& stub = budget_stubs_.emplace_back();
    stub.length = length;
    stub.first = first;
    jb(length > 1 ? stub.slow : stub.label, T_NEAR);
}

void Emitter::slow_block(BudgetStub& stub) {
    // Entered with insn_left = before - length (wrapped), where before < length is what the
    // budget allowed at the block's entry. Instruction k runs iff k < before, exactly as the
    // interpreter would run it; the terminator (k = length - 1) never runs here. A checked
    // access that faults in this copy gives back rest[pc] = length - 1 - k, which leaves
    // insn_left = before - 1 - k: the interpreter's count, faulting instruction included.
    L(stub.slow);
    const Code& code = ctx_.program->code;
    for (std::uint32_t k = 0; k + 1 < stub.length; ++k) {
        mov(r11, qword[BPFLAB_STATE(r12, insn_left)]);
        add(r11, static_cast<std::int32_t>(stub.length));
        cmp(r11, static_cast<std::int32_t>(k));
        jbe(stub.label, T_NEAR);
        translate(*this, code.insns[stub.first + k], code.pc[stub.first + k]);
    }
    jmp(stub.label, T_NEAR);
}

void Emitter::finish() {
    if (ctx_.counting && ctx_.checked) {
        for (BudgetStub& stub : budget_stubs_) {
            if (stub.length > 1) slow_block(stub);
            L(stub.label);
            add(qword[BPFLAB_STATE(r12, insn_left)], static_cast<std::int32_t>(stub.length));
            mov(esi, stub.first);
            jmp(budget_fault_, T_NEAR);
        }
        // esi = the block's first instruction; leave like any early exit.
        L(budget_fault_);
        mov(rsp, qword[BPFLAB_STATE(r12, saved_rsp)]);
        mov(rdi, r12);
        mov(rdx, reinterpret_cast<std::uintptr_t>(ctx_.program->code.pc.data()));
        mov(rax, reinterpret_cast<std::uintptr_t>(&jit_budget_fault));
        Xbyak::CodeGenerator::call(rax);
        jmp(out_, T_NEAR);
        // A checked access faulted: give back the rest of its block, then leave.
        L(check_failed_);
        mov(rsp, qword[BPFLAB_STATE(r12, saved_rsp)]);
        mov(rdi, r12);
        mov(rsi, reinterpret_cast<std::uintptr_t>(ctx_.rest));
        mov(rax, reinterpret_cast<std::uintptr_t>(&jit_uncount));
        Xbyak::CodeGenerator::call(rax);
        jmp(out_, T_NEAR);
    }
    ready();
}

void jit_budget_fault(JitState* s, std::uint32_t first, const std::uint32_t* pcs) {
    // The block's first insn_left instructions were within the budget; the next one is the
    // instruction the interpreter stops at, and the count is exactly the budget.
    s->pc = pcs[first + s->insn_left];
    s->insn_left = 0;
    static_cast<JitRun*>(s->run)->raise(
        vm::FaultKind::InstructionBudget,
        "instruction budget of " + std::to_string(s->insn_limit) + " exhausted");
}

void jit_uncount(JitState* s, const std::uint32_t* rest) {
    s->insn_left += rest[static_cast<JitRun*>(s->run)->fault.pc];
}

std::vector<std::uint32_t> block_lengths(const Code& code) {
    const std::size_t n = code.insns.size();
    std::vector<bool> leader(n + 1, false);
    leader[0] = true;
    leader[n] = true;
    auto mark_pc = [&](std::int64_t pc) {
        if (pc >= 0 && pc < static_cast<std::int64_t>(code.slot_count()) &&
            code.index_of_pc[static_cast<std::size_t>(pc)] >= 0)
            leader[static_cast<std::size_t>(code.index_of_pc[static_cast<std::size_t>(pc)])] = true;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const Instruction& insn = code.insns[i];
        mark_pc(jump_target(insn, code.pc[i]));
        if (const auto* l = std::get_if<LdImm64>(&insn);
            l != nullptr && l->kind == LdImmKind::CodeAddr)
            mark_pc(std::int64_t{code.pc[i]} + l->imm + 1);
        const bool ends =
            std::holds_alternative<Jmp>(insn) || std::holds_alternative<Ja>(insn) ||
            std::holds_alternative<MayGoto>(insn) || std::holds_alternative<Exit>(insn) ||
            std::holds_alternative<Call>(insn) || std::holds_alternative<LdPacket>(insn) ||
            std::holds_alternative<Gotox>(insn);
        if (ends) leader[i + 1] = true;
    }
    std::vector<std::uint32_t> lengths(n, 0);
    std::size_t start = 0;
    for (std::size_t i = 1; i <= n; ++i) {
        if (!leader[i]) continue;
        lengths[start] = static_cast<std::uint32_t>(i - start);
        start = i;
    }
    return lengths;
}

void translate(Emitter& e, const Instruction& insn, std::uint32_t pc) {
    std::visit(Overloaded{
                   [&](const Alu& a) { e.alu(a); },
                   [&](const Endian& x) { e.endian(x); },
                   [&](const Jmp& j) { e.cond_jump(j, pc); },
                   [&](const Ja& j) { e.jump(j, pc); },
                   [&](const Load& l) { e.load(l, pc); },
                   [&](const Store& s) { e.store(s, pc); },
                   [&](const Atomic& a) { e.atomic(a, pc); },
                   [&](const LdImm64& l) { e.ldimm64(l, pc); },
                   [&](const LdPacket& p) { e.ld_packet(p, pc); },
                   [&](const Call& c) { e.call(c, pc); },
                   [&](const Exit&) { e.exit(); },
                   [&](const MayGoto& m) { e.may_goto(m, pc); },
                   [&](const Gotox&) {
                       throw CompileError(pc, "gotox (indirect jump) is not supported by the JIT");
                   },
                   [&](const AddrSpaceCast&) {
                       throw CompileError(
                           pc, "addr_space_cast (BPF arena) is not supported by the JIT");
                   },
               },
               insn);
}

namespace {

/// Emits one program into fresh W^X memory of `capacity` bytes.
std::unique_ptr<Compiled> emit_program(const Object& object, std::size_t index, vm::MapSet& maps,
                                       bool checked, bool counting, std::size_t capacity) {
    const Program& prog = object.programs.at(index);
    const Code& code = prog.code;
    auto out = std::make_unique<Compiled>();
    out->alloc = std::make_unique<WxAllocator>();
    std::vector<std::uint32_t> lengths;
    if (counting) {
        lengths = block_lengths(code);
        out->rest.assign(code.slot_count(), 0);
        std::uint32_t left = 0;
        for (std::size_t i = 0; i < code.insns.size(); ++i) {
            if (lengths[i] != 0) left = lengths[i];
            out->rest[code.pc[i]] = --left;
        }
    }
    out->may_ctx = may_hold_context(code);
    EmitContext ctx{&prog,   &maps,    program_type_info(prog.prog_type),
                    checked, counting, out->rest.data(), out->may_ctx.data()};
    out->code = std::make_unique<Emitter>(capacity, out->alloc.get(), ctx);
    Emitter& e = *out->code;
    e.prologue();
    const std::size_t body = e.getSize();
    for (std::size_t i = 0; i < code.insns.size(); ++i) {
        e.bind(code.pc[i]);
        if (counting && lengths[i] != 0) e.count_block(lengths[i], static_cast<std::uint32_t>(i));
        translate(e, code.insns[i], code.pc[i]);
    }
    e.finish();
    out->body_offset = body;
    for (std::size_t i = 0; i < code.insns.size(); ++i)
        out->blocks.push_back({code.pc[i], static_cast<std::uint32_t>(e.body_offset(code.pc[i]))});
    out->size = e.getSize();
    out->tail_call = e.uses_tail_call();
    if (!out->alloc->seal()) throw CompileError(0, "mprotect(PROT_READ | PROT_EXEC) failed");
    return out;
}

}  // namespace

std::unique_ptr<Compiled> compile_program(const Object& object, std::size_t index, vm::MapSet& maps,
                                          bool checked, bool counting) {
    // Checked mode emits each block twice (the cold copy that runs out the budget).
    const std::size_t per_slot = checked ? 320 : counting ? 128 : 96;
    std::size_t capacity = 4096 + object.programs.at(index).code.slot_count() * per_slot;
    for (int attempt = 0;; ++attempt) {
        try {
            return emit_program(object, index, maps, checked, counting, capacity);
        } catch (const Xbyak::Error& err) {
            if (static_cast<int>(err) != Xbyak::ERR_CODE_IS_TOO_BIG || attempt == 4)
                throw CompileError(0, std::string("x86 encoder: ") + err.what());
            capacity *= 2;
        }
    }
}

Expected<JitProgram> JitProgram::compile(const Object& object, std::size_t program,
                                         vm::MapSet& maps, JitOptions options) {
    const auto t0 = std::chrono::steady_clock::now();
    if (program >= object.programs.size())
        return Diagnostic{"no program " + std::to_string(program) + " in the object", std::nullopt,
                          object.path};
    auto impl = std::make_unique<Impl>();
    impl->object = &object;
    impl->maps = &maps;
    impl->program = program;
    impl->checked = options.checked;
    const bool counting = options.checked || options.count_instructions;
    impl->insn_limit = options.checked ? options.instruction_budget
                       : counting      ? ~std::uint64_t{0}
                                       : 0;
    impl->programs.resize(object.programs.size());
    std::size_t current = program;
    try {
        impl->programs[program] = compile_program(object, program, maps, options.checked, counting);
        // A tail call may enter any program of the object: compile them all.
        if (impl->programs[program]->tail_call) {
            for (current = 0; current < object.programs.size(); ++current)
                if (!impl->programs[current])
                    impl->programs[current] =
                        compile_program(object, current, maps, options.checked, counting);
        }
    } catch (const CompileError& err) {
        std::string where = object.programs[current].name;
        return Diagnostic{"JIT (" + where + "): " + err.what(), std::int64_t{err.pc}, object.path};
    }
    impl->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return JitProgram(std::move(impl));
}

#undef BPFLAB_STATE

}  // namespace bpflab::jit
