// SPDX-License-Identifier: Apache-2.0
// bpflab: building the verifier's inlined graph (see graph.hpp).
#include "checker/verifier/graph.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <variant>

#include "core/asm.hpp"
#include "core/cfg.hpp"

namespace bpflab::verify {

std::vector<FlowKind> Graph::flows(std::size_t u, std::size_t v) const {
    std::vector<FlowKind> r;
    for (const Flow& f : out[u])
        if (f.to == v) r.push_back(f.kind);
    return r;
}

bool Graph::is_back_edge(std::size_t u, std::size_t v) const {
    const std::int64_t l = loop_of_head(v);
    if (l < 0) return false;
    const auto& s = loops[static_cast<std::size_t>(l)].back_sources;
    return std::find(s.begin(), s.end(), u) != s.end();
}

std::int64_t Graph::loop_of_head(std::size_t v) const {
    for (std::size_t i = 0; i < loops.size(); ++i)
        if (loops[i].head == v) return static_cast<std::int64_t>(i);
    return -1;
}

std::vector<char> Graph::loop_body(const LoopHead& loop) const {
    std::vector<char> in(vertices.size(), 0);
    std::vector<std::size_t> work(loop.back_sources.begin(), loop.back_sources.end());
    in[loop.head] = 1;
    while (!work.empty()) {
        const std::size_t v = work.back();
        work.pop_back();
        if (in[v]) continue;
        in[v] = 1;
        for (const std::size_t u : pred[v])
            if (!in[u]) work.push_back(u);
    }
    return in;
}

void Graph::link() {
    const std::size_t n = vertices.size();
    succ.assign(n, {});
    pred.assign(n, {});
    for (std::size_t u = 0; u < n; ++u)
        for (const Flow& f : out[u]) {
            auto& s = succ[u];
            if (std::find(s.begin(), s.end(), f.to) == s.end()) s.push_back(f.to);
            auto& pr = pred[f.to];
            if (std::find(pr.begin(), pr.end(), u) == pr.end()) pr.push_back(u);
        }
}

namespace {

/// The pc-relative target of a jump-like instruction at slot `pc`, if it has one.
std::optional<std::int64_t> branch_target(const Instruction& insn, std::uint32_t pc) {
    return std::visit(Overloaded{
                          [&](const Jmp& j) -> std::optional<std::int64_t> {
                              return std::int64_t{pc} + 1 + j.offset;
                          },
                          [&](const Ja& j) -> std::optional<std::int64_t> {
                              return std::int64_t{pc} + 1 + j.offset;
                          },
                          [&](const MayGoto& j) -> std::optional<std::int64_t> {
                              return std::int64_t{pc} + 1 + j.offset;
                          },
                          [](const auto&) -> std::optional<std::int64_t> { return std::nullopt; },
                      },
                      insn);
}

bool is_local_call(const Instruction& insn) {
    const auto* c = std::get_if<Call>(&insn);
    return c != nullptr && c->kind == CallKind::Local;
}

bool is_loop_call(const Instruction& insn) {
    const auto* c = std::get_if<Call>(&insn);
    return c != nullptr && c->kind == CallKind::Helper && c->imm == kHelperLoop;
}

/// Whether the block must end after this instruction.
bool ends_block(const Instruction& insn) {
    return std::holds_alternative<Jmp>(insn) || std::holds_alternative<Ja>(insn) ||
           std::holds_alternative<Exit>(insn) || std::holds_alternative<MayGoto>(insn) ||
           std::holds_alternative<Gotox>(insn) || is_local_call(insn) || is_loop_call(insn);
}

class Builder {
  public:
    Builder(const Program& p) : p_(p), code_(p.code), cfg_(build_cfg(p)) {
        leader_.assign(code_.insns.size(), false);
        for (const FunctionCfg& f : cfg_.functions) mark_leaders(f);
    }

    Graph build() {
        if (code_.insns.empty()) return std::move(g_);
        g_.contexts.push_back(Context{0, -1, 0, 0, false, ""});
        returns_.push_back(-1);
        entries_.push_back(0);
        (void)vertex_at(0, cfg_.functions.empty() ? 0 : cfg_.functions[0].start_pc);
        while (!work_.empty()) {
            const auto v = work_.back();
            work_.pop_back();
            expand(v);
        }
        finish();
        return std::move(g_);
    }

  private:
    void mark_leaders(const FunctionCfg& f) {
        for (std::uint32_t pc = f.start_pc; pc < f.end_pc; ++pc) {
            const std::int32_t i = code_.index_of_pc[pc];
            if (i < 0) continue;
            if (pc == f.start_pc) leader_[i] = true;
            const Instruction& insn = code_.insns[i];
            if (const auto t = branch_target(insn, pc);
                t && *t >= 0 && *t < static_cast<std::int64_t>(code_.slot_count())) {
                const std::int32_t ti = code_.index_of_pc[*t];
                if (ti >= 0) leader_[ti] = true;
            }
            if (ends_block(insn) && static_cast<std::size_t>(i) + 1 < code_.insns.size())
                leader_[i + 1] = true;
        }
    }

    /// The vertex of the block starting at slot `pc` in context `c` (created on first use).
    std::uint32_t vertex_at(std::uint32_t c, std::uint32_t pc) {
        const auto key = std::make_pair(c, pc);
        if (const auto it = index_.find(key); it != index_.end()) return it->second;
        const auto first = static_cast<std::uint32_t>(code_.index_of_pc[pc]);
        const FunctionCfg& f = cfg_.functions[g_.contexts[c].function];
        std::uint32_t last = first;
        while (!ends_block(code_.insns[last]) && last + 1 < code_.insns.size() &&
               code_.pc[last + 1] < f.end_pc && !leader_[last + 1])
            ++last;
        const auto v = static_cast<std::uint32_t>(g_.vertices.size());
        g_.vertices.push_back(Vertex{c, first, last});
        g_.out.emplace_back();
        index_.emplace(key, v);
        work_.push_back(v);
        return v;
    }

    void problem(Check code, std::uint32_t pc, std::uint32_t c, std::string message) {
        Finding f;
        f.code = code;
        f.pc = pc;
        f.insn = print_instruction(code_.at_pc(pc), Syntax::Linux);
        f.message = std::move(message);
        f.context = g_.contexts[c].chain;
        g_.problems.push_back(std::move(f));
    }

    /// Adds u -> (block at slot `pc` in context c), or a problem when `pc` leaves the function.
    void edge_to(std::uint32_t u, std::uint32_t c, std::int64_t pc, FlowKind kind,
                 std::uint32_t from_pc) {
        const FunctionCfg& f = cfg_.functions[g_.contexts[c].function];
        if (pc < f.start_pc || pc >= f.end_pc || code_.index_of_pc[pc] < 0) {
            problem(Check::Unsupported, from_pc, c,
                    "control leaves function " + f.name + " (to slot " + std::to_string(pc) + ")");
            return;
        }
        const std::uint32_t to = vertex_at(c, static_cast<std::uint32_t>(pc));
        g_.out[u].push_back(Flow{to, kind});
    }

    /// A new context for `function` called from context c at slot `pc`, or -1 (a problem).
    std::int64_t enter(std::uint32_t c, std::size_t function, std::uint32_t pc, bool callback,
                       std::uint32_t return_to) {
        const Context& parent = g_.contexts[c];
        const FunctionCfg& f = cfg_.functions[function];
        for (std::int64_t a = c; a >= 0; a = g_.contexts[a].parent)
            if (g_.contexts[a].function == function) {
                problem(Check::CallDepth, pc, c, "recursive call of " + f.name);
                return -1;
            }
        if (parent.frame + 1 >= kMaxFrames) {
            problem(
                Check::CallDepth, pc, c,
                "call of " + f.name + " needs more than " + std::to_string(kMaxFrames) + " frames");
            return -1;
        }
        const auto id = static_cast<std::uint32_t>(g_.contexts.size());
        std::string chain = parent.chain.empty() ? "" : parent.chain + " > ";
        g_.contexts.push_back(Context{function, c, pc, static_cast<std::uint8_t>(parent.frame + 1),
                                      callback, chain + f.name + "@" + std::to_string(pc)});
        returns_.push_back(return_to);
        entries_.push_back(0);
        entries_[id] = vertex_at(id, f.start_pc);
        return id;
    }

    /// The callback's slot for the bpf_loop call at instruction index `i`: the last
    /// `r2 = <code address>` before it in the same block.
    std::optional<std::uint32_t> callback_of(std::uint32_t first, std::uint32_t i) const {
        for (std::uint32_t k = i; k-- > first;) {
            const auto* l = std::get_if<LdImm64>(&code_.insns[k]);
            if (l != nullptr && l->dst == 2) {
                if (l->kind != LdImmKind::CodeAddr) return std::nullopt;
                return static_cast<std::uint32_t>(std::int64_t{code_.pc[k]} + l->imm + 1);
            }
            const bool writes_r2 = std::visit(
                Overloaded{[](const Alu& a) { return a.dst == 2; },
                           [](const Load& l2) { return l2.dst == 2; },
                           [](const Endian& e) { return e.dst == 2; },
                           [](const Call&) { return true; }, [](const auto&) { return false; }},
                code_.insns[k]);
            if (writes_r2) return std::nullopt;
        }
        return std::nullopt;
    }

    void expand(std::uint32_t v) {
        const Vertex vx = g_.vertices[v];
        const std::uint32_t c = vx.context;
        const std::uint32_t pc = code_.pc[vx.last];
        const Instruction& insn = code_.insns[vx.last];
        const std::int64_t next = std::int64_t{pc} + slot_width(insn);
        std::visit(
            Overloaded{
                [&](const Jmp& j) {
                    edge_to(v, c, next + j.offset, FlowKind::Taken, pc);
                    edge_to(v, c, next, FlowKind::NotTaken, pc);
                },
                [&](const Ja& j) { edge_to(v, c, next + j.offset, FlowKind::Goto, pc); },
                [&](const MayGoto& j) {
                    edge_to(v, c, next + j.offset, FlowKind::Goto, pc);
                    edge_to(v, c, next, FlowKind::Fallthrough, pc);
                },
                [&](const Exit&) {
                    const Context& ctx = g_.contexts[c];
                    if (ctx.parent < 0) return;
                    const auto back = static_cast<std::uint32_t>(returns_[c]);
                    if (ctx.callback) {
                        g_.out[v].push_back(Flow{entries_[c], FlowKind::CallbackAgain});
                        g_.out[v].push_back(Flow{back, FlowKind::CallbackDone});
                    } else {
                        g_.out[v].push_back(Flow{back, FlowKind::Return});
                    }
                },
                [&](const Gotox&) {
                    problem(Check::Unsupported, pc, c, "gotox (indirect jump) is not supported");
                },
                [&](const Call& call) {
                    if (call.kind == CallKind::Local) {
                        const std::int64_t target = next + call.imm;
                        const std::int64_t fi =
                            target >= 0 && target < static_cast<std::int64_t>(code_.slot_count())
                                ? cfg_.function_of(static_cast<std::uint32_t>(target))
                                : -1;
                        if (fi < 0 || cfg_.functions[fi].start_pc != target) {
                            problem(Check::Unsupported, pc, c,
                                    "call to slot " + std::to_string(target) +
                                        ", which starts no function");
                            return;
                        }
                        const std::uint32_t cont = continuation(v, c, next, pc);
                        if (cont == kNone) return;
                        const std::int64_t callee =
                            enter(c, static_cast<std::size_t>(fi), pc, false, cont);
                        if (callee >= 0)
                            g_.out[v].push_back(
                                Flow{entries_[static_cast<std::size_t>(callee)], FlowKind::Call});
                        return;
                    }
                    if (call.kind == CallKind::Helper && call.imm == kHelperLoop) {
                        const auto cb = callback_of(vx.first, vx.last);
                        const std::uint32_t cont = continuation(v, c, next, pc);
                        if (cont == kNone) return;
                        // The callback may run zero times: the call also falls through.
                        g_.out[v].push_back(Flow{cont, FlowKind::Fallthrough});
                        const std::int64_t fi = cb ? cfg_.function_of(*cb) : -1;
                        if (fi < 0 || cfg_.functions[fi].start_pc != *cb) {
                            problem(Check::HelperArg, pc, c,
                                    "bpf_loop's callback (r2) is not a constant function address");
                            return;
                        }
                        const std::int64_t callee =
                            enter(c, static_cast<std::size_t>(fi), pc, true, cont);
                        if (callee >= 0)
                            g_.out[v].push_back(Flow{entries_[callee], FlowKind::CallbackEnter});
                        return;
                    }
                    edge_to(v, c, next, FlowKind::Fallthrough, pc);
                },
                [&](const auto&) { edge_to(v, c, next, FlowKind::Fallthrough, pc); },
            },
            insn);
    }

    static constexpr std::uint32_t kNone = ~0u;

    std::uint32_t continuation(std::uint32_t, std::uint32_t c, std::int64_t next,
                               std::uint32_t pc) {
        const FunctionCfg& f = cfg_.functions[g_.contexts[c].function];
        if (next >= f.end_pc) {
            problem(Check::Unsupported, pc, c, "a call is the last instruction of " + f.name);
            return kNone;
        }
        return vertex_at(c, static_cast<std::uint32_t>(next));
    }

    /// Predecessor lists, and the loops whose termination must be proved.
    void finish() {
        g_.link();
        for (std::uint32_t c = 0; c < g_.contexts.size(); ++c) {
            const FunctionCfg& f = cfg_.functions[g_.contexts[c].function];
            if (f.irreducible)
                problem(Check::MayNotTerminate, f.start_pc, c,
                        "function " + f.name + " has an irreducible loop");
            for (const Loop& loop : f.loops) {
                const std::uint32_t head_pc = f.blocks[loop.head].start_pc;
                const auto hit = index_.find({c, head_pc});
                if (hit == index_.end()) continue;
                std::set<std::uint32_t> body;
                for (std::size_t b : loop.blocks)
                    for (std::uint32_t pc = f.blocks[b].start_pc; pc < f.blocks[b].end_pc; ++pc)
                        body.insert(pc);
                LoopHead lh{hit->second, {}};
                for (std::uint32_t u : g_.pred[hit->second]) {
                    const Vertex& vu = g_.vertices[u];
                    if (vu.context == c && body.contains(code_.pc[vu.last]))
                        lh.back_sources.push_back(u);
                }
                if (!lh.back_sources.empty()) g_.loops.push_back(std::move(lh));
            }
        }
    }

    const Program& p_;
    const Code& code_;
    ProgramCfg cfg_;
    Graph g_;
    std::vector<bool> leader_;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> index_;
    std::vector<std::int64_t> returns_;   ///< per context: the vertex after its call site
    std::vector<std::uint32_t> entries_;  ///< per context: its entry vertex
    std::vector<std::uint32_t> work_;
};

}  // namespace

Graph build_graph(const Program& program) {
    return Builder(program).build();
}

}  // namespace bpflab::verify
