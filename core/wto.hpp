// SPDX-License-Identifier: Apache-2.0
// bpflab: weak topological order of any directed graph (Bourdoncle 1993, recursive strategy).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace bpflab {

/// Vertices are dense ids 0..n-1; the graph is given by its successor lists.
using VertexId = std::size_t;
using SuccessorLists = std::vector<std::vector<VertexId>>;

/// One element of a WTO: a single vertex, or a component `(head body...)` whose body is itself
/// a sequence of elements. For a plain vertex `body` is empty and `is_component` is false.
struct WtoElement {
    VertexId vertex = 0;  ///< the vertex, or the head of the component
    bool is_component = false;
    std::vector<WtoElement> body;
};

/// A weak topological order (Bourdoncle, "Efficient chaotic iteration strategies with
/// widenings", FMPP 1993): a hierarchical ordering in which every edge u -> v either goes
/// forward (u before v) or goes back to the head v of a component that contains u. Heads are
/// the widening points of the recursive iteration strategy.
class Wto {
  public:
    Wto() = default;
    Wto(std::vector<WtoElement> elements, std::size_t vertex_count);

    /// The top-level sequence of elements.
    [[nodiscard]] const std::vector<WtoElement>& elements() const { return elements_; }
    /// Every vertex in the order, heads before their bodies (a linearisation of the WTO).
    [[nodiscard]] const std::vector<VertexId>& order() const { return order_; }
    /// Whether `v` appears in the WTO (false for vertices unreachable from the root).
    [[nodiscard]] bool contains(VertexId v) const;
    /// Position of `v` in `order()`; assumes contains(v).
    [[nodiscard]] std::size_t position(VertexId v) const { return position_[v]; }
    /// Heads of the components containing `v`, outermost first (a head belongs to its own
    /// component, so a head's list ends with itself). Empty for vertices outside any loop.
    [[nodiscard]] const std::vector<VertexId>& heads(VertexId v) const { return heads_[v]; }
    /// Number of components containing `v` (0 outside loops).
    [[nodiscard]] std::size_t depth(VertexId v) const { return heads_[v].size(); }
    /// Whether `v` is the head of a component.
    [[nodiscard]] bool is_head(VertexId v) const;
    /// Bourdoncle's notation, e.g. "0 1 (2 3 (4 5) 6) 7".
    [[nodiscard]] std::string to_string() const;

  private:
    std::vector<WtoElement> elements_;
    std::vector<VertexId> order_;
    std::vector<std::size_t> position_;
    std::vector<std::vector<VertexId>> heads_;
};

/// The WTO of the vertices reachable from `root`, computed by Bourdoncle's hierarchical
/// decomposition (Tarjan-style depth-first search that peels strongly connected components
/// recursively). Iterative: no recursion on the call stack, so deep graphs are fine.
/// Successors are visited in list order, which makes the result deterministic.
/// Assumes root < succ.size() and every listed successor < succ.size().
[[nodiscard]] Wto make_wto(const SuccessorLists& succ, VertexId root);

/// The same for any graph given by `n` and a callable `successors(v)` returning an iterable
/// range of vertex ids (convertible to VertexId).
template <class Successors>
[[nodiscard]] Wto make_wto(std::size_t n, VertexId root, Successors&& successors) {
    SuccessorLists lists(n);
    for (VertexId v = 0; v < n; ++v)
        for (auto w : successors(v)) lists[v].push_back(static_cast<VertexId>(w));
    return make_wto(lists, root);
}

/// Checks Bourdoncle's definition against a graph: every vertex reachable from `root` occurs
/// exactly once and no other does, and every edge u -> v between reachable vertices satisfies
/// position(u) < position(v) or v is a head of a component containing u. Returns an empty
/// string when the WTO is valid, else a description of the first violation.
[[nodiscard]] std::string check_wto(const Wto& wto, const SuccessorLists& succ, VertexId root);

}  // namespace bpflab
