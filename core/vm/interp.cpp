// SPDX-License-Identifier: Apache-2.0
// bpflab: the reference interpreter — predecoding and the threaded dispatch loop.
#include "core/vm/interp.hpp"

#include <linux/bpf.h>

#include <cstring>

#include "core/semantics.hpp"
#include "core/vm/engine.hpp"
#include "core/vm/fuse.hpp"
#include "core/vm/init_flow.hpp"

namespace bpflab::vm {
namespace {

constexpr std::uint64_t kMayGotoBudget = 1u << 23;  // the kernel's BPF_MAX_LOOPS
constexpr std::uint32_t kSlotsPerFrame = kStackSize / 8;

OpCode alu_code(const Alu& a) {
    const int base = static_cast<int>(a.op) * 4 + (a.is64 ? 0 : 2) + (a.src.is_reg ? 1 : 0);
    return static_cast<OpCode>(base);
}

OpCode jmp_code(const Jmp& j) {
    constexpr int kFirst = static_cast<int>(OpCode::Jmp64K_Eq);
    return static_cast<OpCode>(kFirst + static_cast<int>(j.cond) * 4 + (j.is32 ? 2 : 0) +
                               (j.src.is_reg ? 1 : 0));
}

std::uint32_t target_index(const Code& code, std::int64_t pc) {
    if (pc < 0 || pc >= static_cast<std::int64_t>(code.slot_count())) return UINT32_MAX;
    const std::int32_t i = code.index_of_pc[static_cast<std::size_t>(pc)];
    return i < 0 ? UINT32_MAX : static_cast<std::uint32_t>(i);
}

std::vector<Op> predecode(const Program& prog) {
    const Code& code = prog.code;
    std::vector<Op> ops(code.insns.size());
    for (std::size_t i = 0; i < code.insns.size(); ++i) {
        Op& op = ops[i];
        op.pc = code.pc[i];
        op.insn = static_cast<std::uint32_t>(i);
        const Instruction& insn = code.insns[i];
        std::visit(
            Overloaded{
                [&](const Alu& a) {
                    op.dst = a.dst;
                    op.src = a.src.reg;
                    op.size = a.sx_bits;
                    op.k = a.is64 ? sem::imm64(a.src.imm) : static_cast<std::uint32_t>(a.src.imm);
                    op.code = alu_code(a);
                },
                [&](const Endian& e) {
                    op.code = OpCode::Endian;
                    op.dst = e.dst;
                    op.size = e.bits;
                    op.imm = static_cast<std::int32_t>(e.kind);
                },
                [&](const Jmp& j) {
                    op.code = jmp_code(j);
                    op.dst = j.dst;
                    op.src = j.src.reg;
                    op.k = j.is32 ? static_cast<std::uint32_t>(j.src.imm) : sem::imm64(j.src.imm);
                    op.target = target_index(code, jump_target(insn, op.pc));
                },
                [&](const Ja&) {
                    op.code = OpCode::Ja;
                    op.target = target_index(code, jump_target(insn, op.pc));
                },
                [&](const Load& l) {
                    op.code = OpCode::Load;
                    op.dst = l.dst;
                    op.src = l.src;
                    op.off = l.off;
                    op.size = static_cast<std::uint8_t>(bytes(l.size));
                    op.flag = l.sign_ext;
                },
                [&](const Store& s) {
                    op.code = OpCode::Store;
                    op.dst = s.dst;
                    op.src = s.src.reg;
                    op.off = s.off;
                    op.size = static_cast<std::uint8_t>(bytes(s.size));
                    op.flag = s.src.is_reg;
                    op.k = sem::imm64(s.src.imm);
                },
                [&](const Atomic& a) {
                    op.code = OpCode::Atomic;
                    op.dst = a.dst;
                    op.src = a.src;
                    op.off = a.off;
                    op.size = static_cast<std::uint8_t>(bytes(a.size));
                },
                [&](const LdImm64& l) {
                    op.dst = l.dst;
                    switch (l.kind) {
                        case LdImmKind::Imm64:
                            op.code = OpCode::LdImm;
                            op.k = l.value();
                            break;
                        case LdImmKind::MapFd:
                        case LdImmKind::MapIdx:
                            op.code = OpCode::LdMap;
                            op.k = static_cast<std::uint32_t>(l.imm);
                            break;
                        case LdImmKind::MapValue:
                        case LdImmKind::MapIdxValue:
                            op.code = OpCode::LdMapValue;
                            op.k = static_cast<std::uint32_t>(l.imm);
                            op.imm = l.next_imm;
                            break;
                        case LdImmKind::CodeAddr:
                            op.code = OpCode::LdCode;
                            op.target =
                                target_index(code, static_cast<std::int64_t>(op.pc) + l.imm + 1);
                            break;
                        case LdImmKind::VarAddr:
                            op.code = OpCode::Unsupported;
                            break;
                    }
                },
                [&](const LdPacket& p) {
                    op.code = OpCode::LdPacket;
                    op.src = p.src;
                    op.imm = p.imm;
                    op.flag = p.indirect;
                    op.size = static_cast<std::uint8_t>(bytes(p.size));
                },
                [&](const Call& c) {
                    op.imm = c.imm;
                    if (c.kind == CallKind::Helper) {
                        op.code = OpCode::CallHelper;
                    } else if (c.kind == CallKind::Local) {
                        op.code = OpCode::CallLocal;
                        op.target = target_index(code, jump_target(insn, op.pc));
                    } else {
                        op.code = OpCode::Unsupported;
                    }
                },
                [&](const Exit&) { op.code = OpCode::Exit; },
                [&](const MayGoto&) {
                    op.code = OpCode::MayGoto;
                    op.target = target_index(code, jump_target(insn, op.pc));
                },
                [&](const Gotox&) { op.code = OpCode::Unsupported; },
                [&](const AddrSpaceCast&) { op.code = OpCode::Unsupported; },
            },
            insn);
        const bool jumps = op.code == OpCode::Ja || op.code == OpCode::MayGoto ||
                           op.code == OpCode::CallLocal || op.code == OpCode::LdCode ||
                           (op.code >= OpCode::Jmp64K_Eq && op.code <= OpCode::Jmp32X_Sle);
        if (jumps && op.target == UINT32_MAX) op.code = OpCode::Unsupported;
    }
    return ops;
}

}  // namespace

std::string unsupported_reason(const Instruction& insn) {
    return std::visit(
        Overloaded{
            [](const Gotox&) -> std::string {
                return "gotox (indirect jump) is not supported by the interpreter";
            },
            [](const AddrSpaceCast&) -> std::string {
                return "addr_space_cast (BPF arena) is not supported";
            },
            [](const Call& c) -> std::string {
                return c.kind == CallKind::Kfunc
                           ? "kfunc call " + std::to_string(c.imm) + " is not supported"
                           : "call target outside the program";
            },
            [](const LdImm64& l) -> std::string {
                return l.kind == LdImmKind::VarAddr
                           ? "64-bit load of a BTF variable address is not supported"
                           : "64-bit load target outside the program";
            },
            [](const auto&) -> std::string { return "jump target outside the program"; },
        },
        insn);
}

Engine::Engine(const Object& object, MapSet& maps)
    : object_(object), maps_(maps), ops_(object.programs.size()) {}

const std::vector<Op>& Engine::ops_for(std::uint32_t program) {
    auto& ops = ops_[program];
    if (ops.empty()) {
        ops = predecode(object_.programs[program]);
        select_unchecked(ops);
        fuse_pairs(ops);
    }
    return ops;
}

bool Engine::fail(FaultKind kind, std::string message) {
    fault_ = Fault{};
    fault_.kind = kind;
    fault_.pc = current_pc_;
    fault_.message = std::move(message);
    faulted_ = true;
    return false;
}

void Engine::notify(std::uint32_t pc) {
    ConcreteState s;
    s.pc = pc;
    s.program = program_;
    s.frame = depth();
    s.regs = regs_;
    s.tags = tags_;
    s.init = init_;
    s.memory = mem_;
    options_->hook(s);
}

void Engine::push_frame(std::uint32_t return_index) {
    Frame f;
    f.return_index = return_index;
    for (int i = 0; i < 4; ++i) {
        f.saved[i] = regs_[6 + i];
        f.saved_tags[i] = tags_[6 + i];
    }
    f.saved_init = init_;
    frames_.push_back(f);
    const std::uint32_t d = depth();
    // Spill tags need no reset: a slot's tag is read only when all its bytes are initialised
    // in this frame, and every write that initialises a byte of a slot also sets its tag.
    mem_->reset_frame(d);
    regs_[10] = reinterpret_cast<std::uintptr_t>(mem_->frame_pointer(d));
    tags_[10] = mem_->stack_tag(d);
    // The callee sees r1-r5 as the caller left them; r0 and r6-r9 are not readable.
    init_ = static_cast<std::uint16_t>((init_ & 0x3e) | (1u << 10));
}

void Engine::pop_frame() {
    const Frame f = frames_.back();
    frames_.pop_back();
    for (int i = 0; i < 4; ++i) {
        regs_[6 + i] = f.saved[i];
        tags_[6 + i] = f.saved_tags[i];
    }
    const std::uint32_t d = depth();
    regs_[10] = reinterpret_cast<std::uintptr_t>(mem_->frame_pointer(d));
    tags_[10] = mem_->stack_tag(d);
    // r0 carries the result; r1-r5 are clobbered; r6-r9 and r10 are the caller's.
    init_ = static_cast<std::uint16_t>((f.saved_init & 0x7c0) | (init_ & 1u) | (1u << 10));
}

bool Engine::call_local(const Op& op, std::uint32_t& index) {
    if (depth() + 1 >= kMaxFrames)
        return fail(FaultKind::CallDepth, "more than 8 nested call frames");
    push_frame(index + 1);
    index = op.target;
    return true;
}

bool Engine::call_callback(std::uint32_t target) {
    if (depth() + 1 >= kMaxFrames)
        return fail(FaultKind::CallDepth, "more than 8 nested call frames (callback)");
    push_frame(0);
    return execute(target, depth());
}

void Engine::run(std::size_t program, const RunInput& input, const RunOptions& options,
                 RunResult& result) {
    result.r0 = 0;
    result.instructions = 0;
    result.fault.reset();
    result.packet.clear();
    result.trace_output.clear();
    result.redirect = 0;
    result.tail_calls = 0;
    const Program& prog = object_.programs.at(program);
    const ProgramTypeInfo* type = program_type_info(prog.prog_type);
    // The address space is reused across runs of the same program type: a run resets frame 0
    // and installs its input, so repeated runs cost no allocation.
    const ProgramTypeInfo* space_type = input.memory_in_r1 ? nullptr : type;
    if (!space_ || space_type_ != space_type) {
        space_ = std::make_unique<AddressSpace>(maps_, space_type);
        space_type_ = space_type;
    }
    AddressSpace& mem = *space_;
    mem.reset_frame(0);
    mem_ = &mem;
    input_ = &input;
    options_ = &options;
    result_ = &result;
    program_ = static_cast<std::uint32_t>(program);
    faulted_ = false;
    exit_program_ = false;
    pending_tail_call_ = -1;
    tail_calls_ = 0;
    frames_.clear();
    if (spills_.empty()) spills_.resize(static_cast<std::size_t>(kMaxFrames) * kSlotsPerFrame);
    budget_ = options.instruction_budget + 1;
    may_goto_budget_ = kMayGotoBudget;
    rng_ = input.seed;
    for (auto& t : tags_) t = Tag{};
    for (auto& r : regs_) r = 0;

    // Socket filters and cgroup skb programs see the packet from the network header.
    const bool l3_view = type != nullptr && (type->prog_type == BPF_PROG_TYPE_SOCKET_FILTER ||
                                             type->prog_type == BPF_PROG_TYPE_CGROUP_SKB);
    const std::size_t hidden = l3_view ? std::min<std::size_t>(14, input.packet.size()) : 0;
    mem.set_packet(input.packet.data() + hidden, input.packet.size() - hidden);
    mem.set_context(input.context);
    mem.set_memory(input.memory);
    if (type != nullptr && type->packet_context && !input.memory_in_r1)
        fill_packet_context(mem, *type, input.packet);

    regs_[10] = reinterpret_cast<std::uintptr_t>(mem.frame_pointer(0));
    tags_[10] = mem.stack_tag(0);
    init_ = 1u << 10;
    if (input.memory_in_r1) {
        regs_[1] = input.memory.empty() ? 0 : reinterpret_cast<std::uintptr_t>(mem.memory());
        tags_[1] = input.memory.empty() ? Tag{} : mem.memory_tag();
        regs_[2] = input.memory.size();
        init_ |= (1u << 1) | (1u << 2);
    } else {
        regs_[1] = reinterpret_cast<std::uintptr_t>(mem.context());
        tags_[1] = mem.context_tag();
        init_ |= 1u << 1;
    }

    const bool ok = execute(0, 0);
    (void)ok;
    result.r0 = regs_[0];
    result.instructions = options.instruction_budget + 1 - budget_;
    result.tail_calls = tail_calls_;
    if (faulted_) result.fault = fault_;
    if (type != nullptr && type->packet_context && !input.memory_in_r1) {
        const auto visible = mem.packet_view();
        result.packet.reserve(hidden + visible.size());
        result.packet.assign(input.packet.begin(),
                             input.packet.begin() + static_cast<std::ptrdiff_t>(hidden));
        result.packet.insert(result.packet.end(), visible.begin(), visible.end());
    }
}

Interpreter::Interpreter(const Object& object, MapSet& maps)
    : engine_(std::make_unique<Engine>(object, maps)) {}

Interpreter::~Interpreter() = default;

RunResult Interpreter::run(std::size_t program, const RunInput& input, const RunOptions& options) {
    RunResult result;
    engine_->run(program, input, options, result);
    return result;
}

void Interpreter::run_into(std::size_t program, const RunInput& input, const RunOptions& options,
                           RunResult& result) {
    engine_->run(program, input, options, result);
}

}  // namespace bpflab::vm
