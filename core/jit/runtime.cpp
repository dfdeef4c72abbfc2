// SPDX-License-Identifier: Apache-2.0
// bpflab: running JIT code — input set-up like the interpreter's, tail calls, checked-mode
// region checks and the faults generated code raises.
#include <linux/bpf.h>

#include <sstream>

#include "core/jit/jit_impl.hpp"
#include "core/jit/runtime.hpp"
#include "core/vm/engine.hpp"

namespace bpflab::jit {

namespace {
constexpr std::uint64_t kMayGotoBudget = 1u << 23;  // the kernel's BPF_MAX_LOOPS
JitRun& run_of(JitState* s) {
    return *static_cast<JitRun*>(s->run);
}
}  // namespace

void JitRun::raise(vm::FaultKind kind, std::string message) {
    fault = vm::Fault{};
    fault.kind = kind;
    fault.pc = state.pc;
    fault.message = std::move(message);
    state.stop = static_cast<std::uint32_t>(Stop::Fault);
}

void JitRun::refresh_packet() {
    state.field_value[0] = reinterpret_cast<std::uintptr_t>(mem->data());
    state.field_value[1] = reinterpret_cast<std::uintptr_t>(mem->data_end());
    state.field_value[2] = reinterpret_cast<std::uintptr_t>(mem->data_meta());
}

std::uint64_t JitRun::call_callback(const void* target, std::uint64_t r1, std::uint64_t r2) {
    if (state.depth + 1 >= vm::kMaxFrames) {
        raise(vm::FaultKind::CallDepth, "more than 8 nested call frames (callback)");
        return 0;
    }
    ++state.depth;
    const auto fp = reinterpret_cast<std::uintptr_t>(mem->frame_pointer(state.depth));
    const std::uint64_t r0 = reinterpret_cast<EntryFn>(state.entry)(&state, target, r1, r2, fp);
    --state.depth;
    return r0;
}

bool JitRun::check(std::uint64_t addr, std::uint32_t size, bool write, std::uint32_t pc) {
    using vm::FaultKind;
    using vm::RegionKind;
    const std::uint64_t end = addr + size;
    // Fills the fault's access and region fields (only when an access is refused).
    auto describe = [&](RegionKind kind, std::uintptr_t b, std::uint64_t len) {
        fault = vm::Fault{};
        fault.pc = pc;
        fault.addr = addr;
        fault.size = size;
        fault.region = kind;
        fault.region_base = b;
        fault.region_size = len;
    };
    // 0: the access does not start in the region; 1: allowed; -1: refused (fault recorded).
    auto region = [&](RegionKind kind, const std::uint8_t* base, std::uint64_t len,
                      bool writable) -> int {
        const auto b = reinterpret_cast<std::uintptr_t>(base);
        if (base == nullptr || addr < b || addr >= b + len) return 0;
        const bool inside = end >= addr && end <= b + len;
        if (inside && (!write || writable)) return 1;  // the hot path writes nothing
        describe(kind, b, len);
        if (!inside) {
            fault.kind = FaultKind::OutOfBounds;
            std::ostringstream m;
            m << (write ? "write" : "read") << " of " << size << " bytes at offset " << addr - b
              << " of a " << len << "-byte " << region_kind_name(kind) << " region";
            fault.message = m.str();
            return -1;
        }
        if (write && !writable) {
            fault.kind = FaultKind::ReadOnly;
            fault.message = "write to read-only " + std::string(region_kind_name(kind));
            return -1;
        }
        return 1;
    };
    auto verdict = [&](int r) {
        if (r < 0) state.stop = static_cast<std::uint32_t>(Stop::Fault);
        return r > 0;
    };
    if (int r = region(RegionKind::Stack, mem->stack_base(),
                       std::uint64_t{state.depth + 1} * vm::kStackSize, true))
        return verdict(r);
    if (int r = region(RegionKind::PacketMeta, mem->data_meta(),
                       static_cast<std::uint64_t>(mem->data() - mem->data_meta()), true))
        return verdict(r);
    if (int r = region(RegionKind::Packet, mem->data(),
                       static_cast<std::uint64_t>(mem->data_end() - mem->data()), true))
        return verdict(r);
    if (mem->context_size() > 0) {
        const ProgramTypeInfo* t = mem->type();
        const bool ctx_writable = t != nullptr && !t->fields.empty();
        const int r =
            region(RegionKind::Context, mem->context(), mem->context_size(), ctx_writable);
        if (r > 0 && write) {
            const CtxField* f = find_ctx_field(
                *t,
                static_cast<std::int64_t>(addr - reinterpret_cast<std::uintptr_t>(mem->context())));
            if (f == nullptr || !f->writable) {
                describe(RegionKind::Context, reinterpret_cast<std::uintptr_t>(mem->context()),
                         mem->context_size());
                fault.kind = FaultKind::ContextAccess;
                fault.message = "write to a read-only context field";
                return verdict(-1);
            }
        }
        if (r != 0) return verdict(r);
    }
    if (int r = region(RegionKind::Memory, mem->memory(), mem->memory_size(), true))
        return verdict(r);
    const auto* p = reinterpret_cast<const std::uint8_t*>(addr);
    if (const auto hit = maps->locate(p)) {
        vm::Map& m = maps->at(hit->first);
        const std::uint8_t* value = p - hit->second.offset;
        return verdict(
            region(RegionKind::MapValue, value, m.def().value_size, !m.def().read_only()));
    }
    for (std::size_t i = 0; i < maps->size(); ++i) {
        if (!maps->at(i).is_ringbuf()) continue;
        if (const auto rec = maps->at(i).ringbuf_locate(p))
            return verdict(region(RegionKind::Ringbuf, rec->first, rec->second, true));
    }
    fault = vm::Fault{};
    fault.pc = pc;
    fault.addr = addr;
    fault.size = size;
    if (addr < 4096) {
        fault.kind = FaultKind::InvalidPointer;
        fault.message = "dereference of NULL";
    } else {
        fault.kind = FaultKind::OutOfBounds;
        std::ostringstream m;
        m << (write ? "write" : "read") << " of " << size << " bytes at 0x" << std::hex << addr
          << " outside every region of the run";
        fault.message = m.str();
    }
    return verdict(-1);
}

bool jit_check(JitState* s, std::uint64_t addr, std::uint32_t meta) {
    return run_of(s).check(addr, meta & 0x7f, (meta & 0x80) != 0, meta >> 8);
}

void jit_call_depth_fault(JitState* s, std::uint32_t pc) {
    s->pc = pc;
    run_of(s).raise(vm::FaultKind::CallDepth, "more than 8 nested call frames");
}

std::uint64_t jit_ld_packet(JitState* s, std::int64_t off, std::uint32_t size) {
    const JitRun& run = run_of(s);
    const std::int64_t len = run.mem->data_end() - run.mem->data();
    if (off < 0 || off + size > len) {
        s->stop = static_cast<std::uint32_t>(Stop::ExitZero);
        return 0;
    }
    const std::uint8_t* p = run.mem->data() + off;
    std::uint64_t v = 0;
    for (std::uint32_t i = 0; i < size; ++i) v = (v << 8) | p[i];
    return v;
}

JitProgram::JitProgram(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JitProgram::JitProgram(JitProgram&&) noexcept = default;
JitProgram& JitProgram::operator=(JitProgram&&) noexcept = default;
JitProgram::~JitProgram() = default;

std::size_t JitProgram::code_size() const {
    return impl_->programs[impl_->program]->size;
}
std::span<const std::uint8_t> JitProgram::code() const {
    const Compiled& c = *impl_->programs[impl_->program];
    return {c.code->getCode(), c.size};
}
double JitProgram::compile_seconds() const {
    return impl_->seconds;
}
const std::vector<BlockStart>& JitProgram::block_starts() const {
    return impl_->programs[impl_->program]->blocks;
}
bool JitProgram::checked() const {
    return impl_->checked;
}

vm::RunResult JitProgram::run(const vm::RunInput& input) {
    vm::RunResult result;
    run_into(input, result);
    return result;
}

void JitProgram::run_into(const vm::RunInput& input, vm::RunResult& result) {
    Impl& m = *impl_;
    result.r0 = 0;
    result.instructions = 0;
    result.fault.reset();
    result.packet.clear();
    result.trace_output.clear();
    result.redirect = 0;
    result.tail_calls = 0;
    const Program& prog = m.object->programs[m.program];
    const ProgramTypeInfo* type = program_type_info(prog.prog_type);
    const ProgramTypeInfo* space_type = input.memory_in_r1 ? nullptr : type;
    if (!m.space || m.space_type != space_type) {
        m.space = std::make_unique<vm::AddressSpace>(*m.maps, space_type);
        m.space_type = space_type;
    }
    vm::AddressSpace& mem = *m.space;
    // The same input as the interpreter builds: socket filters and cgroup skb programs see the
    // packet from the network header.
    const bool l3_view = type != nullptr && (type->prog_type == BPF_PROG_TYPE_SOCKET_FILTER ||
                                             type->prog_type == BPF_PROG_TYPE_CGROUP_SKB);
    const std::size_t hidden = l3_view ? std::min<std::size_t>(14, input.packet.size()) : 0;
    mem.set_packet(input.packet.data() + hidden, input.packet.size() - hidden);
    mem.set_context(input.context);
    mem.set_memory(input.memory);
    const bool packet_ctx = type != nullptr && type->packet_context && !input.memory_in_r1;
    if (packet_ctx) vm::fill_packet_context(mem, *type, input.packet);

    JitRun run;
    run.state.run = &run;
    run.state.may_goto = kMayGotoBudget;
    run.object = m.object;
    run.maps = m.maps;
    run.mem = &mem;
    run.input = &input;
    run.result = &result;
    run.checked = m.checked;
    run.rng = input.seed;
    run.state.insn_limit = run.state.insn_left = m.insn_limit;
    if (space_type != nullptr)
        for (const CtxField& f : space_type->fields)
            if (f.kind != CtxFieldKind::Scalar)
                run.state.field_addr[static_cast<int>(f.kind) - 1] =
                    reinterpret_cast<std::uintptr_t>(mem.context()) + f.offset;
    run.refresh_packet();

    std::uint64_t r1 = reinterpret_cast<std::uintptr_t>(mem.context()), r2 = 0;
    if (input.memory_in_r1) {
        r1 = input.memory.empty() ? 0 : reinterpret_cast<std::uintptr_t>(mem.memory());
        r2 = input.memory.size();
    }
    const auto fp = reinterpret_cast<std::uintptr_t>(mem.frame_pointer(0));
    std::size_t current = m.program;
    std::uint64_t r0 = 0;
    for (;;) {
        const Compiled& c = *m.programs[current];
        run.state.entry = reinterpret_cast<const void*>(c.entry());
        run.state.depth = 0;
        run.state.stop = 0;
        r0 = c.entry()(&run.state, c.body(), r1, r2, fp);
        if (run.state.stop != static_cast<std::uint32_t>(Stop::TailCall)) break;
        // The new program starts like an entry: r1 = the context, r10 = frame 0.
        current = static_cast<std::size_t>(run.pending_tail);
        run.pending_tail = -1;
        r1 = reinterpret_cast<std::uintptr_t>(mem.context());
        r2 = 0;
    }
    const auto stop = static_cast<Stop>(run.state.stop);
    result.r0 = stop == Stop::ExitZero || stop == Stop::Fault ? 0 : r0;
    if (stop == Stop::Fault) result.fault = run.fault;
    result.tail_calls = run.tail_calls;
    result.instructions = run.state.insn_limit - run.state.insn_left;
    if (packet_ctx) {
        const auto visible = mem.packet_view();
        result.packet.reserve(hidden + visible.size());
        result.packet.assign(input.packet.begin(),
                             input.packet.begin() + static_cast<std::ptrdiff_t>(hidden));
        result.packet.insert(result.packet.end(), visible.begin(), visible.end());
    }
}

}  // namespace bpflab::jit
