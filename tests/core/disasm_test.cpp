// SPDX-License-Identifier: Apache-2.0
// Tests for core/disasm.hpp: listing lines, relocation comments, source interleaving.
#include <doctest/doctest.h>

#include "core/disasm.hpp"

namespace bpflab {
namespace {

Program sample() {
    auto insns = assemble(R"(
        r1 = 0 ll
        r2 = 0 ll
        call fn
        exit
    fn: r0 = 0
        exit
    )",
                          Syntax::Linux, "sample.s");
    REQUIRE(insns);
    (*insns)[0] = LdImm64{LdImmKind::MapFd, 1, 0, 0};
    (*insns)[1] = LdImm64{LdImmKind::MapValue, 2, 0, 8};
    Program p;
    p.name = "prog";
    p.section = "xdp";
    p.type = "xdp";
    p.code = make_code(std::move(*insns));
    p.functions = {Subprogram{"prog", 0, 6}, Subprogram{"fn", 6, 8}};
    p.relocations = {RelocNote{0, RelocNote::Kind::Map, "counts", 0, 0},
                     RelocNote{2, RelocNote::Kind::MapValue, ".rodata", 1, 8}};
    p.lines = {SourceLine{0, "/src/prog.c", 10, 3, "  int x = 1;"},
               SourceLine{2, "/src/prog.c", 10, 5, "  int x = 1;"},
               SourceLine{4, "/src/prog.c", 11, 1, "return f();\n"}};
    return p;
}

}  // namespace

TEST_CASE("a listing carries slot, bytes, text, relocation comments and function names") {
    const Listing l = list_program(sample(), Syntax::Linux, false);
    REQUIRE(l.lines.size() == 6);
    CHECK(l.lines[0].index == 0);
    CHECK(l.lines[0].bytes == "18 11 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
    CHECK(l.lines[0].text == "ld_pseudo r1, 0x1, 0x0");
    CHECK(l.lines[0].comment == "map counts");
    CHECK(l.lines[1].index == 2);
    CHECK(l.lines[1].comment == ".rodata+8");
    CHECK(l.lines[2].text == "call pc+0x1");
    CHECK(l.lines[2].comment == "call fn");
    CHECK(l.lines[4].function == "fn");
    CHECK(l.lines[0].function.empty());
    CHECK(l.lines[0].source.empty());
}

TEST_CASE("source lines come before the instruction they start at, repeats shown once") {
    const Listing l = list_program(sample(), Syntax::Ubpf, true);
    REQUIRE(l.lines[0].source.size() == 1);
    CHECK(l.lines[0].source[0] == "int x = 1;  [prog.c:10]");
    CHECK(l.lines[1].source.empty());
    CHECK(l.lines[2].source == std::vector<std::string>{"return f();  [prog.c:11]"});
    CHECK(l.lines[2].text == "call local +1");
    const std::string text = format_listing(l);
    CHECK(text.find("; int x = 1;  [prog.c:10]\n     0:\t18 11") != std::string::npos);
    CHECK(text.find("\nfn:\n") != std::string::npos);
    CHECK(text.find("lddw r1, map_by_fd(0)  ; map counts") != std::string::npos);
}

TEST_CASE("relocation comments") {
    CHECK(relocation_comment(RelocNote{0, RelocNote::Kind::Subprogram, "helper_fn", -1, 0}) ==
          "call helper_fn");
    CHECK(relocation_comment(RelocNote{0, RelocNote::Kind::Kfunc, "bpf_obj_new", -1, 0}) ==
          "kfunc bpf_obj_new");
    CHECK(relocation_comment(RelocNote{0, RelocNote::Kind::MapValue, ".data", 0, 0}) == ".data");
}

}  // namespace bpflab
