// SPDX-License-Identifier: Apache-2.0
// End-to-end tests of the `bpflab` command line on the corpus and on bad input.
#include <doctest/doctest.h>

#include "tests/cli/cli_util.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

using bpflab::cli_test::Run;
using bpflab::cli_test::run_bpflab;
using bpflab::cli_test::scratch;
using bpflab::cli_test::slurp;

std::vector<fs::path> corpus_objects() {
    std::vector<fs::path> objs;
    const fs::path dir = fs::path(BPFLAB_BINARY_DIR) / "corpus";
    if (fs::exists(dir))
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().extension() == ".o") objs.push_back(e.path());
    std::sort(objs.begin(), objs.end());
    return objs;
}

void write(const fs::path& p, const std::string& text) {
    std::ofstream o(p, std::ios::binary);
    o << text;
}

bool have_tool(const char* tool) {
    return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

TEST_CASE("usage errors exit 2, help exits 0") {
    CHECK(run_bpflab("--help").code == 0);
    CHECK(run_bpflab("no-such-command").code == 2);
    CHECK(run_bpflab("list").code == 2);
}

TEST_CASE("missing, unreadable, truncated and malformed files exit 3 naming the file") {
    auto r = run_bpflab("list /nonexistent/file.o");
    CHECK(r.code == 3);
    CHECK(r.err.find("/nonexistent/file.o") != std::string::npos);

    const fs::path bin = scratch() / "trunc.bin";
    write(bin, std::string("\xb7\x00\x00\x00\x00\x00\x00", 7));
    r = run_bpflab("disasm '" + bin.string() + "'");
    CHECK(r.code == 3);
    CHECK(r.err.find("trunc.bin") != std::string::npos);

    const fs::path bad = scratch() / "bad.s";
    write(bad, "r0 = 0\nr0 = frobnicate r1\nexit\n");
    r = run_bpflab("asm '" + bad.string() + "'");
    CHECK(r.code == 3);
    CHECK(r.err.find("bad.s") != std::string::npos);
    CHECK(r.err.find('2') != std::string::npos);  // the line number

    for (const auto& obj : corpus_objects()) {
        const std::string bytes = slurp(obj);
        const fs::path cut = scratch() / "cut.o";
        write(cut, bytes.substr(0, bytes.size() / 3));
        r = run_bpflab("list '" + cut.string() + "'");
        CHECK(r.code == 3);
        CHECK(r.err.find("cut.o") != std::string::npos);
        break;
    }
}

TEST_CASE("list, disasm and cfg work on every corpus object") {
    const auto objs = corpus_objects();
    REQUIRE_MESSAGE(!objs.empty(), "the corpus was not built");
    for (const auto& obj : objs) {
        CAPTURE(obj.string());
        auto list = run_bpflab("list --json '" + obj.string() + "'");
        REQUIRE(list.code == 0);
        const auto lj = nlohmann::json::parse(list.out);
        REQUIRE(lj["programs"].is_array());
        CHECK(lj["programs"].size() >= 1);
        CHECK(lj["maps"].is_array());

        auto dis = run_bpflab("disasm --json '" + obj.string() + "'");
        REQUIRE(dis.code == 0);
        const auto dj = nlohmann::json::parse(dis.out);
        REQUIRE(dj["programs"].size() == lj["programs"].size());
        for (std::size_t i = 0; i < dj["programs"].size(); ++i) {
            const auto& p = dj["programs"][i];
            CHECK(p["name"] == lj["programs"][i]["name"]);
            CHECK(p["section"] == lj["programs"][i]["section"]);
            REQUIRE(p["instructions"].is_array());
            for (const auto& insn : p["instructions"]) {
                CHECK(insn.contains("index"));
                CHECK(insn["bytes"].get<std::string>().size() >= 16);
                CHECK_FALSE(insn["text"].get<std::string>().empty());
            }
        }

        const fs::path dot = scratch() / "g.dot";
        auto cfg = run_bpflab("cfg '" + obj.string() + "' --dot '" + dot.string() + "'");
        CHECK(cfg.code == 0);
        CHECK(fs::exists(dot));
        if (have_tool("dot")) {
            const std::string cmd = "dot -Tsvg '" + dot.string() + "' -o '" +
                                    (scratch() / "g.svg").string() + "' 2>/dev/null";
            CHECK(std::system(cmd.c_str()) == 0);  // NOLINT(cert-env33-c)
        }
        auto cj = run_bpflab("cfg --json '" + obj.string() + "'");
        CHECK(cj.code == 0);
        CHECK(nlohmann::json::parse(cj.out)["programs"].is_array());
    }
}

TEST_CASE("xdp_count: maps, global data, map names in the disassembly") {
    const fs::path obj = fs::path(BPFLAB_BINARY_DIR) / "corpus" / "xdp_count.o";
    REQUIRE(fs::exists(obj));
    const auto lj = nlohmann::json::parse(run_bpflab("list --json '" + obj.string() + "'").out);
    bool counts = false, rodata = false;
    for (const auto& m : lj["maps"]) {
        if (m["name"] == "counts") {
            counts = true;
            CHECK(m["type"] == "hash");
            CHECK(m["key_size"] == 4);
            CHECK(m["value_size"] == 8);
            CHECK(m["max_entries"] == 256);
        }
        if (m["name"].get<std::string>().find("rodata") != std::string::npos) {
            rodata = true;
            CHECK(m["type"] == "array");
            CHECK(m["read_only"] == true);
        }
    }
    CHECK(counts);
    CHECK(rodata);
    CHECK(lj["programs"][0]["type"] == "xdp");
    const auto text = run_bpflab("disasm '" + obj.string() + "'").out;
    CHECK(text.find("counts") != std::string::npos);
}

TEST_CASE("asm -> bin -> disasm (both syntaxes) -> asm reproduces the bytes") {
    const fs::path src = scratch() / "prog.s";
    write(src,
          "; a small program in the Linux syntax\n"
          "  r0 = 0\n"
          "  r1 = 0x1122334455667788 ll\n"
          "loop:\n"
          "  w0 += 1\n"
          "  *(u32 *)(r10 - 4) = r0\n"
          "  r2 = *(u32 *)(r10 - 4)\n"
          "  if r2 < 10 goto loop\n"
          "  call 7\n"
          "  exit\n");
    const fs::path bin1 = scratch() / "prog1.bin";
    auto a = run_bpflab("asm '" + src.string() + "' -o '" + bin1.string() + "'");
    REQUIRE(a.code == 0);
    for (const char* syntax : {"linux", "ubpf"}) {
        CAPTURE(syntax);
        auto d =
            run_bpflab(std::string("disasm --json --syntax ") + syntax + " '" + bin1.string() + "'");
        REQUIRE(d.code == 0);
        std::string text;
        const auto listing = nlohmann::json::parse(d.out);
        for (const auto& insn : listing["programs"][0]["instructions"])
            text += insn["text"].get<std::string>() + "\n";
        const fs::path again = scratch() / (std::string("again_") + syntax + ".s");
        write(again, text);
        const fs::path bin2 = scratch() / (std::string("prog2_") + syntax + ".bin");
        REQUIRE(run_bpflab(std::string("asm --syntax ") + syntax + " '" + again.string() + "' -o '" +
                       bin2.string() + "'")
                    .code == 0);
        CHECK(slurp(bin1) == slurp(bin2));
    }
}
