// SPDX-License-Identifier: Apache-2.0
// checker/verifier/unroll: the shape of unrolled graphs (copies, chained back edges, the last
// copy's own loop, budgets, what is left alone), and what unrolling proves and must not hide.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "checker/verifier/graph.hpp"
#include "checker/verifier/verify.hpp"
#include "core/load.hpp"
#include "tests/corpus/corpus_util.hpp"

namespace bpflab::verify {
namespace {

Object assemble(const std::string& text) {
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("bpflab_unroll_" + std::to_string(::getpid()) + ".s"))
                                 .string();
    std::ofstream(path) << ".type xdp\n" << text;
    auto obj = load_file(path);
    std::filesystem::remove(path);
    REQUIRE_MESSAGE(obj.has_value(), obj.error().to_string());
    return std::move(*obj);
}

Object corpus_asm(const std::string& file) {
    auto obj = load_file(corpus_test::source_dir() + "/asm/" + file);
    REQUIRE_MESSAGE(obj.has_value(), obj.error().to_string());
    return std::move(*obj);
}

std::size_t body_insns(const Graph& g, const std::vector<char>& body) {
    std::size_t n = 0;
    for (std::size_t v = 0; v < g.vertices.size(); ++v)
        if (body[v]) n += g.vertices[v].last - g.vertices[v].first + 1;
    return n;
}

bool has_edge(const Graph& g, std::size_t u, std::size_t v) {
    return std::find(g.succ[u].begin(), g.succ[u].end(), v) != g.succ[u].end();
}

constexpr const char* kCounting = R"(
r0 = 0
r6 = 0
loop:
r0 += r6
r6 += 1
if r6 < 10 goto loop
exit
)";

TEST_CASE("a loop gets one body copy per iteration, chained, and a last copy that loops") {
    const Object obj = assemble(kCounting);
    const Graph g = build_graph(obj.programs.at(0));
    REQUIRE(g.loops.size() == 1);
    const std::vector<char> body = g.loop_body(g.loops[0]);
    const auto body_vertices = static_cast<std::size_t>(std::count(body.begin(), body.end(), 1));

    const Graph u = unroll_loops(g, 3, 4096);
    REQUIRE(u.unrolled.size() == 1);
    const UnrolledLoop& l = u.unrolled[0];
    CHECK(l.copies == 3);
    REQUIRE(l.heads.size() == 4);
    CHECK(l.heads[0] == g.loops[0].head);
    CHECK(u.vertices.size() == g.vertices.size() + 3 * body_vertices);
    for (std::size_t k = 0; k < l.heads.size(); ++k) {
        CHECK(u.vertices[l.heads[k]].iteration == k + 1);
        CHECK(u.vertices[l.heads[k]].and_later == (k == 3));
    }
    // Iteration k's back edge enters iteration k + 1; only the last copy is still a loop.
    REQUIRE(u.loops.size() == 1);
    CHECK(u.loops[0].head == l.heads[3]);
    for (const std::uint32_t b : u.loops[0].back_sources) {
        CHECK(u.vertices[b].iteration == 4);
        CHECK(has_edge(u, b, l.heads[3]));
    }
    for (std::size_t k = 0; k < 3; ++k) {
        CHECK(has_edge(u, l.heads[k], l.heads[k]) == false);
        bool chained = false;
        for (const std::size_t p : u.pred[l.heads[k + 1]])
            chained = chained || u.vertices[p].iteration == k + 1;
        CHECK(chained);
    }
    // Every copy exits to the same vertex after the loop.
    const std::vector<char> last_body = u.loop_body(u.loops[0]);
    CHECK(body_insns(u, last_body) == body_insns(g, body));
}

TEST_CASE("the budget caps the copies, and a loop bigger than it is left alone") {
    const Object obj = assemble(kCounting);
    const Graph g = build_graph(obj.programs.at(0));
    const std::size_t insns = body_insns(g, g.loop_body(g.loops[0]));
    CHECK(unroll_loops(g, 16, 2 * insns).unrolled.at(0).copies == 2);
    const Graph none = unroll_loops(g, 16, insns - 1);
    CHECK(none.unrolled.empty());
    CHECK(none.vertices.size() == g.vertices.size());
    CHECK(unroll_loops(g, 0, 4096).unrolled.empty());
}

TEST_CASE("only innermost loops are unrolled; an outer back edge from inside gets every copy") {
    // The inner loop may leave straight for the outer head (a `continue` of the outer loop).
    const Object obj = assemble(R"(
r0 = 0
r7 = 0
outer:
r6 = 0
inner:
r0 += 1
if r0 > 100 goto outer_next
r6 += 1
if r6 < 4 goto inner
outer_next:
r7 += 1
if r7 > 50 goto done
if r0 == 7 goto outer
if r7 < 8 goto outer
done:
exit
)");
    const Graph g = build_graph(obj.programs.at(0));
    REQUIRE(g.loops.size() == 2);
    const Graph u = unroll_loops(g, 5, 4096);
    REQUIRE(u.unrolled.size() == 1);
    CHECK(u.unrolled[0].copies == 5);
    // The unrolled loop is the inner one: its head is not the outer head.
    std::size_t outer = 0;
    for (std::size_t l = 0; l < u.loops.size(); ++l)
        if (u.vertices[u.loops[l].head].iteration == 0) outer = l;
    CHECK(u.vertices[u.loops[1 - outer].head].iteration == 6);
    // The outer loop's body now holds every copy of the inner one.
    const std::vector<char> outer_body = u.loop_body(u.loops[outer]);
    for (const std::uint32_t h : u.unrolled[0].heads) CHECK(outer_body[h]);
}

TEST_CASE("a loop that calls a function is not unrolled") {
    const Object obj = assemble(R"(
r6 = 0
loop:
call pc+0x4
r6 += 1
if r6 < 4 goto loop
r0 = 0
exit
r0 = 1
exit
)");
    const Graph g = build_graph(obj.programs.at(0));
    REQUIRE(g.problems.empty());
    REQUIRE(g.loops.size() == 1);
    CHECK(unroll_loops(g, 8, 4096).unrolled.empty());
}

TEST_CASE("unrolling proves a per-iteration cursor that a joined loop head cannot") {
    const Object obj = corpus_asm("loop_cursor_per_iteration.s");
    const Program& p = obj.programs.at(0);
    for (const char* domain : {"interval", "kernel", "zone+tnum"}) {
        CAPTURE(domain);
        VerifyOptions opt;
        opt.domain = domain;
        const ProgramResult r = verify_program(obj, p, opt);
        CHECK(r.pass);
        if (std::string(domain) == "zone+tnum") continue;
        REQUIRE(r.unrolled.size() == 1);
        CHECK(r.unrolled[0].reached == 4);
        CHECK_FALSE(r.unrolled[0].later_reached);
        opt.unroll = 0;
        const ProgramResult joined = verify_program(obj, p, opt);
        CHECK_FALSE(joined.pass);
        CHECK(joined.unrolled.empty());
    }
}

TEST_CASE("iterations past the unrolled ones are still checked") {
    const Object obj = corpus_asm("loop_overrun_after_unroll.s");
    for (const unsigned unroll : {0U, 4U, 16U, 19U, 20U, 64U})
        for (const char* domain : {"tnum", "interval", "kernel", "zone", "zone+tnum"}) {
            CAPTURE(unroll);
            CAPTURE(domain);
            VerifyOptions opt;
            opt.domain = domain;
            opt.unroll = unroll;
            const ProgramResult r = verify_program(obj, obj.programs.at(0), opt);
            CHECK_FALSE(r.pass);
            CHECK(std::any_of(r.errors.begin(), r.errors.end(),
                              [](const Finding& f) { return f.code == Check::StackBounds; }));
        }
}

}  // namespace
}  // namespace bpflab::verify
