// SPDX-License-Identifier: Apache-2.0
// bpflab: the graph the verifier iterates over — basic blocks of every function, inlined at
// each call site (a context per call chain), with bpf_loop callbacks as loops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "checker/verifier/findings.hpp"
#include "core/program.hpp"

namespace bpflab::verify {

inline constexpr int kMaxFrames = 8;
inline constexpr std::int32_t kHelperLoop = 181;  ///< bpf_loop
inline constexpr unsigned kMaxUnroll = 1024;      ///< iterations unroll_loops copies at most

/// How control flows along an edge, which decides its transfer (verifier/transfer.hpp).
enum class FlowKind : std::uint8_t {
    Fallthrough,    ///< to the next block
    Goto,           ///< an unconditional jump
    Taken,          ///< the condition of the block's last instruction holds
    NotTaken,       ///< it does not
    Call,           ///< a local call: into the callee's entry, one frame deeper
    Return,         ///< a callee's exit: back after the call site, one frame up
    CallbackEnter,  ///< bpf_loop's call: into the callback's entry, one frame deeper
    CallbackAgain,  ///< the callback's exit: into its entry again (the next iteration)
    CallbackDone,   ///< the callback's exit: after the bpf_loop call, one frame up
};

/// One function instance: the entry function (context 0), or a function called along a chain.
struct Context {
    std::size_t function = 0;   ///< index into ProgramCfg::functions
    std::int64_t parent = -1;   ///< calling context, -1 for the entry
    std::uint32_t call_pc = 0;  ///< slot of the call (or bpf_loop call) in the parent
    std::uint8_t frame = 0;     ///< call depth: 0 for the entry
    bool callback = false;      ///< entered through bpf_loop
    std::string chain;          ///< "" for the entry, "f@12 > g@40" (callee@call slot) below
};

/// A straight-line run of instructions in one context; only its last instruction may branch,
/// call, or exit. `insns` are indices into Check::insns.
struct Vertex {
    std::uint32_t context = 0;
    std::uint32_t first = 0;  ///< first instruction index
    std::uint32_t last = 0;   ///< last instruction index (inclusive)
    /// In a loop of `Graph::unrolled`: the iteration this copy of the body runs, from 1 (0 for
    /// a vertex of no unrolled loop). The last copy runs it and every later one (`and_later`).
    std::uint16_t iteration = 0;
    bool and_later = false;
};

struct Flow {
    std::uint32_t to = 0;
    FlowKind kind = FlowKind::Fallthrough;
};

/// A loop whose termination must be proved: a head vertex and the edges that close the loop.
struct LoopHead {
    std::uint32_t head = 0;
    std::vector<std::uint32_t> back_sources;  ///< vertices with a back edge into the head
};

/// A loop whose first iterations each have their own copy of the body (unroll_loops).
struct UnrolledLoop {
    std::uint32_t head_insn = 0;  ///< instruction index of the loop head
    std::uint32_t context = 0;
    std::uint16_t copies = 0;  ///< iterations with their own copy; later ones share one more
    std::vector<std::uint32_t> heads;  ///< the head's copy per iteration, the last for later ones
};

/// The inlined graph of one program.
struct Graph {
    std::vector<Context> contexts;
    std::vector<Vertex> vertices;                ///< vertex 0 is the program entry
    std::vector<std::vector<Flow>> out;          ///< out-edges (may repeat a target)
    std::vector<std::vector<std::size_t>> succ;  ///< distinct successors
    std::vector<std::vector<std::size_t>> pred;  ///< distinct predecessors
    std::vector<LoopHead> loops;                 ///< the program's own loops (not callbacks)
    std::vector<UnrolledLoop> unrolled;          ///< loops unroll_loops copied
    /// Problems found while building: recursion, too deep calls, unknown call targets,
    /// `gotox`, a bpf_loop whose callback is not a constant. A program with problems is
    /// rejected; the graph still covers what could be built.
    std::vector<Finding> problems;

    /// The flow kinds from `u` to `v` (one or two: a jump by 0 gives both sides).
    [[nodiscard]] std::vector<FlowKind> flows(std::size_t u, std::size_t v) const;
    /// Whether u -> v closes a loop of `loops` (u is one of its back sources).
    [[nodiscard]] bool is_back_edge(std::size_t u, std::size_t v) const;
    /// Index into `loops` of the loop headed by v, or -1.
    [[nodiscard]] std::int64_t loop_of_head(std::size_t v) const;
    [[nodiscard]] std::uint8_t frame_of(std::size_t v) const {
        return contexts[vertices[v].context].frame;
    }
    /// The natural loop of `loop`: per vertex, whether it lies on a path from the head to one
    /// of its back sources (the head included).
    [[nodiscard]] std::vector<char> loop_body(const LoopHead& loop) const;
    /// Recomputes `succ` and `pred` from `out`.
    void link();
};

/// Builds the inlined graph of `program` (its CFG from core/cfg.hpp, calls inlined up to
/// kMaxFrames deep).
[[nodiscard]] Graph build_graph(const Program& program);

/// `graph` with its innermost loops unrolled: every loop of `graph.loops` whose body stays in
/// its context, calls nothing, and holds no other loop's head gets `iterations` copies of its
/// body, one per iteration, the back edges of each copy leading into the head of the next; one
/// more copy keeps its back edges and runs every later iteration. So the graph still covers any
/// trip count, while a domain that proves the bound finds the last copy unreachable, and no
/// iteration's state is joined with another's. A loop gets fewer copies when `iterations`
/// copies would add more than `budget` instructions (none when even one would), and at most
/// kMaxUnroll. The loop's
/// LoopHead moves to the last copy; other loops keep their back sources' copies.
[[nodiscard]] Graph unroll_loops(const Graph& graph, unsigned iterations, std::size_t budget);

}  // namespace bpflab::verify
