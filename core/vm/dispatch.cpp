// SPDX-License-Identifier: Apache-2.0
// bpflab: the interpreter's threaded dispatch loop (GNU computed goto, one label per handler).
#include <cstring>

#include "core/semantics.hpp"
#include "core/vm/engine.hpp"

namespace bpflab::vm {
namespace {

/// Makes `t` a scalar's tag with two full-width stores. Field-wise stores (what `t = Tag{}`
/// compiles to) followed by the 16-byte loads of a tag copy defeat store forwarding, which
/// cost about half the dispatch loop's time on register moves after loads.
/// (A copy of a constant, not memset: GCC turns a 32-byte memset into `rep stos`.)
inline void clear_tag(Tag& t) {
    static constexpr Tag kScalar{};
    std::memcpy(static_cast<void*>(&t), &kScalar, sizeof(Tag));
}

// Pointer arithmetic keeps provenance for 64-bit add/sub; everything else yields a scalar.
template <AluOp O, bool Is64, bool IsX>
inline void alu_tag(Tag* tags, std::uint8_t dst, std::uint8_t src) {
    if constexpr (Is64 && IsX && O == AluOp::Mov) {
        tags[dst] = tags[src];
    } else if constexpr (Is64 && IsX && O == AluOp::Add) {
        const bool dp = tags[dst].kind != RegionKind::None;
        const bool sp = tags[src].kind != RegionKind::None;
        if (dp && sp) {
            clear_tag(tags[dst]);
        } else if (sp) {
            tags[dst] = tags[src];
        }
    } else if constexpr (Is64 && IsX && O == AluOp::Sub) {
        if (tags[src].kind != RegionKind::None) clear_tag(tags[dst]);
    } else if constexpr (Is64 && !IsX && (O == AluOp::Add || O == AluOp::Sub)) {
        // dst keeps its provenance
    } else if (tags[dst].kind != RegionKind::None) {
        clear_tag(tags[dst]);  // most results overwrite a scalar: no store at all
    }
}

template <AluOp O, bool Is64, bool IsX>
inline std::uint64_t alu_value(const std::uint64_t* regs, const Op& op) {
    const std::uint64_t src = IsX ? regs[op.src] : op.k;
    if constexpr (Is64) {
        return sem::alu<std::uint64_t>(O, regs[op.dst], src, op.size);
    } else {
        return sem::alu<std::uint32_t>(O, static_cast<std::uint32_t>(regs[op.dst]),
                                       static_cast<std::uint32_t>(src), op.size);
    }
}

constexpr bool reads_dst(AluOp o) { return o != AluOp::Mov && o != AluOp::MovSx; }

}  // namespace

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpedantic"

bool Engine::execute(std::uint32_t start, std::uint32_t stop_depth) {
    return options_->hook ? dispatch<true>(start, stop_depth) : dispatch<false>(start, stop_depth);
}

template <bool Hooked>
bool Engine::dispatch(std::uint32_t start, std::uint32_t stop_depth) {
    static void* const kTable[] = {
#define BPFLAB_ALU_LABELS(o) &&L_Alu64K_##o, &&L_Alu64X_##o, &&L_Alu32K_##o, &&L_Alu32X_##o,
        BPFLAB_ALU_OPS(BPFLAB_ALU_LABELS)
#undef BPFLAB_ALU_LABELS
#define BPFLAB_JMP_LABELS(c) &&L_Jmp64K_##c, &&L_Jmp64X_##c, &&L_Jmp32K_##c, &&L_Jmp32X_##c,
        BPFLAB_CONDS(BPFLAB_JMP_LABELS)
#undef BPFLAB_JMP_LABELS
        &&L_Endian, &&L_Ja, &&L_Load, &&L_Store, &&L_Atomic, &&L_LdImm,
        &&L_LdMap, &&L_LdMapValue, &&L_LdCode, &&L_LdPacket, &&L_CallHelper, &&L_CallLocal,
        &&L_Exit, &&L_MayGoto, &&L_Unsupported,
        // The unchecked twins (fast_code): registers proved initialised by init_flow.
#define BPFLAB_ALU_FAST_LABELS(o) &&F_Alu64K_##o, &&F_Alu64X_##o, &&F_Alu32K_##o, &&F_Alu32X_##o,
        BPFLAB_ALU_OPS(BPFLAB_ALU_FAST_LABELS)
#undef BPFLAB_ALU_FAST_LABELS
#define BPFLAB_JMP_FAST_LABELS(c) &&F_Jmp64K_##c, &&F_Jmp64X_##c, &&F_Jmp32K_##c, &&F_Jmp32X_##c,
        BPFLAB_CONDS(BPFLAB_JMP_FAST_LABELS)
#undef BPFLAB_JMP_FAST_LABELS
        &&F_Endian, &&L_Unsupported, &&F_Load, &&L_Unsupported, &&L_Unsupported,
        &&L_Unsupported, &&L_Unsupported, &&L_Unsupported, &&L_Unsupported, &&L_Unsupported,
        &&L_Unsupported, &&L_Unsupported, &&F_Exit, &&L_Unsupported, &&L_Unsupported,
        // Superinstructions (fuse.hpp); a hooked run executes their first op alone.
#define BPFLAB_FUSED_LABELS(o)                                                         \
    Hooked ? &&F_Alu64X_Mov : &&M_Alu64K_##o, Hooked ? &&F_Alu64X_Mov : &&M_Alu64X_##o, \
        Hooked ? &&F_Alu64X_Mov : &&M_Alu32K_##o, Hooked ? &&F_Alu64X_Mov : &&M_Alu32X_##o,
        BPFLAB_ALU_OPS(BPFLAB_FUSED_LABELS)
#undef BPFLAB_FUSED_LABELS
#define BPFLAB_FUSED_LABELS(o)                                             \
    Hooked ? &&F_Load : &&D_Alu64K_##o, Hooked ? &&F_Load : &&D_Alu64X_##o, \
        Hooked ? &&F_Load : &&D_Alu32K_##o, Hooked ? &&F_Load : &&D_Alu32X_##o,
        BPFLAB_ALU_OPS(BPFLAB_FUSED_LABELS)
#undef BPFLAB_FUSED_LABELS
#define BPFLAB_FUSED_LABELS(c)                                                         \
    Hooked ? &&F_Alu64K_Add : &&A_Jmp64K_##c, Hooked ? &&F_Alu64K_Add : &&A_Jmp64X_##c, \
        Hooked ? &&F_Alu64K_Add : &&A_Jmp32K_##c, Hooked ? &&F_Alu64K_Add : &&A_Jmp32X_##c,
        BPFLAB_CONDS(BPFLAB_FUSED_LABELS)
#undef BPFLAB_FUSED_LABELS
    };
    static_assert(std::size(kTable) == static_cast<std::size_t>(kOpCodes));

    const Op* ops = ops_for(program_).data();
    const Op* op = ops + start;
    // The instruction budget lives in a register for the loop and goes back to budget_ when
    // the loop leaves or calls out to code that reads it (helpers run callbacks through
    // execute()). current_pc_ is written only on the paths that can fault.
    struct Budget {
        std::uint64_t left;
        std::uint64_t* home;
        ~Budget() { *home = left; }
    } budget{budget_, &budget_};

#define BPFLAB_DISPATCH()                                              \
    do {                                                               \
        if (--budget.left == 0) goto budget_exhausted;                 \
        if constexpr (Hooked) {                                        \
            current_pc_ = op->pc;                                      \
            notify(op->pc);                                            \
        }                                                              \
        goto* kTable[static_cast<std::size_t>(op->code)];              \
    } while (0)
// BPFLAB_NEED for inline handlers: names the instruction before failing.
#define BPFLAB_NEED_HERE(r)                                                              \
    do {                                                                                 \
        if (!((init_ >> (r)) & 1u)) {                                                    \
            current_pc_ = op->pc;                                                        \
            return fail(FaultKind::UninitRegister,                                       \
                        "read of uninitialised register r" + std::to_string(int{r}));    \
        }                                                                                \
    } while (0)
#define BPFLAB_AT() (current_pc_ = op->pc)
#define BPFLAB_NEXT() \
    do {              \
        ++op;         \
        BPFLAB_DISPATCH(); \
    } while (0)
#define BPFLAB_REQUIRE(expr) \
    do {                     \
        if (!(expr)) return false; \
    } while (0)

    BPFLAB_DISPATCH();

// The bodies of ALU and JMP handlers over the op at `p` (superinstructions run two).
#define BPFLAB_ALU_BODY(o, is64, isx, p)                                            \
    regs_[(p)->dst] = alu_value<AluOp::o, is64, isx>(regs_, *(p));                  \
    alu_tag<AluOp::o, is64, isx>(tags_, (p)->dst, (p)->src);
#define BPFLAB_JMP_BODY(c, is64, isx, p)                                                 \
    {                                                                                    \
        const std::uint64_t b = isx ? regs_[(p)->src] : (p)->k;                          \
        const bool taken =                                                               \
            is64 ? sem::compare<std::uint64_t>(Cond::c, regs_[(p)->dst], b)             \
                 : sem::compare<std::uint32_t>(Cond::c,                                  \
                                               static_cast<std::uint32_t>(regs_[(p)->dst]), \
                                               static_cast<std::uint32_t>(b));           \
        if (taken) {                                                                     \
            op = ops + (p)->target;                                                      \
            BPFLAB_DISPATCH();                                                           \
        }                                                                                \
    }
// A superinstruction charges its second op here, exactly as its own dispatch would.
#define BPFLAB_SECOND()                  \
    do {                                 \
        if (--budget.left == 0) {        \
            ++op;                        \
            goto budget_exhausted;       \
        }                                \
    } while (0)

#define BPFLAB_ALU_HANDLER(o, is64, isx, checked, label)                            \
    label : {                                                                       \
        if constexpr (checked && isx) BPFLAB_NEED_HERE(op->src);                    \
        if constexpr (checked && reads_dst(AluOp::o)) BPFLAB_NEED_HERE(op->dst);    \
        BPFLAB_ALU_BODY(o, is64, isx, op)                                           \
        if constexpr (checked) init_ |= static_cast<std::uint16_t>(1u << op->dst);  \
        BPFLAB_NEXT();                                                              \
    }
// mov64 dst, src, then ALU op `o` (fuse.hpp).
#define BPFLAB_MOV_FUSED(o, is64, isx, label)     \
    label : {                                     \
        BPFLAB_ALU_BODY(Mov, true, true, op)      \
        BPFLAB_SECOND();                          \
        BPFLAB_ALU_BODY(o, is64, isx, op + 1)     \
        op += 2;                                  \
        BPFLAB_DISPATCH();                        \
    }
#define BPFLAB_ALU_HANDLERS(o)                                 \
    BPFLAB_ALU_HANDLER(o, true, false, true, L_Alu64K_##o)     \
    BPFLAB_ALU_HANDLER(o, true, true, true, L_Alu64X_##o)      \
    BPFLAB_ALU_HANDLER(o, false, false, true, L_Alu32K_##o)    \
    BPFLAB_ALU_HANDLER(o, false, true, true, L_Alu32X_##o)     \
    BPFLAB_ALU_HANDLER(o, true, false, false, F_Alu64K_##o)    \
    BPFLAB_ALU_HANDLER(o, true, true, false, F_Alu64X_##o)     \
    BPFLAB_ALU_HANDLER(o, false, false, false, F_Alu32K_##o)   \
    BPFLAB_ALU_HANDLER(o, false, true, false, F_Alu32X_##o)    \
    BPFLAB_MOV_FUSED(o, true, false, M_Alu64K_##o)             \
    BPFLAB_MOV_FUSED(o, true, true, M_Alu64X_##o)              \
    BPFLAB_MOV_FUSED(o, false, false, M_Alu32K_##o)            \
    BPFLAB_MOV_FUSED(o, false, true, M_Alu32X_##o)
    BPFLAB_ALU_OPS(BPFLAB_ALU_HANDLERS)
#undef BPFLAB_ALU_HANDLERS
#undef BPFLAB_MOV_FUSED
#undef BPFLAB_ALU_HANDLER

#define BPFLAB_JMP_HANDLER(c, is64, isx, checked, label)          \
    label : {                                                     \
        if constexpr (checked) BPFLAB_NEED_HERE(op->dst);         \
        if constexpr (checked && isx) BPFLAB_NEED_HERE(op->src);  \
        BPFLAB_JMP_BODY(c, is64, isx, op)                         \
        BPFLAB_NEXT();                                            \
    }
// add64 dst, imm, then JMP op `c` (fuse.hpp).
#define BPFLAB_ADD_JMP_FUSED(c, is64, isx, label)  \
    label : {                                      \
        BPFLAB_ALU_BODY(Add, true, false, op)      \
        BPFLAB_SECOND();                           \
        BPFLAB_JMP_BODY(c, is64, isx, op + 1)      \
        op += 2;                                   \
        BPFLAB_DISPATCH();                         \
    }
#define BPFLAB_JMP_HANDLERS(c)                               \
    BPFLAB_JMP_HANDLER(c, true, false, true, L_Jmp64K_##c)   \
    BPFLAB_JMP_HANDLER(c, true, true, true, L_Jmp64X_##c)    \
    BPFLAB_JMP_HANDLER(c, false, false, true, L_Jmp32K_##c)  \
    BPFLAB_JMP_HANDLER(c, false, true, true, L_Jmp32X_##c)   \
    BPFLAB_JMP_HANDLER(c, true, false, false, F_Jmp64K_##c)  \
    BPFLAB_JMP_HANDLER(c, true, true, false, F_Jmp64X_##c)   \
    BPFLAB_JMP_HANDLER(c, false, false, false, F_Jmp32K_##c) \
    BPFLAB_JMP_HANDLER(c, false, true, false, F_Jmp32X_##c)  \
    BPFLAB_ADD_JMP_FUSED(c, true, false, A_Jmp64K_##c)       \
    BPFLAB_ADD_JMP_FUSED(c, true, true, A_Jmp64X_##c)        \
    BPFLAB_ADD_JMP_FUSED(c, false, false, A_Jmp32K_##c)      \
    BPFLAB_ADD_JMP_FUSED(c, false, true, A_Jmp32X_##c)
    BPFLAB_CONDS(BPFLAB_JMP_HANDLERS)
#undef BPFLAB_JMP_HANDLERS
#undef BPFLAB_ADD_JMP_FUSED
#undef BPFLAB_JMP_HANDLER

L_Endian : {
    BPFLAB_NEED_HERE(op->dst);
}
F_Endian : {
    regs_[op->dst] = sem::endian(static_cast<EndianKind>(op->imm), op->size, regs_[op->dst]);
    if (tags_[op->dst].kind != RegionKind::None) clear_tag(tags_[op->dst]);
    BPFLAB_NEXT();
}
L_Ja : {
    op = ops + op->target;
    BPFLAB_DISPATCH();
}
// Fast path: a base register tagged packet or stack; the checks are the same as load()'s
// (region bounds, initialised stack bytes), only inlined. The unchecked twin knows that the
// base and the destination are initialised.
#define BPFLAB_LOAD_HANDLER(checked, label, after)                                                 \
    label : {                                                                                 \
        const Tag& t = tags_[op->src];                                                        \
        if ((!checked || ((init_ >> op->src) & 1u) != 0) &&                                   \
            (t.kind == RegionKind::Packet || t.kind == RegionKind::Stack)) {                  \
            const std::uint64_t addr =                                                        \
                regs_[op->src] + static_cast<std::uint64_t>(std::int64_t{op->off});           \
            const auto base = reinterpret_cast<std::uintptr_t>(                               \
                t.kind == RegionKind::Packet ? mem_->data() : t.base);                        \
            const std::uint64_t len =                                                         \
                t.kind == RegionKind::Packet                                                  \
                    ? static_cast<std::uint64_t>(mem_->data_end() - mem_->data())             \
                    : t.size;                                                                 \
            const auto* p = reinterpret_cast<const std::uint8_t*>(addr);                      \
            if (addr >= base && addr - base <= len && len - (addr - base) >= op->size &&      \
                (t.kind == RegionKind::Packet || mem_->stack_init(p, op->size))) {            \
                const std::uintptr_t rel =                                                    \
                    addr - reinterpret_cast<std::uintptr_t>(mem_->stack_base());              \
                const bool spill = t.kind == RegionKind::Stack && op->size == 8 && rel % 8 == 0; \
                std::uint64_t raw = 0;                                                        \
                switch (op->size) {                                                           \
                    case 1: raw = *p; break;                                                  \
                    case 2: std::memcpy(&raw, p, 2); break;                                   \
                    case 4: std::memcpy(&raw, p, 4); break;                                   \
                    default: std::memcpy(&raw, p, 8); break;                                  \
                }                                                                             \
                regs_[op->dst] = sem::extend_load(raw, static_cast<Size>(op->size), op->flag); \
                if (spill) {                                                                  \
                    tags_[op->dst] = spills_[rel / 8];                                        \
                } else if (tags_[op->dst].kind != RegionKind::None) {                         \
                    clear_tag(tags_[op->dst]);                                                \
                }                                                                             \
                if constexpr (checked) init_ |= static_cast<std::uint16_t>(1u << op->dst);    \
                after                                                                         \
            }                                                                                 \
        }                                                                                     \
        BPFLAB_AT();                                                                          \
        BPFLAB_REQUIRE(load(*op));                                                            \
        BPFLAB_NEXT();                                                                        \
    }
    BPFLAB_LOAD_HANDLER(true, L_Load, BPFLAB_NEXT();)
    BPFLAB_LOAD_HANDLER(false, F_Load, BPFLAB_NEXT();)
// A load, then ALU op `o` (fuse.hpp); off the inline path the load runs alone.
#define BPFLAB_LOAD_FUSED(o, is64, isx, label)                                   \
    BPFLAB_LOAD_HANDLER(false, label, BPFLAB_SECOND();                           \
                        BPFLAB_ALU_BODY(o, is64, isx, op + 1) op += 2;           \
                        BPFLAB_DISPATCH();)
#define BPFLAB_LOAD_FUSED_HANDLERS(o)                  \
    BPFLAB_LOAD_FUSED(o, true, false, D_Alu64K_##o)    \
    BPFLAB_LOAD_FUSED(o, true, true, D_Alu64X_##o)     \
    BPFLAB_LOAD_FUSED(o, false, false, D_Alu32K_##o)   \
    BPFLAB_LOAD_FUSED(o, false, true, D_Alu32X_##o)
    BPFLAB_ALU_OPS(BPFLAB_LOAD_FUSED_HANDLERS)
#undef BPFLAB_LOAD_FUSED_HANDLERS
#undef BPFLAB_LOAD_FUSED
#undef BPFLAB_LOAD_HANDLER
L_Store : {
    BPFLAB_AT();
    if (op->flag) {
        BPFLAB_NEED(op->src);
        BPFLAB_REQUIRE(store(*op, regs_[op->src], tags_[op->src]));
    } else {
        BPFLAB_REQUIRE(store(*op, op->k, Tag{}));
    }
    BPFLAB_NEXT();
}
L_Atomic : {
    BPFLAB_AT();
    BPFLAB_REQUIRE(atomic(*op));
    BPFLAB_NEXT();
}
L_LdImm : {
    regs_[op->dst] = op->k;
    clear_tag(tags_[op->dst]);
    init_ |= static_cast<std::uint16_t>(1u << op->dst);
    BPFLAB_NEXT();
}
L_LdMap : {
    BPFLAB_AT();
    if (op->k >= maps_.size())
        return fail(FaultKind::Unsupported, "reference to map " + std::to_string(op->k) +
                                                " which does not exist");
    regs_[op->dst] = reinterpret_cast<std::uintptr_t>(&maps_.at(op->k));
    tags_[op->dst] = Tag{RegionKind::MapPtr, false, nullptr, 0, static_cast<std::uint32_t>(op->k)};
    init_ |= static_cast<std::uint16_t>(1u << op->dst);
    BPFLAB_NEXT();
}
L_LdMapValue : {
    BPFLAB_AT();
    if (op->k >= maps_.size() || !maps_.at(op->k).is_array_like() ||
        maps_.at(op->k).arena().empty())
        return fail(FaultKind::Unsupported,
                    "direct value reference to map " + std::to_string(op->k) +
                        " which is not a global-data array");
    Map& m = maps_.at(op->k);
    const std::uint32_t vs = m.def().value_size;
    regs_[op->dst] = reinterpret_cast<std::uintptr_t>(m.arena().data()) +
                     static_cast<std::uint64_t>(std::int64_t{op->imm});
    tags_[op->dst] = Tag{RegionKind::MapValue, !m.def().read_only(), m.arena().data(), vs,
                         static_cast<std::uint32_t>(op->k)};
    init_ |= static_cast<std::uint16_t>(1u << op->dst);
    BPFLAB_NEXT();
}
L_LdCode : {
    regs_[op->dst] = object_.programs[program_].code.pc[op->target];
    tags_[op->dst] = Tag{RegionKind::Code, false, nullptr, 0, op->target};
    init_ |= static_cast<std::uint16_t>(1u << op->dst);
    BPFLAB_NEXT();
}
L_LdPacket : {
    BPFLAB_AT();
    BPFLAB_REQUIRE(ld_packet(*op));  // a failed load ends the program (exit_program_)
    BPFLAB_NEXT();
}
L_CallHelper : {
    BPFLAB_AT();
    budget_ = budget.left;  // callbacks run nested loops that count against the same budget
    const bool helper_ok = call_helper(*op);
    budget.left = budget_;
    BPFLAB_REQUIRE(helper_ok);
    if (pending_tail_call_ >= 0) {
        if (depth() != 0 || stop_depth != 0)
            return fail(FaultKind::Unsupported, "tail call from a subprogram is not emulated");
        program_ = static_cast<std::uint32_t>(pending_tail_call_);
        pending_tail_call_ = -1;
        ops = ops_for(program_).data();
        op = ops;
        mem_->reset_frame(0);  // spill tags follow the init map (see push_frame)
        // The new program starts like an entry: r1 = the context, r10 = the frame.
        regs_[1] = reinterpret_cast<std::uintptr_t>(mem_->context());
        tags_[1] = mem_->context_tag();
        init_ = static_cast<std::uint16_t>((1u << 1) | (1u << 10));
        BPFLAB_DISPATCH();
    }
    BPFLAB_NEXT();
}
L_CallLocal : {
    BPFLAB_AT();
    auto index = static_cast<std::uint32_t>(op - ops);
    BPFLAB_REQUIRE(call_local(*op, index));
    op = ops + index;
    BPFLAB_DISPATCH();
}
L_Exit : {
    BPFLAB_NEED_HERE(0);
}
F_Exit : {
    if (depth() == stop_depth) {
        if (stop_depth > 0) pop_frame();
        return true;
    }
    const std::uint32_t ret = frames_.back().return_index;
    pop_frame();
    op = ops + ret;
    BPFLAB_DISPATCH();
}
L_MayGoto : {
    if (may_goto_budget_ == 0) {
        op = ops + op->target;
        BPFLAB_DISPATCH();
    }
    --may_goto_budget_;
    BPFLAB_NEXT();
}
L_Unsupported : {
    BPFLAB_AT();
    return fail(FaultKind::Unsupported,
                unsupported_reason(object_.programs[program_].code.insns[op->insn]));
}
budget_exhausted:
    BPFLAB_AT();
    budget.left = 1;
    return fail(FaultKind::InstructionBudget,
                "instruction budget of " + std::to_string(options_->instruction_budget) +
                    " exhausted");

#undef BPFLAB_SECOND
#undef BPFLAB_JMP_BODY
#undef BPFLAB_ALU_BODY
#undef BPFLAB_AT
#undef BPFLAB_NEED_HERE
#undef BPFLAB_REQUIRE
#undef BPFLAB_NEXT
#undef BPFLAB_DISPATCH
}

template bool Engine::dispatch<true>(std::uint32_t, std::uint32_t);
template bool Engine::dispatch<false>(std::uint32_t, std::uint32_t);

#pragma GCC diagnostic pop

}  // namespace bpflab::vm
