// SPDX-License-Identifier: Apache-2.0
// bpflab: the abstract transfer of every instruction and edge over AbsState<S>, and the safety
// conditions each instruction must meet (DESIGN.md decisions 5 and 6).
//
// One Analyzer serves the fixpoint (no sink: conditions are not reported, states still
// follow the same transfer) and the check pass (a sink collects the failed conditions and,
// when asked, the state before every instruction). After a failed condition the transfer goes
// on soundly (the loaded value becomes an unknown scalar, and so on), so one run reports every
// failure it can see.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "checker/verifier/findings.hpp"
#include "checker/verifier/graph.hpp"
#include "checker/verifier/state.hpp"
#include "core/asm.hpp"
#include "core/platform.hpp"
#include "core/program.hpp"
#include "domains/kernel.hpp"

namespace bpflab::verify {

/// Analysis options that change what is proved.
struct CheckOptions {
    Caps caps = Caps::Bpf;
    bool packet_range = true;  ///< use the kernel-style checked range of packet pointers
};

/// Where the check pass reports.
struct Sink {
    std::vector<Finding> findings;
    /// Called with (vertex, instruction index, state text) before every instruction, when set.
    std::function<void(std::size_t, std::uint32_t, const std::string&)> on_state;
    /// Per context: the lowest stack offset (from the frame's bottom, r10 = 512) the context's
    /// own frame is accessed at; filled by the check pass for the stack-depth limit.
    std::vector<std::int64_t> stack_low;
};

template <dom::NumericState S>
class Analyzer {
  public:
    using State = AbsState<S>;

    Analyzer(const Program& program, const std::vector<MapDef>& maps, const Graph& graph,
             const Layout& layout, CheckOptions options)
        : p_(program),
          maps_(maps),
          g_(graph),
          lay_(layout),
          opt_(options),
          type_(program_type_info(program.prog_type)) {}

    /// The state at program entry: r1 = ctx, r10 = frame 0's top, the rest uninitialised.
    [[nodiscard]] State entry_state() const;
    /// The state after vertex v's instructions, given the state before them.
    [[nodiscard]] State transfer_block(std::size_t v, const State& pre, Sink* sink) const;
    /// The state after instruction `i` of vertex v (no conditions reported).
    [[nodiscard]] State transfer_insn(std::size_t v, std::uint32_t i, const State& pre) const;
    /// The state flowing along u -> v (branch refinement, frames pushed and popped, loop
    /// counters); bottom for a dead edge.
    [[nodiscard]] State edge(std::size_t u, std::size_t v, const State& post) const;
    /// The state of one register in kernel log notation ("pkt(off=14,r=34)", "scalar(...)").
    [[nodiscard]] std::string describe(const State& st, int frame, int r) const;
    /// Every initialised register of the innermost frame, kernel log style ("R1=ctx() R10=fp0").
    [[nodiscard]] std::string describe_state(const State& st) const;
    /// Whether the loop counter of loop `l` has a finite bound in `st` (st at the loop's head).
    [[nodiscard]] bool loop_bounded(std::size_t l, const State& st) const;

  private:
    struct Ctx {
        const State* pre = nullptr;  ///< state before the instruction (for reports)
        Sink* sink = nullptr;
        std::size_t vertex = 0;
        std::uint32_t index = 0;  ///< instruction index
        int frame = 0;
        std::uint32_t uid = 0;  ///< a number unique to (context, instruction): fresh ids
    };

    void step(State& st, const Ctx& c) const;
    /// Records, for the stack-depth limit, an access at offset `lo` of frame `frame`.
    void note_stack(const Ctx& c, int frame, std::int64_t lo) const;
    void fail(const Ctx& c, Check code, std::string message,
              std::vector<std::pair<std::string, std::string>> values = {}) const;
    [[nodiscard]] std::pair<std::string, std::string> value(const State& st, int frame,
                                                            int r) const;

    // ---- registers ----
    [[nodiscard]] dom::Var var(int frame, int r) const { return lay_.reg(frame, r); }
    RegType& reg(State& st, int frame, int r) const { return st.frames[frame].regs[r]; }
    /// Reads register r: reports a possibly uninitialised register.
    bool read(State& st, const Ctx& c, int r) const;
    void set_scalar(State& st, int frame, int r) const;
    void set_uninit(State& st, int frame, int r) const;
    /// Sets register r to an unknown scalar of `bytes` bytes, sign-extended when `sign`.
    void set_loaded(State& st, int frame, int r, int bytes, bool sign) const;
    void assume_range(State& st, dom::Var x, std::uint64_t lo, std::uint64_t hi) const;
    /// Forgets a null-check or packet id in every register and slot except (frame, r).
    void forget_id(State& st, std::uint32_t id) const;

    // ---- instructions ----
    void alu(State& st, const Ctx& c, const Alu& a) const;
    void pointer_arith(State& st, const Ctx& c, const Alu& a) const;
    void jump_checks(State& st, const Ctx& c, const Jmp& j) const;
    void load(State& st, const Ctx& c, const Load& l) const;
    void store(State& st, const Ctx& c, const Store& s) const;
    void atomic(State& st, const Ctx& c, const Atomic& a) const;
    void ldimm(State& st, const Ctx& c, const LdImm64& l) const;
    void ld_packet(State& st, const Ctx& c, const LdPacket& l) const;
    void call(State& st, const Ctx& c, const Call& call) const;
    void exit(State& st, const Ctx& c) const;

    // ---- memory ----
    enum class Access : std::uint8_t { Read, Write };
    /// Checks an access of `size` bytes at (register r) + off; returns the region's kind when
    /// the access is allowed. `value` is the register stored (-1 for an immediate or a read).
    std::optional<Kind> check_access(State& st, const Ctx& c, int r, std::int64_t off, int size,
                                     Access acc, int value) const;
    /// Whether `x + lo_add` .. `x + hi_add` lies within [0, limit] for every value of x, where
    /// limit is a variable (the packet size): tried on the intervals, then by refutation in S.
    [[nodiscard]] bool entails_below(const State& st, dom::Var x, std::int64_t add,
                                     dom::Var limit) const;
    /// The signed bounds of x.
    [[nodiscard]] std::pair<std::int64_t, std::int64_t> sbounds(const State& st, dom::Var x) const;
    [[nodiscard]] std::optional<std::int64_t> constant(const State& st, dom::Var x) const;
    /// Slot s of `frame` holds nothing known any more (bytes stay initialised).
    void forget_slot(State& st, int frame, std::size_t s) const;
    void stack_write(State& st, const Ctx& c, int frame, std::int64_t lo, std::int64_t hi, int size,
                     int value) const;
    bool stack_read(State& st, const Ctx& c, int frame, std::int64_t lo, std::int64_t hi, int size,
                    int dst, bool sign) const;
    /// Checks `size` readable (initialised when `init`) or writable bytes at register r for a
    /// helper argument; marks stack bytes written when `marks`.
    bool helper_memory(State& st, const Ctx& c, int r, std::int64_t size_lo, std::int64_t size_hi,
                       bool write, bool marks, const char* what) const;

    /// Whether r2 points at a 4-byte key, below max_entries on every path, of an array map
    /// (such a lookup never misses: its result is not NULL).
    [[nodiscard]] bool array_key_in_range(State& st, int frame, const MapDef* map) const;

    /// Whether [p, p + end) lies within p's checked packet range (p of type t, offset in x).
    [[nodiscard]] bool in_checked_range(const State& st, const RegType& t, dom::Var x,
                                        std::int64_t end) const;

    // ---- edges ----
    /// Meets every copy of scalar register r (same id) with r's refined number.
    void sync_copies(State& st, int frame, int r) const;
    void refine(State& st, int frame, const Jmp& j, bool holds) const;
    /// Enters a new frame: its r1..r5 copied from registers `src[1..5]` of frame `from` (-1:
    /// uninitialised), r10 its own frame pointer.
    void push_frame(State& st, const std::array<int, 6>& src, int from) const;
    void pop_frame(State& st) const;
    void clobber_caller_saved(State& st, int frame) const;

    [[nodiscard]] const MapDef* map_of(const RegType& t) const {
        return t.map >= 0 && static_cast<std::size_t>(t.map) < maps_.size() ? &maps_[t.map]
                                                                            : nullptr;
    }
    [[nodiscard]] std::string insn_text(std::uint32_t index) const {
        return print_instruction(p_.code.insns[index], Syntax::Linux);
    }

    const Program& p_;
    const std::vector<MapDef>& maps_;
    const Graph& g_;
    const Layout& lay_;
    CheckOptions opt_;
    const ProgramTypeInfo* type_;
};

}  // namespace bpflab::verify

#include "checker/verifier/analyzer_alu.hpp"
#include "checker/verifier/analyzer_call.hpp"
#include "checker/verifier/analyzer_describe.hpp"
#include "checker/verifier/analyzer_mem.hpp"
