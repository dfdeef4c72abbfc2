// SPDX-License-Identifier: Apache-2.0
// bpflab: Bourdoncle's weak topological order, built without recursion, and its checker.
#include "core/wto.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

namespace bpflab {
namespace {

constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

// Walks the element tree in order, calling on_vertex(v, enclosing heads).
template <class F>
void walk(const std::vector<WtoElement>& elems, std::vector<VertexId>& heads, F&& on_vertex) {
    for (const auto& e : elems) {
        if (e.is_component) heads.push_back(e.vertex);
        on_vertex(e.vertex, heads);
        if (e.is_component) {
            walk(e.body, heads, on_vertex);
            heads.pop_back();
        }
    }
}

void append_text(const std::vector<WtoElement>& elems, std::string& out) {
    for (const auto& e : elems) {
        if (!out.empty() && out.back() != '(') out += ' ';
        if (e.is_component) {
            out += '(' + std::to_string(e.vertex);
            append_text(e.body, out);
            out += ')';
        } else {
            out += std::to_string(e.vertex);
        }
    }
}

// The recursive algorithm of Bourdoncle (1993, figure 4) with an explicit stack of frames.
// visit(v, partition) numbers v, explores its successors and returns the smallest depth-first
// number reachable (the "head"); when v is the head of a strongly connected piece, the piece is
// popped, renumbered to 0 and rebuilt as component(v), which visits v's successors afresh.
// Partitions are built by prepending in the paper; here they are appended and reversed.
class Builder {
  public:
    explicit Builder(const SuccessorLists& succ) : succ_(succ), dfn_(succ.size(), 0) {}

    std::vector<WtoElement> run(VertexId root) {
        partitions_.emplace_back();
        push_visit(root, 0);
        while (!frames_.empty()) step();
        return finish(0);
    }

  private:
    enum class Kind : std::uint8_t { Visit, Component };
    struct Frame {
        Kind kind;
        VertexId v;
        std::size_t next = 0;    // index of the next successor to explore
        std::size_t head = 0;    // Visit: smallest number reached so far
        bool loop = false;       // Visit: whether v reaches itself
        std::size_t out = 0;     // partition receiving this frame's element
        std::size_t body = 0;    // Component: partition of the body
        std::size_t result = 0;  // Component: value returned by the visit that spawned it
    };

    static constexpr std::size_t kInfinity = kNone;

    void push_visit(VertexId v, std::size_t out) {
        stack_.push_back(v);
        dfn_[v] = ++counter_;
        frames_.push_back(Frame{Kind::Visit, v, 0, dfn_[v], false, out, 0, 0});
    }

    // Delivers the value returned by a finished visit to the frame below it.
    void deliver(std::size_t min) {
        if (frames_.empty()) return;
        Frame& f = frames_.back();
        if (f.kind == Kind::Visit && min <= f.head) {
            f.head = min;
            f.loop = true;
        }
    }

    void step() {
        Frame& f = frames_.back();
        const auto& next_succ = succ_[f.v];
        if (f.kind == Kind::Visit) {
            if (f.next < next_succ.size()) {
                const VertexId w = next_succ[f.next++];
                if (dfn_[w] == 0) {
                    push_visit(w, f.out);  // f may dangle after this push
                } else {
                    deliver(dfn_[w]);
                }
                return;
            }
            finish_visit();
            return;
        }
        if (f.next < next_succ.size()) {
            const VertexId w = next_succ[f.next++];
            if (dfn_[w] == 0) push_visit(w, f.body);
            return;
        }
        const Frame done = f;
        frames_.pop_back();
        WtoElement comp{done.v, true, finish(done.body)};
        partitions_[done.out].push_back(std::move(comp));
        deliver(done.result);
    }

    void finish_visit() {
        const Frame done = frames_.back();
        frames_.pop_back();
        if (done.head != dfn_[done.v]) {
            deliver(done.head);
            return;
        }
        dfn_[done.v] = kInfinity;
        VertexId element = stack_.back();
        stack_.pop_back();
        if (!done.loop) {
            partitions_[done.out].push_back(WtoElement{done.v, false, {}});
            deliver(done.head);
            return;
        }
        while (element != done.v) {
            dfn_[element] = 0;
            element = stack_.back();
            stack_.pop_back();
        }
        partitions_.emplace_back();
        frames_.push_back(Frame{Kind::Component, done.v, 0, 0, false, done.out,
                                partitions_.size() - 1, done.head});
    }

    std::vector<WtoElement> finish(std::size_t partition) {
        std::vector<WtoElement> elems = std::move(partitions_[partition]);
        std::reverse(elems.begin(), elems.end());
        return elems;
    }

    const SuccessorLists& succ_;
    std::vector<std::size_t> dfn_;
    std::size_t counter_ = 0;
    std::vector<VertexId> stack_;
    std::vector<Frame> frames_;
    std::vector<std::vector<WtoElement>> partitions_;
};

}  // namespace

Wto::Wto(std::vector<WtoElement> elements, std::size_t vertex_count)
    : elements_(std::move(elements)), position_(vertex_count, kNone), heads_(vertex_count) {
    std::vector<VertexId> heads;
    walk(elements_, heads, [&](VertexId v, const std::vector<VertexId>& hs) {
        if (v >= vertex_count) return;
        position_[v] = order_.size();
        order_.push_back(v);
        heads_[v] = hs;
    });
}

bool Wto::contains(VertexId v) const {
    return v < position_.size() && position_[v] != kNone;
}

bool Wto::is_head(VertexId v) const {
    return contains(v) && !heads_[v].empty() && heads_[v].back() == v;
}

std::string Wto::to_string() const {
    std::string out;
    append_text(elements_, out);
    return out;
}

Wto make_wto(const SuccessorLists& succ, VertexId root) {
    Builder b(succ);
    return Wto(b.run(root), succ.size());
}

std::string check_wto(const Wto& wto, const SuccessorLists& succ, VertexId root) {
    const std::size_t n = succ.size();
    // Reachable set, by an explicit depth-first search.
    std::vector<bool> reach(n, false);
    std::vector<VertexId> worklist{root};
    reach[root] = true;
    while (!worklist.empty()) {
        const VertexId v = worklist.back();
        worklist.pop_back();
        for (VertexId w : succ[v])
            if (!reach[w]) {
                reach[w] = true;
                worklist.push_back(w);
            }
    }
    // Every reachable vertex exactly once, nothing else.
    std::vector<int> seen(n, 0);
    std::vector<VertexId> heads;
    std::string err;
    walk(wto.elements(), heads, [&](VertexId v, const std::vector<VertexId>&) {
        if (!err.empty()) return;
        if (v >= n) {
            err = "vertex " + std::to_string(v) + " is not in the graph";
        } else if (++seen[v] > 1) {
            err = "vertex " + std::to_string(v) + " occurs twice";
        } else if (!reach[v]) {
            err = "vertex " + std::to_string(v) + " is unreachable but in the order";
        }
    });
    if (!err.empty()) return err;
    for (VertexId v = 0; v < n; ++v)
        if (reach[v] && seen[v] == 0) return "vertex " + std::to_string(v) + " is missing";
    for (VertexId u = 0; u < n; ++u) {
        if (!reach[u]) continue;
        for (VertexId v : succ[u]) {
            if (wto.position(u) < wto.position(v)) continue;
            const auto& hs = wto.heads(u);
            if (std::find(hs.begin(), hs.end(), v) != hs.end()) continue;
            return "edge " + std::to_string(u) + " -> " + std::to_string(v) +
                   " goes backwards to a vertex that is not a head of a component containing " +
                   std::to_string(u);
        }
    }
    return {};
}

}  // namespace bpflab
