// SPDX-License-Identifier: Apache-2.0
// bpflab: the verifier driver for one numeric state domain S (instantiated per domain in
// verify_*.cpp).
#pragma once

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <tuple>

#include "checker/verifier/verify.hpp"

namespace bpflab::verify {

namespace detail {

/// Heap bytes in use (glibc's statistics; 0 elsewhere).
inline std::size_t heap_in_use() {
#if defined(__GLIBC__)
    const struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
#else
    return 0;
#endif
}

/// The 8-byte stack slots the program stores into (a store within one slot, at a constant
/// offset from r10), per frame.
std::vector<std::pair<int, int>> spill_slots(const Program& program, const Graph& graph);

/// Widening thresholds: the type boundaries and the immediates (and their neighbours) of the
/// program's instructions, sorted ascending.
std::vector<std::int64_t> widening_thresholds(const Program& program);

/// Widening thresholds per vertex: for the head of a loop of `graph`, the type boundaries and
/// the constants (and neighbours) its body compares against — the bounds a loop's variables
/// can stop at. A bound that climbs stops at each threshold in turn, one pass over the loop per
/// stop, so a loop gets only its own. Other vertices (bpf_loop callbacks, irreducible heads) get
/// the whole program's `widening_thresholds`.
struct Thresholds {
    std::vector<std::vector<std::int64_t>> lists;  ///< [0]: the program's; then one per loop
    std::vector<std::uint32_t> of_vertex;          ///< index into `lists`, per vertex
    [[nodiscard]] std::span<const std::int64_t> at(std::size_t v) const {
        return lists[of_vertex[v]];
    }
};
Thresholds loop_thresholds(const Program& program, const Graph& graph);

template <class S>
struct FixProblem {
    const Graph& g;
    const Analyzer<S>& an;
    Thresholds thresholds;  ///< per vertex (loop_thresholds)
    dom::Var var_count = 0;
    unsigned threshold_widenings = 0;         ///< VerifyOptions::threshold_widenings
    mutable std::vector<unsigned> widenings;  ///< per vertex, so far
    mutable std::size_t peak = 0;
    mutable std::uint64_t calls = 0;
    std::size_t base = 0;

    [[nodiscard]] std::size_t vertex_count() const { return g.vertices.size(); }
    [[nodiscard]] std::size_t root() const { return 0; }
    [[nodiscard]] const std::vector<std::size_t>& successors(std::size_t v) const {
        return g.succ[v];
    }
    [[nodiscard]] const std::vector<std::size_t>& predecessors(std::size_t v) const {
        return g.pred[v];
    }
    [[nodiscard]] AbsState<S> entry_state() const { return an.entry_state(); }
    [[nodiscard]] AbsState<S> transfer(std::size_t v, const AbsState<S>& pre) const {
        if ((++calls & 63) == 0) peak = std::max(peak, heap_in_use());
        return an.transfer_block(v, pre, nullptr);
    }
    [[nodiscard]] AbsState<S> edge(std::size_t u, std::size_t v, const AbsState<S>& post) const {
        return an.edge(u, v, post);
    }
    [[nodiscard]] AbsState<S> widen(std::size_t head, const AbsState<S>& old,
                                    const AbsState<S>& next) const {
        if (widenings.size() <= head) widenings.resize(vertex_count(), 0);
        const std::span<const std::int64_t> stops = ++widenings[head] <= threshold_widenings
                                                        ? thresholds.at(head)
                                                        : std::span<const std::int64_t>();
        AbsState<S> w = old.widen(next, stops);
        if constexpr (!requires(const S& n, std::span<const std::int64_t> t) { n.widen(n, t); }) {
            // Thresholds for domains without them: a bound that grew stops at the next
            // threshold past the joined value's bound (finitely many: still a widening).
            if (w.is_bottom() || w.is_top() || next.is_bottom() || next.is_top()) return w;
            for (dom::Var x = 0; x < var_count; ++x) {
                const auto ib = next.num.interval(x), iw = w.num.interval(x);
                if (ib.is_bottom() || iw.is_bottom()) continue;
                const std::uint64_t bh = ib.u().hi().raw();
                if (iw.u().hi().raw() > bh) {
                    const auto t = std::lower_bound(
                        stops.begin(), stops.end(),
                        static_cast<std::int64_t>(std::min<std::uint64_t>(bh, INT64_MAX)));
                    if (t != stops.end() && *t >= 0 && static_cast<std::uint64_t>(*t) >= bh &&
                        static_cast<std::uint64_t>(*t) < iw.u().hi().raw())
                        w.num.assume(dom::Branch{Cond::Le, false, true}, x,
                                     static_cast<std::uint64_t>(*t));
                }
                const std::int64_t bl = ib.s().lo().sraw();
                if (iw.s().lo().sraw() < bl) {
                    auto t = std::upper_bound(stops.begin(), stops.end(), bl);
                    if (t != stops.begin() && *std::prev(t) > iw.s().lo().sraw())
                        w.num.assume(dom::Branch{Cond::Sge, false, true}, x,
                                     static_cast<std::uint64_t>(*std::prev(t)));
                }
            }
        }
        return w;
    }
};

/// The checkable facts of every register of the innermost frame of `st`.
template <class S>
PointFacts facts_of(const AbsState<S>& st, const Layout& lay, std::uint32_t pc) {
    PointFacts p;
    p.pc = pc;
    const int f = static_cast<int>(st.frames.size()) - 1;
    p.frame = static_cast<std::uint8_t>(f);
    for (int r = 0; r < kRegs; ++r) {
        const RegType& t = st.frames[f].regs[r];
        RegFact& rf = p.regs[r];
        rf.kinds = t.kinds;
        rf.map = t.map;
        rf.frame = t.frame;
        const auto i = st.num.interval(lay.reg(f, r));
        const auto tn = st.num.tnum(lay.reg(f, r));
        if (!i.is_bottom()) {
            rf.umin = i.u().lo().raw();
            rf.umax = i.u().hi().raw();
            rf.smin = i.s().lo().sraw();
            rf.smax = i.s().hi().sraw();
        }
        if (!tn.is_bottom()) {
            rf.known_value = tn.value.raw();
            rf.known_mask = tn.mask.raw();
        }
    }
    return p;
}

/// One analysis of `program` over graph `g` (the inlined graph, or its unrolled form), without
/// the timing: the findings, the fixpoint's figures and what `opt` asks to record.
template <dom::NumericState S>
ProgramResult analyze(const Object& object, const Program& program, const VerifyOptions& opt,
                      const Graph& g, const Layout& lay, std::size_t heap0) {
    ProgramResult res;
    res.name = program.name;
    res.section = program.section;
    res.type = program.type;
    res.domain = opt.domain;
    res.instructions = program.code.insns.size();
    res.vertices = g.vertices.size();
    res.contexts = g.contexts.size();
    res.variables = lay.var_count();
    Sink sink;
    for (const Finding& f : g.problems) sink.findings.push_back(f);
    if (!g.vertices.empty()) {
        const Analyzer<S> an(program, object.maps, g, lay, opt.check);
        detail::FixProblem<S> problem{g,
                                      an,
                                      detail::loop_thresholds(program, g),
                                      static_cast<dom::Var>(lay.var_count()),
                                      opt.threshold_widenings,
                                      {},
                                      0,
                                      0,
                                      heap0};
        fix::Result<AbsState<S>> fx = fix::solve<AbsState<S>>(problem, opt.fixpoint);
        res.iterations = fx.stats.transfers;
        for (std::size_t v = 0; v < g.vertices.size(); ++v)
            if (fx.stats.head_iterations[v] != 0)
                res.heads.push_back(HeadIterations{program.code.pc[g.vertices[v].first],
                                                   g.contexts[g.vertices[v].context].chain,
                                                   fx.stats.head_iterations[v]});
        res.widenings = fx.stats.widenings;
        for (const UnrolledLoop& u : g.unrolled) {
            UnrolledReport r{program.code.pc[u.head_insn], g.contexts[u.context].chain, u.copies, 0,
                             !fx.pre[u.heads.back()].is_bottom()};
            for (std::size_t k = 0; k + 1 < u.heads.size(); ++k)
                if (!fx.pre[u.heads[k]].is_bottom()) r.reached = static_cast<std::uint16_t>(k + 1);
            res.unrolled.push_back(std::move(r));
        }
        res.gave_up = fx.stats.gave_up;
        res.timed_out = fx.stats.timed_out;
        res.peak_memory_bytes = problem.peak > heap0 ? problem.peak - heap0 : 0;
        if (opt.record_states)
            sink.on_state = [&](std::size_t v, std::uint32_t i, const std::string& text) {
                const Vertex& vx = g.vertices[v];
                res.states.push_back(InsnState{program.code.pc[i], g.contexts[vx.context].chain,
                                               text, vx.iteration, vx.and_later});
            };
        for (std::size_t v = 0; v < g.vertices.size() && !res.timed_out; ++v) {
            if (fx.pre[v].is_bottom()) continue;
            if (opt.record_facts) {
                // Facts before every instruction: replay the block without reporting.
                AbsState<S> st = fx.pre[v];
                const Vertex& vx = g.vertices[v];
                for (std::uint32_t i = vx.first; i <= vx.last && !st.is_bottom(); ++i) {
                    if (!st.is_top())
                        res.facts.push_back(detail::facts_of(st, lay, program.code.pc[i]));
                    st = an.transfer_insn(v, i, st);
                }
            }
            (void)an.transfer_block(v, fx.pre[v], &sink);
        }
        // Stack depth: each frame as the kernel counts it (its lowest access, rounded up to
        // 32 bytes), summed along every call chain, at most 512.
        sink.stack_low.resize(g.contexts.size(), kStackBytes);
        for (std::size_t c = 0; c < g.contexts.size(); ++c) {
            std::int64_t total = 0;
            for (std::int64_t a = static_cast<std::int64_t>(c); a >= 0;
                 a = g.contexts[static_cast<std::size_t>(a)].parent) {
                const std::int64_t used = kStackBytes - sink.stack_low[static_cast<std::size_t>(a)];
                total += (std::max<std::int64_t>(used, 1) + 31) / 32 * 32;
            }
            if (total <= kStackBytes) continue;
            Finding f;
            f.code = Check::StackDepth;
            f.pc = program.code.pc[g.vertices[0].first];
            for (std::size_t v = 0; v < g.vertices.size(); ++v)
                if (g.vertices[v].context == c) {
                    f.pc = program.code.pc[g.vertices[v].first];
                    break;
                }
            f.insn = print_instruction(program.code.insns[program.code.index_of_pc[f.pc]],
                                       Syntax::Linux);
            f.message = "the call chain to here uses " + std::to_string(total) +
                        " bytes of stack (frames rounded to 32 bytes); at most 512 are allowed";
            f.context = g.contexts[c].chain;
            sink.findings.push_back(std::move(f));
        }
        for (std::size_t l = 0; l < g.loops.size() && !res.timed_out; ++l) {
            const std::size_t head = g.loops[l].head;
            if (an.loop_bounded(l, fx.pre[head])) continue;
            Finding f;
            f.code = Check::MayNotTerminate;
            f.pc = program.code.pc[g.vertices[head].first];
            f.insn = print_instruction(program.code.insns[g.vertices[head].first], Syntax::Linux);
            f.message =
                "the loop at this instruction is not proved to terminate (its iteration count has "
                "no bound)";
            f.context = g.contexts[g.vertices[head].context].chain;
            sink.findings.push_back(std::move(f));
        }
        res.peak_memory_bytes =
            std::max(res.peak_memory_bytes,
                     detail::heap_in_use() > heap0 ? detail::heap_in_use() - heap0 : 0);
    }
    // One finding per (code, pc, context, message); order by pc.
    std::set<std::tuple<int, std::uint32_t, std::string, std::string>> seen;
    std::stable_sort(sink.findings.begin(), sink.findings.end(),
                     [](const Finding& a, const Finding& b) { return a.pc < b.pc; });
    for (Finding& f : sink.findings) {
        if (!seen.emplace(static_cast<int>(f.code), f.pc, f.context, f.message).second) continue;
        (is_warning(f.code) ? res.warnings : res.errors).push_back(std::move(f));
    }
    res.pass = res.errors.empty() && !res.timed_out;
    return res;
}

/// Whether `r` has an error other than a loop not proved to terminate.
inline bool unsafe_found(const ProgramResult& r) {
    return std::any_of(r.errors.begin(), r.errors.end(),
                       [](const Finding& f) { return f.code != Check::MayNotTerminate; });
}

}  // namespace detail

template <dom::NumericState S>
ProgramResult verify_with(const Object& object, const Program& program, const VerifyOptions& opt) {
    const auto start = std::chrono::steady_clock::now();
    const std::size_t heap0 = detail::heap_in_use();
    const Graph g = build_graph(program);
    int frames = 1;
    for (const Context& c : g.contexts) frames = std::max(frames, c.frame + 1);
    const Layout lay(frames, static_cast<int>(g.loops.size()), detail::spill_slots(program, g));
    ProgramResult res = detail::analyze<S>(object, program, opt, g, lay, heap0);
    if (!res.timed_out && opt.unroll > 0 && detail::unsafe_found(res)) {
        // Joining the iterations of a loop at its head may lose what each one keeps (a cursor
        // advanced by a bounded amount per iteration): try again with the iterations apart.
        const Graph unrolled = unroll_loops(g, opt.unroll, opt.unroll_budget);
        if (!unrolled.unrolled.empty()) {
            ProgramResult again = detail::analyze<S>(object, program, opt, unrolled, lay, heap0);
            const bool better = !again.timed_out && !detail::unsafe_found(again);
            ProgramResult& kept = better ? again : res;
            kept.iterations = res.iterations + again.iterations;
            kept.peak_memory_bytes = std::max(res.peak_memory_bytes, again.peak_memory_bytes);
            if (better) res = std::move(again);
        }
    }
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return res;
}

}  // namespace bpflab::verify
