// SPDX-License-Identifier: Apache-2.0
// bpflab: interpreter internals shared by the dispatch loop and the helpers (not installed).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/vm/interp.hpp"

namespace bpflab::vm {

// Every handler of the threaded dispatch loop. ALU and JMP handlers are specialised by
// operation, width and source so the loop body does no decoding at run time.
#define BPFLAB_ALU_OPS(X)                                                                        \
    X(Add)                                                                                       \
    X(Sub) X(Mul) X(Div) X(SDiv) X(Mod) X(SMod) X(Or) X(And) X(Xor) X(Lsh) X(Rsh) X(Arsh) X(Neg) \
        X(Mov) X(MovSx)
/// Fails the run when register `r` was never written (inside Engine members).
#define BPFLAB_NEED(r)                                                                \
    do {                                                                              \
        if (!((init_ >> (r)) & 1u))                                                   \
            return fail(FaultKind::UninitRegister,                                    \
                        "read of uninitialised register r" + std::to_string(int{r})); \
    } while (0)

#define BPFLAB_CONDS(X) X(Eq) X(Ne) X(Set) X(Gt) X(Ge) X(Lt) X(Le) X(Sgt) X(Sge) X(Slt) X(Sle)

enum class OpCode : std::uint16_t {
#define BPFLAB_ALU_CODES(o) Alu64K_##o, Alu64X_##o, Alu32K_##o, Alu32X_##o,
    BPFLAB_ALU_OPS(BPFLAB_ALU_CODES)
#undef BPFLAB_ALU_CODES
#define BPFLAB_JMP_CODES(c) Jmp64K_##c, Jmp64X_##c, Jmp32K_##c, Jmp32X_##c,
        BPFLAB_CONDS(BPFLAB_JMP_CODES)
#undef BPFLAB_JMP_CODES
            Endian,
    Ja,
    Load,
    Store,
    Atomic,
    LdImm,
    LdMap,
    LdMapValue,
    LdCode,
    LdPacket,
    CallHelper,
    CallLocal,
    Exit,
    MayGoto,
    Unsupported,
    Count
    // Count + c is the unchecked twin of ALU, JMP, Endian, Load and Exit code c (fast_code).
};

/// The twin of `c` that skips register-initialised tests (chosen by init_flow.hpp).
[[nodiscard]] constexpr OpCode fast_code(OpCode c) {
    return static_cast<OpCode>(static_cast<int>(OpCode::Count) + static_cast<int>(c));
}

// Superinstructions (fuse.hpp): an unchecked 64-bit register move, load, or 64-bit add of an
// immediate, and the unchecked op after it, in one dispatch. The fused code names the second
// op's kind; both ops keep their fields (and the second its own code, for jumps into it).
inline constexpr int kAluCodes = static_cast<int>(OpCode::Jmp64K_Eq);
inline constexpr int kJmpCodes = static_cast<int>(OpCode::Endian) - kAluCodes;
inline constexpr int kFusedMov = 2 * static_cast<int>(OpCode::Count);
inline constexpr int kFusedLoad = kFusedMov + kAluCodes;
inline constexpr int kFusedAddJmp = kFusedLoad + kAluCodes;
inline constexpr int kOpCodes = kFusedAddJmp + kJmpCodes;
/// `mov64 dst, src` followed by ALU code `alu` (unfused, < kAluCodes).
[[nodiscard]] constexpr OpCode fused_mov(OpCode alu) {
    return static_cast<OpCode>(kFusedMov + static_cast<int>(alu));
}
/// A load followed by ALU code `alu`.
[[nodiscard]] constexpr OpCode fused_load(OpCode alu) {
    return static_cast<OpCode>(kFusedLoad + static_cast<int>(alu));
}
/// `add64 dst, imm` followed by JMP code `jmp`.
[[nodiscard]] constexpr OpCode fused_add_jmp(OpCode jmp) {
    return static_cast<OpCode>(kFusedAddJmp + static_cast<int>(jmp) - kAluCodes);
}

// The handler of ALU operation `o` is at 4 * o (+2 for 32-bit, +1 for a register source),
// so the list above must follow the order of AluOp; likewise for Cond.
static_assert(static_cast<int>(OpCode::Alu64K_MovSx) == 4 * static_cast<int>(AluOp::MovSx));
static_assert(static_cast<int>(OpCode::Alu64K_Neg) == 4 * static_cast<int>(AluOp::Neg));
static_assert(static_cast<int>(OpCode::Jmp64K_Sle) - static_cast<int>(OpCode::Jmp64K_Eq) ==
              4 * static_cast<int>(Cond::Sle));
static_assert(static_cast<int>(OpCode::Jmp64K_Set) - static_cast<int>(OpCode::Jmp64K_Eq) ==
              4 * static_cast<int>(Cond::Set));

/// One predecoded instruction.
struct Op {
    OpCode code = OpCode::Unsupported;
    std::uint8_t dst = 0;
    std::uint8_t src = 0;
    std::uint8_t size = 0;  ///< memory access bytes; endian bits / 8; movsx source bits
    bool flag = false;      ///< Load: sign-extend; Store: source is a register; LdPacket: IND
    std::int16_t off = 0;
    std::int32_t imm = 0;
    std::uint64_t k = 0;       ///< sign-extended immediate, 64-bit immediate, or map index
    std::uint32_t pc = 0;      ///< slot of this instruction
    std::uint32_t target = 0;  ///< instruction index of a jump or local call target
    std::uint32_t insn = 0;    ///< index into Program::code.insns
};

/// Why an instruction is not executed (gotox, arena casts, kfuncs, BTF variable loads).
[[nodiscard]] std::string unsupported_reason(const Instruction& insn);

/// Fills the scalar fields of an skb or xdp context from the packet (length, protocol,
/// interface), keeping values the caller supplied in the context bytes where they are nonzero.
void fill_packet_context(AddressSpace& mem, const ProgramTypeInfo& type,
                         const std::vector<std::uint8_t>& packet);

/// A saved caller frame.
struct Frame {
    std::uint32_t return_index = 0;
    std::uint64_t saved[4] = {};  ///< r6..r9
    Tag saved_tags[4];
    std::uint16_t saved_init = 0;
};

/// The predecoded programs of an Object and the state of the current run.
class Engine {
  public:
    Engine(const Object& object, MapSet& maps);
    /// Runs into `result` (cleared first, its buffers reused).
    void run(std::size_t program, const RunInput& input, const RunOptions& options,
             RunResult& result);

    // ---- used by the helpers (helpers.cpp) ----
    /// Executes the helper with id `id`; false (with fault_ set) when the run must stop.
    bool call_helper(const Op& op);
    /// Checks that register `r` points to `size` bytes of memory, readable or writable.
    std::uint8_t* helper_mem(int r, std::uint64_t size, bool write, const char* what);
    bool fail(FaultKind kind, std::string message);
    /// Stops the run with the fault already described in fault_ (by AddressSpace::check).
    bool raise();

    const Object& object_;
    MapSet& maps_;
    std::vector<std::vector<Op>> ops_;  ///< per program, predecoded on first use

    // Run state.
    std::uint64_t regs_[11] = {};
    Tag tags_[11];
    std::uint16_t init_ = 0;
    std::vector<Frame> frames_;
    std::vector<Tag> spills_;  ///< provenance of each 8-byte stack slot, all frames
    AddressSpace* mem_ = nullptr;
    std::unique_ptr<AddressSpace> space_;  ///< kept across runs
    const ProgramTypeInfo* space_type_ = nullptr;
    const RunInput* input_ = nullptr;
    const RunOptions* options_ = nullptr;
    RunResult* result_ = nullptr;
    Fault fault_;
    bool faulted_ = false;
    std::uint32_t program_ = 0;
    std::uint32_t current_pc_ = 0;
    std::uint64_t budget_ = 0;
    std::uint64_t may_goto_budget_ = 0;
    std::uint32_t tail_calls_ = 0;
    std::uint64_t rng_ = 0;
    std::int64_t pending_tail_call_ = -1;  ///< program index requested by bpf_tail_call
    bool exit_program_ = false;            ///< end the whole run now (failed LD_ABS)

  private:
    const std::vector<Op>& ops_for(std::uint32_t program);
    /// Runs from op `start` until the function at depth `stop_depth` exits.
    bool execute(std::uint32_t start, std::uint32_t stop_depth);
    /// The dispatch loop; `Hooked` calls the trace hook before every instruction, so a run
    /// without a hook pays nothing for it.
    template <bool Hooked>
    bool dispatch(std::uint32_t start, std::uint32_t stop_depth);
    bool load(const Op& op);
    bool store(const Op& op, std::uint64_t value, const Tag& value_tag);
    bool atomic(const Op& op);
    bool context_access(const Op& op, std::uint64_t addr, bool write, std::uint64_t value, int dst);
    bool call_local(const Op& op, std::uint32_t& index);
    bool ld_packet(const Op& op);
    void notify(std::uint32_t pc);

  public:
    /// Calls the subprogram at op index `target` with r1..r5 already set (bpf_loop callbacks).
    bool call_callback(std::uint32_t target);
    [[nodiscard]] std::uint32_t depth() const { return static_cast<std::uint32_t>(frames_.size()); }
    void push_frame(std::uint32_t return_index);
    void pop_frame();
};

}  // namespace bpflab::vm
