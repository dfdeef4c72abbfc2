// SPDX-License-Identifier: Apache-2.0
// bpflab: unrolling the innermost loops of the verifier's graph (see graph.hpp).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "checker/verifier/graph.hpp"

namespace bpflab::verify {

namespace {

/// The vertices of loop `l`'s body when it can be unrolled (one context, no call or callback
/// flow, no other loop's head, every edge into the head a back edge), in graph order; empty
/// otherwise.
std::vector<std::uint32_t> unrollable_body(const Graph& g, std::size_t l) {
    const LoopHead& loop = g.loops[l];
    const std::vector<char> in = g.loop_body(loop);
    const std::uint32_t context = g.vertices[loop.head].context;
    std::vector<std::uint32_t> body;
    for (std::uint32_t v = 0; v < g.vertices.size(); ++v) {
        if (!in[v]) continue;
        if (g.vertices[v].context != context) return {};
        if (v != loop.head && g.loop_of_head(v) >= 0) return {};
        const bool back_source = std::find(loop.back_sources.begin(), loop.back_sources.end(), v) !=
                                 loop.back_sources.end();
        for (const Flow& f : g.out[v]) {
            if (f.kind != FlowKind::Fallthrough && f.kind != FlowKind::Goto &&
                f.kind != FlowKind::Taken && f.kind != FlowKind::NotTaken)
                return {};
            // Every edge back to the head must be a known back edge: a copy turns the others
            // into a cycle no counter watches.
            if (f.to == loop.head && !back_source) return {};
        }
        body.push_back(v);
    }
    return body;
}

}  // namespace

Graph unroll_loops(const Graph& graph, unsigned iterations, std::size_t budget) {
    Graph g = graph;
    if (iterations == 0 || !g.problems.empty()) return g;
    for (std::size_t l = 0; l < g.loops.size(); ++l) {
        const std::vector<std::uint32_t> body = unrollable_body(g, l);
        if (body.empty()) continue;
        std::size_t insns = 0;
        for (const std::uint32_t v : body) insns += g.vertices[v].last - g.vertices[v].first + 1;
        const std::size_t copies = std::min<std::size_t>({iterations, kMaxUnroll, budget / insns});
        if (copies == 0) continue;

        // copy[k][i]: body[i] in copy k; copy 0 is the original body, copy k runs iteration
        // k + 1, and the last runs every later one too.
        const std::size_t n = g.vertices.size();
        std::vector<std::int64_t> member(n, -1);
        for (std::size_t i = 0; i < body.size(); ++i)
            member[body[i]] = static_cast<std::int64_t>(i);
        std::vector<std::vector<std::uint32_t>> copy(copies + 1, body);
        for (std::size_t k = 1; k <= copies; ++k)
            for (std::size_t i = 0; i < body.size(); ++i) {
                copy[k][i] = static_cast<std::uint32_t>(g.vertices.size());
                Vertex vx = g.vertices[body[i]];
                vx.iteration = static_cast<std::uint16_t>(k + 1);
                vx.and_later = k == copies;
                g.vertices.push_back(vx);
                g.out.emplace_back();
            }
        for (const std::uint32_t v : body) g.vertices[v].iteration = 1;

        const LoopHead loop = g.loops[l];
        const auto is_back_source = [&](std::uint32_t v) {
            return std::find(loop.back_sources.begin(), loop.back_sources.end(), v) !=
                   loop.back_sources.end();
        };
        const std::int64_t head = member[loop.head];
        std::vector<std::vector<Flow>> original(body.size());
        for (std::size_t i = 0; i < body.size(); ++i) original[i] = g.out[body[i]];
        for (std::size_t k = 0; k <= copies; ++k)
            for (std::size_t i = 0; i < body.size(); ++i) {
                std::vector<Flow>& out = g.out[copy[k][i]];
                out.clear();
                for (Flow f : original[i]) {
                    const std::int64_t m = f.to < n ? member[f.to] : -1;
                    if (f.to == loop.head && is_back_source(body[i]))
                        f.to = copy[std::min(k + 1, copies)][static_cast<std::size_t>(head)];
                    else if (m >= 0)
                        f.to = copy[k][static_cast<std::size_t>(m)];
                    out.push_back(f);
                }
            }

        // The loop's head and back edges are the last copy's; an enclosing loop's back
        // source inside the body has a copy in every iteration.
        LoopHead& moved = g.loops[l];
        moved.head = copy[copies][static_cast<std::size_t>(head)];
        for (std::uint32_t& b : moved.back_sources)
            b = copy[copies][static_cast<std::size_t>(member[b])];
        for (std::size_t o = 0; o < g.loops.size(); ++o) {
            if (o == l) continue;
            std::vector<std::uint32_t>& sources = g.loops[o].back_sources;
            const std::size_t before = sources.size();
            for (std::size_t s = 0; s < before; ++s)
                if (sources[s] < n && member[sources[s]] >= 0)
                    for (std::size_t k = 1; k <= copies; ++k)
                        sources.push_back(copy[k][static_cast<std::size_t>(member[sources[s]])]);
        }
        UnrolledLoop u{graph.vertices[loop.head].first,
                       graph.vertices[loop.head].context,
                       static_cast<std::uint16_t>(copies),
                       {}};
        for (std::size_t k = 0; k <= copies; ++k)
            u.heads.push_back(copy[k][static_cast<std::size_t>(head)]);
        g.unrolled.push_back(std::move(u));
        g.link();
    }
    return g;
}

}  // namespace bpflab::verify
