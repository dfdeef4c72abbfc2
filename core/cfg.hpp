// SPDX-License-Identifier: Apache-2.0
// bpflab: control-flow graph of a Program — functions, basic blocks, call graph, loops, WTO.
#pragma once

#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/program.hpp"
#include "core/wto.hpp"

namespace bpflab {

/// How control leaves a block along an edge: the fall-through of an ordinary instruction, the
/// two sides of a conditional jump or `may_goto`, or an unconditional `goto`.
enum class EdgeKind : std::uint8_t { Fallthrough, Taken, NotTaken, Goto };

/// "fallthrough", "taken", "not-taken", "goto".
[[nodiscard]] std::string_view edge_kind_name(EdgeKind k);

/// Edge bundle of a function graph. `back` marks retreating edges of a depth-first search
/// from the entry block (edges to a block still on the search stack).
struct CfgEdgeInfo {
    EdgeKind kind = EdgeKind::Fallthrough;
    bool back = false;
};

/// A function's blocks as a Boost.Graph: vertex i is `FunctionCfg::blocks[i]`.
using BlockGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS,
                                         boost::no_property, CfgEdgeInfo>;

/// A maximal straight-line run of instructions. Leaders are function starts, jump targets and
/// instructions after a jump, `exit` or `gotox`. A local call does not end a block.
struct BasicBlock {
    std::uint32_t start_pc = 0;
    std::uint32_t end_pc = 0;        ///< one past the last slot (a 64-bit load takes two)
    std::vector<std::uint32_t> pcs;  ///< first slot of each instruction, in order
    bool reachable = false;          ///< reachable from the entry block of its function
};

/// A natural loop: the head dominates every block of the body, and each back edge goes from
/// the body to the head. Back edges sharing a head form one loop.
struct Loop {
    std::size_t head = 0;                 ///< block id
    std::vector<std::size_t> blocks;      ///< block ids, sorted, head included
    std::vector<std::size_t> back_edges;  ///< source block of each back edge into `head`
    std::size_t depth = 1;                ///< 1 for an outermost loop, +1 per enclosing loop
    std::int64_t parent = -1;             ///< index of the innermost enclosing loop, or -1
};

/// The intraprocedural CFG of one function: pcs [start_pc, end_pc), block 0 is the entry.
/// A local call is an ordinary instruction that falls through; it adds a call-graph edge.
struct FunctionCfg {
    std::string name;
    std::uint32_t start_pc = 0;
    std::uint32_t end_pc = 0;
    std::vector<BasicBlock> blocks;  ///< sorted by start_pc
    BlockGraph graph;                ///< out-edges in order: taken/goto before not-taken
    std::vector<std::pair<std::size_t, std::size_t>> back_edges;  ///< (source, head) blocks
    std::vector<Loop> loops;   ///< outer loops before the loops they contain
    bool irreducible = false;  ///< a back edge whose target does not dominate its source
    Wto wto;                   ///< over block ids, from block 0; unreachable blocks absent
    std::vector<std::uint32_t> unreachable;  ///< pcs not reachable from the function entry
    bool called = false;  ///< reachable by calls from the program entry (true for the entry)

    /// The block containing `pc`, or -1 when `pc` is outside the function or an lddw tail.
    [[nodiscard]] std::int64_t block_of(std::uint32_t pc) const;
    /// Successor block ids of block `b`, in out-edge order (may repeat for a jump by 0).
    [[nodiscard]] std::vector<std::size_t> successors(std::size_t b) const;
};

/// A bpf-to-bpf call site: function `caller` calls function `callee` at slot `pc`.
struct CallEdge {
    std::size_t caller = 0;
    std::size_t callee = 0;
    std::uint32_t pc = 0;
};

/// The CFG of a whole program. Functions start at pc 0 and at every local call target (and at
/// the starts listed in Program::functions); function i ends where function i+1 starts.
struct ProgramCfg {
    std::vector<FunctionCfg> functions;  ///< sorted by start_pc; function 0 is the entry
    std::vector<CallEdge> calls;         ///< sorted by pc
    /// Each group of mutually recursive functions (a call-graph cycle), as function indices.
    std::vector<std::vector<std::size_t>> recursion;
    /// Things the CFG cannot represent or that the kernel would refuse: `gotox` (unknown
    /// successors, unsupported), jumps leaving their function or the program, falling into the
    /// next function, recursion, irreducible loops. `insn` is the slot when there is one.
    std::vector<Diagnostic> notes;

    /// Index of the function whose range contains `pc`, or -1.
    [[nodiscard]] std::int64_t function_of(std::uint32_t pc) const;
};

/// Builds the CFG of `code`. `named` gives names to functions by start pc (usually
/// Program::functions); other functions are named "sub_<pc>". Works on any decoded Code:
/// problems that `validate` would report become notes instead of failures.
[[nodiscard]] ProgramCfg build_cfg(const Code& code, const std::vector<Subprogram>& named = {});

/// Builds the CFG of a program, naming functions from Program::functions.
[[nodiscard]] ProgramCfg build_cfg(const Program& program);

}  // namespace bpflab
