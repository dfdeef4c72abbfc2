// SPDX-License-Identifier: Apache-2.0
// bpflab: the interpreter's checked memory accesses — context, stack, packet, maps, atomics.
#include <linux/bpf.h>

#include <cstring>

#include "core/semantics.hpp"
#include "core/vm/engine.hpp"

namespace bpflab::vm {
bool Engine::context_access(const Op& op, std::uint64_t addr, bool write, std::uint64_t value,
                            int dst) {
    const ProgramTypeInfo* type = mem_->type();
    const auto base = reinterpret_cast<std::uintptr_t>(mem_->context());
    const auto off = static_cast<std::int64_t>(addr - base);
    const std::uint32_t size = op.size;
    auto deny = [&](const std::string& why) {
        fail(FaultKind::ContextAccess, why);
        fault_.addr = addr;
        fault_.size = size;
        fault_.region = RegionKind::Context;
        fault_.region_base = base;
        fault_.region_size = mem_->context_size();
        return false;
    };
    if (off < 0 || static_cast<std::uint64_t>(off) + size > mem_->context_size())
        return deny("context access at offset " + std::to_string(off) + " size " +
                    std::to_string(size) + " is outside the context");
    std::uint8_t* p = mem_->context() + off;
    if (type != nullptr && !type->fields.empty()) {
        const CtxField* f = find_ctx_field(*type, off);
        if (f == nullptr || off + size > f->offset + f->size)
            return deny("context offset " + std::to_string(off) + " size " + std::to_string(size) +
                        " is not an accessible field of " + std::string(type->name));
        if (write) {
            if (!f->writable)
                return deny("context field '" + std::string(f->name) + "' is read-only");
            std::memcpy(p, &value, size);
            return true;
        }
        if (f->kind != CtxFieldKind::Scalar) {
            if (size != 4 || off != f->offset)
                return deny("packet pointer field '" + std::string(f->name) +
                            "' must be read with a 4-byte load");
            Tag t = f->kind == CtxFieldKind::PacketStart ? mem_->packet_tag()
                    : f->kind == CtxFieldKind::PacketEnd ? mem_->packet_end_tag()
                                                         : mem_->packet_meta_tag();
            regs_[dst] = reinterpret_cast<std::uintptr_t>(
                f->kind == CtxFieldKind::PacketStart ? mem_->data()
                : f->kind == CtxFieldKind::PacketEnd ? mem_->data_end()
                                                     : mem_->data_meta());
            tags_[dst] = t;
            init_ |= static_cast<std::uint16_t>(1u << dst);
            return true;
        }
        if (size < f->size && !f->narrow_reads)
            return deny("narrow load of context field '" + std::string(f->name) + "'");
    } else {
        if (write) return deny("the context of this program type is read-only");
        if (off % size != 0)
            return deny("misaligned context access at offset " + std::to_string(off));
    }
    std::uint64_t raw = 0;
    std::memcpy(&raw, p, size);
    regs_[dst] = sem::extend_load(raw, static_cast<Size>(size), op.flag);
    tags_[dst] = Tag{};
    init_ |= static_cast<std::uint16_t>(1u << dst);
    return true;
}

bool Engine::load(const Op& op) {
    BPFLAB_NEED(op.src);
    const Tag t = tags_[op.src];
    const std::uint64_t addr = regs_[op.src] + static_cast<std::uint64_t>(std::int64_t{op.off});
    if (t.kind == RegionKind::Context) return context_access(op, addr, false, 0, op.dst);
    std::uint8_t* p = mem_->check(t, addr, op.size, false, fault_);
    if (p == nullptr) return raise();
    Tag out;
    if (t.kind == RegionKind::Stack) {
        if (!mem_->stack_init(p, op.size))
            return fail(FaultKind::UninitStack,
                        "read of uninitialised stack bytes at fp" +
                            std::to_string(static_cast<std::int64_t>(
                                addr - (reinterpret_cast<std::uintptr_t>(t.base) + kStackSize))));
        const auto rel = static_cast<std::size_t>(p - mem_->stack_base());
        if (op.size == 8 && rel % 8 == 0) out = spills_[rel / 8];
    }
    std::uint64_t raw = 0;
    std::memcpy(&raw, p, op.size);
    regs_[op.dst] = sem::extend_load(raw, static_cast<Size>(op.size), op.flag);
    tags_[op.dst] = out;
    init_ |= static_cast<std::uint16_t>(1u << op.dst);
    return true;
}

bool Engine::store(const Op& op, std::uint64_t value, const Tag& value_tag) {
    BPFLAB_NEED(op.dst);
    const Tag t = tags_[op.dst];
    const std::uint64_t addr = regs_[op.dst] + static_cast<std::uint64_t>(std::int64_t{op.off});
    if (t.kind == RegionKind::Context) return context_access(op, addr, true, value, op.dst);
    std::uint8_t* p = mem_->check(t, addr, op.size, true, fault_);
    if (p == nullptr) return raise();
    std::memcpy(p, &value, op.size);
    if (t.kind == RegionKind::Stack) {
        mem_->mark_stack_init(p, op.size);
        const auto rel = static_cast<std::size_t>(p - mem_->stack_base());
        if (op.size == 8 && rel % 8 == 0) {
            spills_[rel / 8] = value_tag;
        } else {
            for (std::size_t s = rel / 8; s <= (rel + op.size - 1) / 8; ++s) spills_[s] = Tag{};
        }
    }
    return true;
}

bool Engine::raise() {
    fault_.pc = current_pc_;
    faulted_ = true;
    return false;
}

bool Engine::atomic(const Op& op) {
    const Atomic& a = std::get<Atomic>(object_.programs[program_].code.insns[op.insn]);
    if (a.op == AtomicOp::LoadAcquire) {
        Op l = op;
        l.dst = a.dst;
        l.src = a.src;
        l.flag = false;
        return load(l);
    }
    if (a.op == AtomicOp::StoreRelease) {
        BPFLAB_NEED(a.src);
        return store(op, regs_[a.src], tags_[a.src]);
    }
    BPFLAB_NEED(op.dst);
    BPFLAB_NEED(op.src);
    if (a.op == AtomicOp::Cmpxchg) BPFLAB_NEED(0);
    const Tag t = tags_[op.dst];
    const std::uint64_t addr = regs_[op.dst] + static_cast<std::uint64_t>(std::int64_t{op.off});
    if (t.kind == RegionKind::Context)
        return fail(FaultKind::ContextAccess, "atomic operation on the context");
    std::uint8_t* p = mem_->check(t, addr, op.size, true, fault_);
    if (p == nullptr) return raise();
    if (t.kind == RegionKind::Stack) {
        if (!mem_->stack_init(p, op.size))
            return fail(FaultKind::UninitStack, "atomic operation on uninitialised stack bytes");
        // The result is a number, whatever the slot held before (a spilled pointer included).
        const auto rel = static_cast<std::size_t>(p - mem_->stack_base());
        for (std::size_t s = rel / 8; s <= (rel + op.size - 1) / 8; ++s) spills_[s] = Tag{};
    }
    const bool wide = op.size == 8;
    const std::uint64_t mask = wide ? ~std::uint64_t{0} : 0xffffffffu;
    std::uint64_t old = 0;
    std::memcpy(&old, p, op.size);
    const std::uint64_t v = regs_[op.src] & mask;
    std::uint64_t next = old;
    switch (a.op) {
        case AtomicOp::Add:
            next = (old + v) & mask;
            break;
        case AtomicOp::Or:
            next = old | v;
            break;
        case AtomicOp::And:
            next = old & v;
            break;
        case AtomicOp::Xor:
            next = old ^ v;
            break;
        case AtomicOp::Xchg:
            next = v;
            break;
        case AtomicOp::Cmpxchg:
            next = old == (regs_[0] & mask) ? v : old;
            break;
        default:
            break;
    }
    std::memcpy(p, &next, op.size);
    if (a.op == AtomicOp::Cmpxchg) {
        regs_[0] = old;
        tags_[0] = Tag{};
        init_ |= 1u;
    } else if (a.fetch) {
        regs_[op.src] = old;
        tags_[op.src] = Tag{};
    }
    return true;
}

bool Engine::ld_packet(const Op& op) {
    // Legacy LD_ABS / LD_IND: r0 = ntoh(*(size *)(skb->data + imm [+ src])); a load outside
    // the packet ends the program with r0 = 0, as in the kernel. r1-r5 are clobbered.
    const ProgramTypeInfo* type = mem_->type();
    if (type == nullptr || !type->packet_context || type->prog_type == BPF_PROG_TYPE_XDP)
        return fail(FaultKind::Unsupported, "legacy packet load outside an skb program");
    if (op.flag) BPFLAB_NEED(op.src);
    const std::int64_t off =
        static_cast<std::int32_t>(static_cast<std::uint32_t>(op.imm) +
                                  (op.flag ? static_cast<std::uint32_t>(regs_[op.src]) : 0u));
    const std::int64_t len = mem_->data_end() - mem_->data();
    init_ &= static_cast<std::uint16_t>(~0x3eu);
    for (int r = 1; r <= 5; ++r) tags_[r] = Tag{};
    if (off < 0 || off + op.size > len) {
        regs_[0] = 0;
        tags_[0] = Tag{};
        init_ |= 1u;
        exit_program_ = true;
        return false;
    }
    const std::uint8_t* p = mem_->data() + off;
    std::uint64_t v = 0;
    for (int i = 0; i < op.size; ++i) v = (v << 8) | p[i];
    regs_[0] = v;
    tags_[0] = Tag{};
    init_ |= 1u;
    return true;
}

}  // namespace bpflab::vm
