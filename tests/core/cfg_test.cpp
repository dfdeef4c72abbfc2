// SPDX-License-Identifier: Apache-2.0
// Tests for core/cfg.hpp: block shapes, edges, loops, call graph and WTO of hand-made programs.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "core/cfg.hpp"

namespace bpflab {
namespace {

Instruction mov(Reg r, std::int32_t imm) {
    return Alu{AluOp::Mov, true, r, Operand{false, 0, imm}, 0};
}
Instruction add(Reg r, std::int32_t imm) {
    return Alu{AluOp::Add, true, r, Operand{false, 0, imm}, 0};
}
Instruction jcc(Cond c, Reg r, std::int32_t imm, std::int16_t off) {
    return Jmp{c, false, r, Operand{false, 0, imm}, off};
}
Instruction ja(std::int32_t off) {
    return Ja{off, false};
}
Instruction call_local(std::int32_t imm) {
    return Call{CallKind::Local, imm, 0};
}
Instruction exit_() {
    return Exit{};
}

struct Succ {
    std::size_t block;
    EdgeKind kind;
    bool operator==(const Succ&) const = default;
};

std::vector<Succ> succs(const FunctionCfg& f, std::size_t b) {
    std::vector<Succ> out;
    for (auto [it, end] = boost::out_edges(b, f.graph); it != end; ++it)
        out.push_back(Succ{boost::target(*it, f.graph), f.graph[*it].kind});
    return out;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges(const FunctionCfg& f) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
    for (const auto& b : f.blocks) out.emplace_back(b.start_pc, b.end_pc);
    return out;
}

// Every function's WTO satisfies Bourdoncle's definition over its block graph.
void check_wtos(const ProgramCfg& cfg) {
    for (const auto& f : cfg.functions) {
        SuccessorLists s(f.blocks.size());
        for (std::size_t b = 0; b < f.blocks.size(); ++b) s[b] = f.successors(b);
        CHECK(check_wto(f.wto, s, 0) == "");
    }
}

bool has_note(const ProgramCfg& cfg, std::string_view needle, std::int64_t pc) {
    return std::any_of(cfg.notes.begin(), cfg.notes.end(), [&](const Diagnostic& d) {
        return d.message.find(needle) != std::string::npos && d.insn == pc;
    });
}

using Ranges = std::vector<std::pair<std::uint32_t, std::uint32_t>>;
using Pcs = std::vector<std::uint32_t>;

}  // namespace

TEST_CASE("cfg: straight line is one block") {
    const auto cfg = build_cfg(make_code({mov(0, 0), mov(1, 1), exit_()}));
    REQUIRE(cfg.functions.size() == 1);
    const auto& f = cfg.functions[0];
    CHECK(f.name == "sub_0");
    CHECK(ranges(f) == Ranges{{0, 3}});
    CHECK(f.blocks[0].pcs == Pcs{0, 1, 2});
    CHECK(succs(f, 0).empty());
    CHECK(f.wto.to_string() == "0");
    CHECK(f.unreachable.empty());
    CHECK(f.loops.empty());
    CHECK(cfg.notes.empty());
}

TEST_CASE("cfg: a 64-bit load takes two slots of its block") {
    const auto cfg = build_cfg(make_code({LdImm64{LdImmKind::Imm64, 0, 1, 2}, exit_()}));
    CHECK(ranges(cfg.functions[0]) == Ranges{{0, 3}});
    CHECK(cfg.functions[0].blocks[0].pcs == Pcs{0, 2});
    CHECK(cfg.functions[0].block_of(1) == -1);
    CHECK(cfg.functions[0].block_of(2) == 0);
}

TEST_CASE("cfg: diamond (if/else)") {
    const auto cfg = build_cfg(make_code({
        jcc(Cond::Eq, 1, 0, 2),  // 0 -> 3 or 1
        mov(0, 1),               // 1
        ja(1),                   // 2 -> 4
        mov(0, 2),               // 3
        exit_(),                 // 4
    }));
    const auto& f = cfg.functions[0];
    CHECK(ranges(f) == Ranges{{0, 1}, {1, 3}, {3, 4}, {4, 5}});
    CHECK(succs(f, 0) == std::vector<Succ>{{2, EdgeKind::Taken}, {1, EdgeKind::NotTaken}});
    CHECK(succs(f, 1) == std::vector<Succ>{{3, EdgeKind::Goto}});
    CHECK(succs(f, 2) == std::vector<Succ>{{3, EdgeKind::Fallthrough}});
    CHECK(f.back_edges.empty());
    CHECK(f.wto.to_string() == "0 1 2 3");
    check_wtos(cfg);
}

TEST_CASE("cfg: nested loops have two heads, nesting depth and back edges") {
    const auto cfg = build_cfg(make_code({
        mov(1, 0),                 // 0
        mov(2, 0),                 // 1  outer head
        add(2, 1),                 // 2  inner head
        jcc(Cond::Lt, 2, 10, -2),  // 3 -> 2
        add(1, 1),                 // 4
        jcc(Cond::Lt, 1, 10, -5),  // 5 -> 1
        exit_(),                   // 6
    }));
    const auto& f = cfg.functions[0];
    CHECK(ranges(f) == Ranges{{0, 1}, {1, 2}, {2, 4}, {4, 6}, {6, 7}});
    using BackEdges = std::vector<std::pair<std::size_t, std::size_t>>;
    CHECK(f.back_edges == BackEdges{{2, 2}, {3, 1}});
    REQUIRE(f.loops.size() == 2);
    CHECK(f.loops[0].head == 1);
    CHECK(f.loops[0].blocks == std::vector<std::size_t>{1, 2, 3});
    CHECK(f.loops[0].depth == 1);
    CHECK(f.loops[0].parent == -1);
    CHECK(f.loops[1].head == 2);
    CHECK(f.loops[1].blocks == std::vector<std::size_t>{2});
    CHECK(f.loops[1].depth == 2);
    CHECK(f.loops[1].parent == 0);
    CHECK(f.wto.to_string() == "0 (1 (2) 3) 4");
    CHECK_FALSE(f.irreducible);
    check_wtos(cfg);
    // Back edges are marked on the graph too.
    int marked = 0;
    for (auto [it, end] = boost::edges(f.graph); it != end; ++it) marked += f.graph[*it].back;
    CHECK(marked == 2);
}

TEST_CASE("cfg: a loop with two back edges is one loop") {
    const auto cfg = build_cfg(make_code({
        mov(0, 0),                 // 0
        add(0, 1),                 // 1 head
        jcc(Cond::Eq, 0, 5, -2),   // 2 -> 1
        jcc(Cond::Lt, 0, 10, -3),  // 3 -> 1
        exit_(),                   // 4
    }));
    const auto& f = cfg.functions[0];
    CHECK(ranges(f) == Ranges{{0, 1}, {1, 3}, {3, 4}, {4, 5}});
    REQUIRE(f.loops.size() == 1);
    CHECK(f.loops[0].head == 1);
    CHECK(f.loops[0].blocks == std::vector<std::size_t>{1, 2});
    CHECK(f.loops[0].back_edges == std::vector<std::size_t>{1, 2});
    CHECK(f.wto.to_string() == "0 (1 2) 3");
    check_wtos(cfg);
}

TEST_CASE("cfg: code after exit and after goto is unreachable") {
    const auto cfg = build_cfg(make_code({
        mov(0, 0),  // 0
        ja(1),      // 1 -> 3
        mov(0, 1),  // 2 unreachable (after goto)
        exit_(),    // 3
        mov(0, 2),  // 4 unreachable (after exit)
        exit_(),    // 5
    }));
    const auto& f = cfg.functions[0];
    CHECK(ranges(f) == Ranges{{0, 2}, {2, 3}, {3, 4}, {4, 6}});
    CHECK(f.unreachable == Pcs{2, 4, 5});
    CHECK_FALSE(f.blocks[1].reachable);
    CHECK(f.wto.to_string() == "0 2");
    check_wtos(cfg);
}

TEST_CASE("cfg: local calls make functions, a call graph and an unreachable function") {
    const auto code = make_code({
        mov(1, 1),      // 0 sub_0
        call_local(1),  // 1 -> 3
        exit_(),        // 2
        mov(0, 2),      // 3 sub_3
        exit_(),        // 4
        call_local(1),  // 5 -> 7, unreachable inside sub_3
        exit_(),        // 6
        mov(0, 3),      // 7 sub_7: only called from dead code
        exit_(),        // 8
    });
    const auto cfg = build_cfg(code);
    REQUIRE(cfg.functions.size() == 3);
    CHECK(cfg.functions[0].name == "sub_0");
    CHECK(cfg.functions[1].name == "sub_3");
    CHECK(cfg.functions[2].name == "sub_7");
    CHECK(ranges(cfg.functions[0]) == Ranges{{0, 3}});  // a call does not end a block
    CHECK(cfg.functions[1].start_pc == 3);
    CHECK(cfg.functions[1].end_pc == 7);
    CHECK(cfg.functions[1].unreachable == Pcs{5, 6});
    REQUIRE(cfg.calls.size() == 2);
    CHECK(cfg.calls[0].caller == 0);
    CHECK(cfg.calls[0].callee == 1);
    CHECK(cfg.calls[0].pc == 1);
    CHECK(cfg.calls[1].caller == 1);
    CHECK(cfg.calls[1].callee == 2);
    CHECK(cfg.calls[1].pc == 5);
    CHECK(cfg.functions[0].called);
    CHECK(cfg.functions[1].called);
    CHECK_FALSE(cfg.functions[2].called);
    CHECK(cfg.recursion.empty());
    CHECK(cfg.function_of(4) == 1);
    CHECK(cfg.function_of(9) == -1);
    check_wtos(cfg);

    SUBCASE("names come from Program::functions when the loader filled them") {
        Program p;
        p.code = code;
        p.functions = {Subprogram{"main", 0, 9}, Subprogram{"helper", 3, 7}};
        const auto named = build_cfg(p);
        CHECK(named.functions[0].name == "main");
        CHECK(named.functions[1].name == "helper");
        CHECK(named.functions[2].name == "sub_7");
    }
}

TEST_CASE("cfg: recursion is detected and reported") {
    const auto mutual = build_cfg(make_code({
        call_local(1),   // 0 -> 2
        exit_(),         // 1
        call_local(1),   // 2 sub_2 -> 4
        exit_(),         // 3
        call_local(-3),  // 4 sub_4 -> 2
        exit_(),         // 5
    }));
    CHECK(mutual.recursion == std::vector<std::vector<std::size_t>>{{1, 2}});
    CHECK(has_note(mutual, "recursion: sub_2, sub_4 call each other", 2));

    const auto self = build_cfg(make_code({call_local(-1), exit_()}));
    REQUIRE(self.functions.size() == 1);
    CHECK(self.recursion == std::vector<std::vector<std::size_t>>{{0}});
    CHECK(has_note(self, "sub_0 calls itself", 0));
}

TEST_CASE("cfg: may_goto has two successors") {
    const auto cfg = build_cfg(make_code({
        mov(0, 0),   // 0
        MayGoto{2},  // 1 -> 4 or 2
        add(0, 1),   // 2
        ja(-3),      // 3 -> 1
        exit_(),     // 4
    }));
    const auto& f = cfg.functions[0];
    CHECK(ranges(f) == Ranges{{0, 1}, {1, 2}, {2, 4}, {4, 5}});
    CHECK(succs(f, 1) == std::vector<Succ>{{3, EdgeKind::Taken}, {2, EdgeKind::NotTaken}});
    REQUIRE(f.loops.size() == 1);
    CHECK(f.loops[0].head == 1);
    CHECK(f.wto.to_string() == "0 (1 2) 3");
    check_wtos(cfg);
}

TEST_CASE("cfg: gotox is reported as unsupported") {
    const auto cfg = build_cfg(make_code({mov(1, 0), Gotox{1}, exit_()}));
    const auto& f = cfg.functions[0];
    CHECK(succs(f, 0).empty());
    CHECK(f.unreachable == Pcs{2});
    CHECK(has_note(cfg, "gotox (indirect jump) is not supported", 1));
}

TEST_CASE("cfg: irreducible control flow is flagged and still has a valid WTO") {
    const auto cfg = build_cfg(make_code({
        jcc(Cond::Eq, 1, 0, 2),  // 0 -> 3 or 1
        mov(0, 1),               // 1
        jcc(Cond::Eq, 0, 1, 1),  // 2 -> 4 or 3
        ja(-3),                  // 3 -> 1
        exit_(),                 // 4
    }));
    const auto& f = cfg.functions[0];
    CHECK(f.irreducible);
    CHECK(f.loops.empty());
    CHECK(has_note(cfg, "irreducible", 2));
    check_wtos(cfg);
}

TEST_CASE("cfg: jumps and fall-through across function boundaries become notes") {
    const auto cfg = build_cfg(make_code({
        call_local(1),  // 0 -> 2
        mov(0, 0),      // 1 falls into sub_2
        ja(-3),         // 2 sub_2: jumps back into sub_0
    }));
    CHECK(has_note(cfg, "falls through into the next function (sub_2)", 1));
    CHECK(has_note(cfg, "leaves the function (into sub_0)", 2));
    const auto off_end = build_cfg(make_code({mov(0, 0)}));
    CHECK(has_note(off_end, "falls off the end of the program", 0));
    const auto empty = build_cfg(make_code({}));
    CHECK(empty.functions.empty());
}

TEST_CASE("cfg: property test over random programs") {
    // Random straight-line code, conditional and unconditional jumps (forward and backward),
    // exits and may_goto; the last instruction is an exit so nothing falls off the end.
    std::mt19937 rng(7);
    for (int round = 0; round < 300; ++round) {
        const int n = 2 + round % 60;
        std::uniform_int_distribution<int> kind(0, 9), target(0, n - 1);
        std::vector<Instruction> insns;
        for (int pc = 0; pc + 1 < n; ++pc) {
            const auto off = static_cast<std::int16_t>(target(rng) - pc - 1);
            switch (kind(rng)) {
                case 0:
                case 1:
                    insns.push_back(jcc(Cond::Gt, 1, 3, off));
                    break;
                case 2:
                    insns.push_back(ja(off));
                    break;
                case 3:
                    insns.push_back(exit_());
                    break;
                case 4:
                    insns.push_back(MayGoto{off});
                    break;
                default:
                    insns.push_back(add(0, 1));
                    break;
            }
        }
        insns.push_back(exit_());
        const auto cfg = build_cfg(make_code(insns));
        INFO("round " << round);
        REQUIRE(cfg.functions.size() == 1);
        const auto& f = cfg.functions[0];
        check_wtos(cfg);
        CHECK(cfg.notes.empty() == !f.irreducible);
        // Blocks tile the function; a block's inner instructions neither jump nor exit.
        std::uint32_t next = 0;
        for (const auto& b : f.blocks) {
            CHECK(b.start_pc == next);
            next = b.end_pc;
            for (std::size_t i = 0; i + 1 < b.pcs.size(); ++i) {
                const Instruction& insn = insns[b.pcs[i]];
                CHECK(falls_through(insn));
                CHECK(jump_target(insn, b.pcs[i]) == -1);
            }
        }
        CHECK(next == static_cast<std::uint32_t>(n));
        // Loop heads are WTO heads, and each loop's body is inside the head's component.
        for (const Loop& l : f.loops) {
            CHECK(f.wto.is_head(l.head));
            for (std::size_t b : l.blocks) {
                const auto& hs = f.wto.heads(b);
                CHECK(std::find(hs.begin(), hs.end(), l.head) != hs.end());
            }
        }
        // Unreachable pcs are exactly those of blocks missing from the WTO.
        std::size_t unreachable = 0;
        for (std::size_t b = 0; b < f.blocks.size(); ++b) {
            CHECK(f.blocks[b].reachable == f.wto.contains(b));
            if (!f.blocks[b].reachable) unreachable += f.blocks[b].pcs.size();
        }
        CHECK(unreachable == f.unreachable.size());
    }
}

}  // namespace bpflab
