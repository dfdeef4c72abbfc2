// SPDX-License-Identifier: Apache-2.0
// Tests for core/wto.hpp: textbook weak topological orders and a property test on random graphs.
#include <doctest/doctest.h>

#include <random>

#include "core/wto.hpp"

namespace bpflab {
namespace {

// Builds successor lists on n vertices from an edge list, keeping the edge order.
SuccessorLists graph(std::size_t n, std::initializer_list<std::pair<int, int>> edges) {
    SuccessorLists s(n);
    for (auto [u, v] : edges) s[static_cast<VertexId>(u)].push_back(static_cast<VertexId>(v));
    return s;
}

// A random arbitrary graph on n vertices (usually irreducible once it has a few edges): a
// chain from 0 with some links missing (so some vertices may be unreachable), plus random edges.
SuccessorLists random_graph(std::mt19937& rng, std::size_t n) {
    SuccessorLists s(n);
    std::uniform_int_distribution<std::size_t> pick(0, n - 1);
    std::uniform_int_distribution<int> coin(0, 99);
    for (std::size_t v = 0; v + 1 < n; ++v)
        if (coin(rng) < 80) s[v].push_back(v + 1);
    const std::size_t extra = n + pick(rng);
    for (std::size_t i = 0; i < extra; ++i) s[pick(rng)].push_back(pick(rng));
    return s;
}

// A random reducible graph: the flow graph of a structured program built from sequences,
// if/else diamonds and loops whose bodies may `continue` to the head or `break` to the exit.
class Structured {
  public:
    explicit Structured(std::mt19937& rng) : rng_(rng) {}
    SuccessorLists build(int budget) {
        const VertexId entry = fresh();
        body(entry, budget, nullptr);
        return succ_;
    }

  private:
    struct Loop {
        VertexId head;
        VertexId exit;
    };
    VertexId fresh() {
        succ_.emplace_back();
        return succ_.size() - 1;
    }
    void edge(VertexId u, VertexId v) { succ_[u].push_back(v); }
    int roll() { return std::uniform_int_distribution<int>(0, 99)(rng_); }

    // Emits a statement list starting at `at`; returns the vertex where control continues.
    VertexId body(VertexId at, int budget, const Loop* loop) {
        while (budget > 0) {
            const int r = roll();
            --budget;
            if (r < 30) {
                const VertexId next = fresh();
                edge(at, next);
                at = next;
            } else if (r < 55) {
                const VertexId then_v = fresh(), else_v = fresh(), join = fresh();
                edge(at, then_v);
                edge(at, else_v);
                edge(body(then_v, budget / 3, loop), join);
                edge(body(else_v, budget / 3, loop), join);
                budget -= budget / 2;
                at = join;
            } else if (r < 85) {
                const VertexId head = fresh(), first = fresh(), exit = fresh();
                edge(at, head);
                edge(head, first);
                edge(head, exit);
                const Loop inner{head, exit};
                edge(body(first, budget / 2, &inner), head);
                budget -= budget / 2;
                at = exit;
            } else if (loop != nullptr) {
                // continue or break, then fall into a fresh vertex of the same body
                edge(at, r < 92 ? loop->head : loop->exit);
                const VertexId next = fresh();
                edge(at, next);
                at = next;
            }
        }
        return at;
    }

    std::mt19937& rng_;
    SuccessorLists succ_;
};

std::string wto_of(const SuccessorLists& s, VertexId root = 0) {
    const Wto w = make_wto(s, root);
    CHECK(check_wto(w, s, root) == "");
    return w.to_string();
}

}  // namespace

TEST_CASE("wto: Bourdoncle's example graph") {
    // Bourdoncle 1993, the running example: vertices 1..8, WTO 1 2 (3 4 (5 6) 7) 8.
    const auto s = graph(
        9,
        {{1, 2}, {2, 3}, {2, 8}, {3, 4}, {4, 5}, {4, 7}, {5, 6}, {6, 5}, {6, 7}, {7, 3}, {7, 8}});
    const Wto w = make_wto(s, 1);
    CHECK(w.to_string() == "1 2 (3 4 (5 6) 7) 8");
    CHECK(check_wto(w, s, 1) == "");
    CHECK_FALSE(w.contains(0));
    CHECK(w.is_head(3));
    CHECK(w.is_head(5));
    CHECK_FALSE(w.is_head(4));
    CHECK(w.depth(1) == 0);
    CHECK(w.depth(3) == 1);
    CHECK(w.depth(6) == 2);
    CHECK(w.heads(6) == std::vector<VertexId>{3, 5});
    CHECK(w.order() == std::vector<VertexId>{1, 2, 3, 4, 5, 6, 7, 8});
}

TEST_CASE("wto: straight line, diamond, self loop") {
    CHECK(wto_of(graph(3, {{0, 1}, {1, 2}})) == "0 1 2");
    CHECK(wto_of(graph(4, {{0, 1}, {0, 2}, {1, 3}, {2, 3}})) == "0 2 1 3");
    CHECK(wto_of(graph(3, {{0, 1}, {1, 1}, {1, 2}})) == "0 (1) 2");
    CHECK(wto_of(graph(1, {})) == "0");
    CHECK(wto_of(graph(1, {{0, 0}})) == "(0)");
}

TEST_CASE("wto: nested loops and a loop with two back edges") {
    // 0 -> 1 (outer head) -> 2 (inner head) -> 3 -> 2, 3 -> 4 -> 1, 1 -> 5.
    const auto nested = graph(6, {{0, 1}, {1, 2}, {1, 5}, {2, 3}, {3, 2}, {3, 4}, {4, 1}});
    CHECK(wto_of(nested) == "0 (1 (2 3) 4) 5");
    // 0 -> 1 (head), 1 -> 2, 2 -> 1, 2 -> 3, 3 -> 1, 3 -> 4.
    const auto two_back = graph(5, {{0, 1}, {1, 2}, {2, 1}, {2, 3}, {3, 1}, {3, 4}});
    CHECK(wto_of(two_back) == "0 (1 2 3) 4");
}

TEST_CASE("wto: irreducible loop entered at two points") {
    // 0 -> 1, 0 -> 2, 1 <-> 2, both exit to 3: one component, headed by the first vertex met.
    const auto s = graph(4, {{0, 1}, {0, 2}, {1, 2}, {2, 1}, {1, 3}, {2, 3}});
    const Wto w = make_wto(s, 0);
    CHECK(check_wto(w, s, 0) == "");
    CHECK(w.to_string() == "0 (1 2) 3");
}

TEST_CASE("wto: the checker rejects orders that break the definition") {
    const auto s = graph(3, {{0, 1}, {1, 2}, {2, 1}});
    // A flat order 0 1 2 leaves the back edge 2 -> 1 without a head.
    const Wto flat({WtoElement{0, false, {}}, WtoElement{1, false, {}}, WtoElement{2, false, {}}},
                   3);
    CHECK(check_wto(flat, s, 0).find("2 -> 1") != std::string::npos);
    const Wto missing({WtoElement{0, false, {}}}, 3);
    CHECK(check_wto(missing, s, 0).find("missing") != std::string::npos);
    const Wto good({WtoElement{0, false, {}}, WtoElement{1, true, {WtoElement{2, false, {}}}}}, 3);
    CHECK(check_wto(good, s, 0) == "");
}

TEST_CASE("wto: property test over random reducible and irreducible graphs") {
    std::mt19937 rng(20240611);
    int checked = 0;
    for (int round = 0; round < 400; ++round) {
        const std::size_t n = 1 + static_cast<std::size_t>(round % 40);
        const auto s =
            round % 2 == 0 ? Structured(rng).build(1 + round % 30) : random_graph(rng, n);
        const Wto w = make_wto(s, 0);
        const std::string err = check_wto(w, s, 0);
        INFO("round " << round << ": " << w.to_string());
        CHECK(err == "");
        // The generic entry point gives the same order.
        const Wto g = make_wto(s.size(), 0, [&](VertexId v) { return s[v]; });
        CHECK(g.to_string() == w.to_string());
        ++checked;
    }
    CHECK(checked == 400);
}

TEST_CASE("wto: a long chain and deep nesting do not recurse on the call stack") {
    const std::size_t n = 200000;
    SuccessorLists s(n);
    for (std::size_t v = 0; v + 1 < n; ++v) s[v].push_back(v + 1);
    s[n - 1].push_back(1);  // one big loop around the chain
    const Wto w = make_wto(s, 0);
    CHECK(w.order().size() == n);
    CHECK(w.is_head(1));
    CHECK(w.depth(n - 1) == 1);
}

}  // namespace bpflab
