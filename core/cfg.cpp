// SPDX-License-Identifier: Apache-2.0
// bpflab: building the control-flow graph, call graph, loops and WTO of a program.
#include "core/cfg.hpp"

#include <algorithm>
#include <boost/graph/depth_first_search.hpp>
#include <boost/graph/dominator_tree.hpp>
#include <boost/graph/strong_components.hpp>
#include <map>
#include <set>

namespace bpflab {
namespace {

using Vertex = boost::graph_traits<BlockGraph>::vertex_descriptor;
using Edge = boost::graph_traits<BlockGraph>::edge_descriptor;

bool is_local_call(const Instruction& insn) {
    const auto* c = std::get_if<Call>(&insn);
    return c != nullptr && c->kind == CallKind::Local;
}

// Whether the instruction transfers control to jump_target() (local calls do not: they return).
bool is_jump(const Instruction& insn) {
    return std::holds_alternative<Jmp>(insn) || std::holds_alternative<Ja>(insn) ||
           std::holds_alternative<MayGoto>(insn);
}

// Whether slot `t` starts an instruction of `code`.
bool is_insn_start(const Code& code, std::int64_t t) {
    return t >= 0 && t < static_cast<std::int64_t>(code.slot_count()) &&
           code.index_of_pc[static_cast<std::size_t>(t)] >= 0;
}

// Records retreating edges and reached vertices during a depth-first search from the entry.
struct DfsRecorder : boost::default_dfs_visitor {
    std::vector<Edge>* back;
    std::vector<bool>* reached;
    void discover_vertex(Vertex v, const BlockGraph&) const { (*reached)[v] = true; }
    void back_edge(Edge e, const BlockGraph&) const { back->push_back(e); }
};

class FunctionBuilder {
  public:
    FunctionBuilder(const Code& code, const ProgramCfg& prog, FunctionCfg& f)
        : code_(code), prog_(prog), f_(f) {}

    void build(std::vector<Diagnostic>& notes) {
        make_blocks();
        make_edges(notes);
        search();
        find_loops(notes);
        f_.wto = make_wto(f_.blocks.size(), 0, [&](std::size_t b) { return f_.successors(b); });
        for (const auto& b : f_.blocks)
            if (!b.reachable)
                f_.unreachable.insert(f_.unreachable.end(), b.pcs.begin(), b.pcs.end());
    }

  private:
    // Instruction pcs of the function, in order.
    std::vector<std::uint32_t> function_pcs() const {
        std::vector<std::uint32_t> pcs;
        for (std::uint32_t p = f_.start_pc; p < f_.end_pc; ++p)
            if (code_.index_of_pc[p] >= 0) pcs.push_back(p);
        return pcs;
    }

    void make_blocks() {
        const auto pcs = function_pcs();
        std::set<std::uint32_t> leaders{f_.start_pc};
        for (std::uint32_t p : pcs) {
            const Instruction& insn = code_.at_pc(p);
            const std::uint32_t next = p + static_cast<std::uint32_t>(slot_width(insn));
            if (is_jump(insn)) {
                const std::int64_t t = jump_target(insn, p);
                if (t >= f_.start_pc && t < f_.end_pc && is_insn_start(code_, t))
                    leaders.insert(static_cast<std::uint32_t>(t));
            }
            if ((is_jump(insn) || !falls_through(insn)) && next < f_.end_pc) leaders.insert(next);
        }
        for (std::uint32_t p : pcs) {
            if (leaders.contains(p)) f_.blocks.push_back(BasicBlock{p, p, {}, false});
            BasicBlock& b = f_.blocks.back();
            b.pcs.push_back(p);
            b.end_pc = p + static_cast<std::uint32_t>(slot_width(code_.at_pc(p)));
        }
        f_.graph = BlockGraph(f_.blocks.size());
    }

    void note(std::vector<Diagnostic>& notes, std::uint32_t pc, std::string msg) const {
        notes.push_back(Diagnostic{f_.name + ": " + std::move(msg), pc, {}});
    }

    // The block a jump from `pc` to `t` lands in, or -1 with a note saying why there is none.
    std::int64_t target_block(std::vector<Diagnostic>& notes, std::uint32_t pc, std::int64_t t) {
        const std::string where = "jump to " + std::to_string(t);
        if (t < 0 || t >= static_cast<std::int64_t>(code_.slot_count())) {
            note(notes, pc, where + " is outside the program");
        } else if (!is_insn_start(code_, t)) {
            note(notes, pc, where + " lands in the second slot of a 64-bit immediate load");
        } else if (t < f_.start_pc || t >= f_.end_pc) {
            const auto other = prog_.function_of(static_cast<std::uint32_t>(t));
            note(notes, pc,
                 where + " leaves the function (into " +
                     prog_.functions[static_cast<std::size_t>(other)].name + ")");
        } else {
            return f_.block_of(static_cast<std::uint32_t>(t));
        }
        return -1;
    }

    // The block control falls into after the instruction at `pc`, or -1 with a note.
    std::int64_t next_block(std::vector<Diagnostic>& notes, std::uint32_t pc) {
        const std::uint32_t next = pc + static_cast<std::uint32_t>(slot_width(code_.at_pc(pc)));
        if (next < f_.end_pc) return f_.block_of(next);
        if (next >= code_.slot_count()) {
            note(notes, pc, "control falls off the end of the program");
        } else {
            const auto other = prog_.function_of(next);
            note(notes, pc,
                 "control falls through into the next function (" +
                     prog_.functions[static_cast<std::size_t>(other)].name + ")");
        }
        return -1;
    }

    void add_edge(std::size_t from, std::int64_t to, EdgeKind kind) {
        if (to >= 0)
            boost::add_edge(from, static_cast<std::size_t>(to), CfgEdgeInfo{kind, false}, f_.graph);
    }

    void make_edges(std::vector<Diagnostic>& notes) {
        for (std::size_t b = 0; b < f_.blocks.size(); ++b) {
            const std::uint32_t pc = f_.blocks[b].pcs.back();
            const Instruction& insn = code_.at_pc(pc);
            std::visit(
                Overloaded{
                    [&](const Jmp&) {
                        add_edge(b, target_block(notes, pc, jump_target(insn, pc)),
                                 EdgeKind::Taken);
                        add_edge(b, next_block(notes, pc), EdgeKind::NotTaken);
                    },
                    [&](const MayGoto&) {
                        add_edge(b, target_block(notes, pc, jump_target(insn, pc)),
                                 EdgeKind::Taken);
                        add_edge(b, next_block(notes, pc), EdgeKind::NotTaken);
                    },
                    [&](const Ja&) {
                        add_edge(b, target_block(notes, pc, jump_target(insn, pc)), EdgeKind::Goto);
                    },
                    [](const Exit&) {},
                    [&](const Gotox&) {
                        note(notes, pc,
                             "gotox (indirect jump) is not supported in the CFG: its targets "
                             "are unknown, so the block has no successors");
                    },
                    [&](const auto&) { add_edge(b, next_block(notes, pc), EdgeKind::Fallthrough); },
                },
                insn);
        }
    }

    // Depth-first search from the entry: reachable blocks and retreating (back) edges.
    void search() {
        if (f_.blocks.empty()) return;
        std::vector<Edge> back;
        std::vector<bool> reached(f_.blocks.size(), false);
        std::vector<boost::default_color_type> colors(f_.blocks.size(), boost::white_color);
        boost::depth_first_visit(f_.graph, boost::vertex(0, f_.graph),
                                 DfsRecorder{{}, &back, &reached},
                                 boost::make_iterator_property_map(
                                     colors.begin(), boost::get(boost::vertex_index, f_.graph)));
        for (std::size_t b = 0; b < f_.blocks.size(); ++b) f_.blocks[b].reachable = reached[b];
        for (const Edge& e : back) {
            f_.graph[e].back = true;
            f_.back_edges.emplace_back(boost::source(e, f_.graph), boost::target(e, f_.graph));
        }
        std::sort(f_.back_edges.begin(), f_.back_edges.end());
        f_.back_edges.erase(std::unique(f_.back_edges.begin(), f_.back_edges.end()),
                            f_.back_edges.end());
    }

    // Immediate dominators (Lengauer-Tarjan); idom[v] == v for the entry and unreachable blocks.
    std::vector<std::size_t> dominators() const {
        const std::size_t n = f_.blocks.size();
        std::vector<Vertex> idom(n, boost::graph_traits<BlockGraph>::null_vertex());
        boost::lengauer_tarjan_dominator_tree(
            f_.graph, boost::vertex(0, f_.graph),
            boost::make_iterator_property_map(idom.begin(),
                                              boost::get(boost::vertex_index, f_.graph)));
        std::vector<std::size_t> out(n);
        for (std::size_t v = 0; v < n; ++v)
            out[v] = idom[v] == boost::graph_traits<BlockGraph>::null_vertex() ? v : idom[v];
        return out;
    }

    static bool dominates(const std::vector<std::size_t>& idom, std::size_t h, std::size_t v) {
        while (true) {
            if (v == h) return true;
            if (idom[v] == v) return false;
            v = idom[v];
        }
    }

    void find_loops(std::vector<Diagnostic>& notes) {
        if (f_.back_edges.empty()) return;
        const auto idom = dominators();
        std::map<std::size_t, Loop> by_head;
        for (auto [src, head] : f_.back_edges) {
            if (!dominates(idom, head, src)) {
                f_.irreducible = true;
                note(notes, f_.blocks[src].pcs.back(),
                     "irreducible control flow: the back edge to block " + std::to_string(head) +
                         " (pc " + std::to_string(f_.blocks[head].start_pc) +
                         ") enters a cycle that this block does not dominate");
                continue;
            }
            Loop& l = by_head[head];
            l.head = head;
            l.back_edges.push_back(src);
        }
        // Natural loop bodies: blocks reaching a back-edge source without passing the head.
        // `stamp` marks membership per loop so the work is linear in the sizes of the bodies.
        constexpr std::size_t kUnmarked = static_cast<std::size_t>(-1);
        std::vector<std::size_t> stamp(f_.blocks.size(), kUnmarked);
        for (auto& [head, l] : by_head) {
            const std::size_t id = f_.loops.size();
            stamp[head] = id;
            l.blocks.push_back(head);
            std::vector<std::size_t> worklist;
            for (std::size_t s : l.back_edges)
                if (stamp[s] != id) {
                    stamp[s] = id;
                    l.blocks.push_back(s);
                    worklist.push_back(s);
                }
            while (!worklist.empty()) {
                const std::size_t v = worklist.back();
                worklist.pop_back();
                for (auto [it, end] = boost::in_edges(v, f_.graph); it != end; ++it) {
                    const std::size_t u = boost::source(*it, f_.graph);
                    if (stamp[u] != id && f_.blocks[u].reachable) {
                        stamp[u] = id;
                        l.blocks.push_back(u);
                        worklist.push_back(u);
                    }
                }
            }
            std::sort(l.blocks.begin(), l.blocks.end());
            f_.loops.push_back(std::move(l));
        }
        // Natural loops with distinct heads are disjoint or strictly nested, so outer loops are
        // larger: visiting loops by decreasing size, the innermost loop recorded so far for a
        // head is its parent.
        std::stable_sort(f_.loops.begin(), f_.loops.end(), [](const Loop& a, const Loop& b) {
            return a.blocks.size() > b.blocks.size();
        });
        std::vector<std::int64_t> innermost(f_.blocks.size(), -1);
        for (std::size_t i = 0; i < f_.loops.size(); ++i) {
            Loop& l = f_.loops[i];
            l.parent = innermost[l.head];
            if (l.parent >= 0) l.depth = f_.loops[static_cast<std::size_t>(l.parent)].depth + 1;
            for (std::size_t b : l.blocks) innermost[b] = static_cast<std::int64_t>(i);
        }
    }

    const Code& code_;
    const ProgramCfg& prog_;
    FunctionCfg& f_;
};

// Function entry points: pc 0, valid local call targets and named starts, sorted.
std::vector<std::uint32_t> function_starts(const Code& code, const std::vector<Subprogram>& named) {
    std::set<std::uint32_t> starts;
    if (code.slot_count() > 0) starts.insert(0);
    for (std::size_t i = 0; i < code.insns.size(); ++i) {
        if (!is_local_call(code.insns[i])) continue;
        const std::int64_t t = jump_target(code.insns[i], code.pc[i]);
        if (is_insn_start(code, t)) starts.insert(static_cast<std::uint32_t>(t));
    }
    for (const auto& s : named)
        if (is_insn_start(code, s.start_pc)) starts.insert(s.start_pc);
    return {starts.begin(), starts.end()};
}

// Call edges, the functions called from the entry, and recursion (strong components).
void build_call_graph(const Code& code, ProgramCfg& prog) {
    for (std::size_t fi = 0; fi < prog.functions.size(); ++fi) {
        const FunctionCfg& f = prog.functions[fi];
        for (std::uint32_t p = f.start_pc; p < f.end_pc; ++p) {
            if (code.index_of_pc[p] < 0 || !is_local_call(code.at_pc(p))) continue;
            const std::int64_t t = jump_target(code.at_pc(p), p);
            if (!is_insn_start(code, t)) {
                prog.notes.push_back(Diagnostic{
                    f.name + ": local call to " + std::to_string(t) + " has no valid target",
                    p,
                    {}});
                continue;
            }
            const auto callee = prog.function_of(static_cast<std::uint32_t>(t));
            prog.calls.push_back(CallEdge{fi, static_cast<std::size_t>(callee), p});
        }
    }
    const std::size_t n = prog.functions.size();
    if (n == 0) return;
    using CallGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
    CallGraph cg(n);
    for (const auto& c : prog.calls) boost::add_edge(c.caller, c.callee, cg);
    // Functions called from the entry, following only calls in reachable blocks.
    std::vector<std::vector<std::size_t>> live_callees(n);
    for (const auto& c : prog.calls) {
        const FunctionCfg& f = prog.functions[c.caller];
        const auto b = f.block_of(c.pc);
        if (b >= 0 && f.blocks[static_cast<std::size_t>(b)].reachable)
            live_callees[c.caller].push_back(c.callee);
    }
    std::vector<std::size_t> worklist{0};
    prog.functions[0].called = true;
    while (!worklist.empty()) {
        const std::size_t fi = worklist.back();
        worklist.pop_back();
        for (std::size_t callee : live_callees[fi])
            if (!prog.functions[callee].called) {
                prog.functions[callee].called = true;
                worklist.push_back(callee);
            }
    }
    std::vector<int> comp(n);
    const int count = boost::strong_components(
        cg, boost::make_iterator_property_map(comp.begin(), boost::get(boost::vertex_index, cg)));
    std::vector<std::vector<std::size_t>> groups(static_cast<std::size_t>(count));
    for (std::size_t fi = 0; fi < n; ++fi) groups[static_cast<std::size_t>(comp[fi])].push_back(fi);
    std::vector<bool> reported(groups.size(), false);
    for (const auto& c : prog.calls) {
        const auto gi = static_cast<std::size_t>(comp[c.caller]);
        if (comp[c.caller] != comp[c.callee] || reported[gi]) continue;
        reported[gi] = true;
        const auto& g = groups[gi];
        std::string names;
        for (std::size_t fi : g) names += (names.empty() ? "" : ", ") + prog.functions[fi].name;
        prog.notes.push_back(Diagnostic{"recursion: " + names +
                                            (g.size() == 1 ? " calls itself" : " call each other") +
                                            " (the kernel refuses recursive bpf-to-bpf calls)",
                                        c.pc,
                                        {}});
        prog.recursion.push_back(g);
    }
    std::sort(prog.recursion.begin(), prog.recursion.end());
}

}  // namespace

std::string_view edge_kind_name(EdgeKind k) {
    switch (k) {
        case EdgeKind::Fallthrough:
            return "fallthrough";
        case EdgeKind::Taken:
            return "taken";
        case EdgeKind::NotTaken:
            return "not-taken";
        case EdgeKind::Goto:
            return "goto";
    }
    return "?";
}

std::int64_t FunctionCfg::block_of(std::uint32_t pc) const {
    auto it = std::upper_bound(blocks.begin(), blocks.end(), pc,
                               [](std::uint32_t p, const BasicBlock& b) { return p < b.start_pc; });
    if (it == blocks.begin()) return -1;
    --it;
    if (pc >= it->end_pc || !std::binary_search(it->pcs.begin(), it->pcs.end(), pc)) return -1;
    return it - blocks.begin();
}

std::vector<std::size_t> FunctionCfg::successors(std::size_t b) const {
    std::vector<std::size_t> out;
    for (auto [it, end] = boost::out_edges(b, graph); it != end; ++it)
        out.push_back(boost::target(*it, graph));
    return out;
}

std::int64_t ProgramCfg::function_of(std::uint32_t pc) const {
    auto it =
        std::upper_bound(functions.begin(), functions.end(), pc,
                         [](std::uint32_t p, const FunctionCfg& f) { return p < f.start_pc; });
    if (it == functions.begin()) return -1;
    --it;
    return pc < it->end_pc ? it - functions.begin() : -1;
}

ProgramCfg build_cfg(const Code& code, const std::vector<Subprogram>& named) {
    ProgramCfg prog;
    const auto starts = function_starts(code, named);
    for (std::size_t i = 0; i < starts.size(); ++i) {
        FunctionCfg f;
        f.start_pc = starts[i];
        f.end_pc =
            i + 1 < starts.size() ? starts[i + 1] : static_cast<std::uint32_t>(code.slot_count());
        for (const auto& s : named)
            if (s.start_pc == f.start_pc && !s.name.empty()) f.name = s.name;
        if (f.name.empty()) f.name = "sub_" + std::to_string(f.start_pc);
        prog.functions.push_back(std::move(f));
    }
    for (auto& f : prog.functions) FunctionBuilder(code, prog, f).build(prog.notes);
    build_call_graph(code, prog);
    std::stable_sort(prog.calls.begin(), prog.calls.end(),
                     [](const CallEdge& a, const CallEdge& b) { return a.pc < b.pc; });
    std::stable_sort(prog.notes.begin(), prog.notes.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                         return a.insn.value_or(-1) < b.insn.value_or(-1);
                     });
    return prog;
}

ProgramCfg build_cfg(const Program& program) {
    return build_cfg(program.code, program.functions);
}

}  // namespace bpflab
