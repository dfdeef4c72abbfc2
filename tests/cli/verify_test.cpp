// SPDX-License-Identifier: Apache-2.0
// End-to-end tests of `bpflab verify`: verdicts and exit codes, the JSON document, the text
// log (findings, states, the per-domain table), input errors, timeouts and the kernel column.
// The verifier's precision is still being tuned: only verdicts that are certain are asserted;
// everything else checks the pipeline (schema, exit codes consistent with the verdicts).
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>
#include "tests/cli/cli_util.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using bpflab::cli_test::Run;
using bpflab::cli_test::run_bpflab;
using bpflab::cli_test::scratch;
using bpflab::cli_test::slurp;

Run verify(const std::string& args) {
    return run_bpflab("verify " + args);
}

std::string asm_file(const char* name) {
    return "'" + (fs::path(BPFLAB_SOURCE_DIR) / "corpus" / "asm" / name).string() + "'";
}

std::vector<fs::path> corpus_objects() {
    std::vector<fs::path> objs;
    const fs::path dir = fs::path(BPFLAB_BINARY_DIR) / "corpus";
    if (fs::exists(dir))
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().extension() == ".o") objs.push_back(e.path());
    std::sort(objs.begin(), objs.end());
    return objs;
}

json read_json(const fs::path& p) {
    return json::parse(slurp(p));
}

/// Checks one finding against the schema (docs/report-schema.md).
void check_finding(const json& f) {
    REQUIRE(f.is_object());
    CHECK(f["code"].is_string());
    CHECK(!f["code"].get<std::string>().empty());
    CHECK(f["pc"].is_number_unsigned());
    CHECK(f["insn"].is_string());
    CHECK(f["message"].is_string());
    CHECK(!f["message"].get<std::string>().empty());
    CHECK(f["values"].is_object());
    for (const auto& [k, v] : f["values"].items()) CHECK(v.is_string());
    CHECK(f["context"].is_string());
    if (f.contains("source")) {
        CHECK(f["source"]["file"].is_string());
        CHECK(f["source"]["line"].is_number_unsigned());
        CHECK(f["source"]["text"].is_string());
    }
}

/// Checks one program entry against the schema; returns its verdict.
std::string check_program(const json& p) {
    REQUIRE(p.is_object());
    for (const char* k : {"name", "section", "type", "domain", "verdict", "outcome"}) {
        CAPTURE(k);
        CHECK(p[k].is_string());
    }
    const std::string verdict = p["verdict"];
    CHECK((verdict == "pass" || verdict == "fail"));
    REQUIRE(p["errors"].is_array());
    REQUIRE(p["warnings"].is_array());
    CHECK((verdict == "pass") == p["errors"].empty());
    for (const auto& f : p["errors"]) check_finding(f);
    for (const auto& f : p["warnings"]) check_finding(f);
    CHECK(p["seconds"].is_number());
    CHECK(p["seconds"].get<double>() >= 0);
    for (const char* k : {"peak_memory_bytes", "iterations", "widenings", "vertices", "contexts",
                          "instructions", "variables"}) {
        CAPTURE(k);
        CHECK(p[k].is_number_unsigned());
    }
    CHECK(p["instructions"].get<std::uint64_t>() > 0);
    CHECK(p["gave_up"].is_boolean());
    CHECK(p["timed_out"].is_boolean());
    REQUIRE(p["unrolled_loops"].is_array());
    for (const auto& u : p["unrolled_loops"]) {
        CHECK(u["pc"].is_number_unsigned());
        CHECK(u["context"].is_string());
        CHECK(u["copies"].is_number_unsigned());
        CHECK(u["reached"].get<std::uint64_t>() <= u["copies"].get<std::uint64_t>());
        CHECK(u["later_reached"].is_boolean());
    }
    if (p.contains("kernel")) {
        const json& k = p["kernel"];
        CHECK((k["verdict"] == "pass" || k["verdict"] == "fail"));
        CHECK(k["error"].is_string());
        CHECK(k["processed_insns"].is_number_unsigned());
        CHECK(k["verification_seconds"].is_number());
    }
    return verdict;
}

}  // namespace

TEST_CASE("verify: an uninitialised register read fails with uninit-register, exit 1") {
    const fs::path out = scratch() / "uninit.json";
    const Run r = verify(asm_file("uninit_register.s") + " --json '" + out.string() + "'");
    CHECK(r.code == 1);
    CHECK(r.out.find("FAIL") != std::string::npos);
    CHECK(r.out.find("uninit-register") != std::string::npos);
    CHECK(r.out.find("zone+tnum") != std::string::npos);  // the default domain
    CHECK(r.out.find("r0 = r3") != std::string::npos);    // the instruction text

    const json doc = read_json(out);
    CHECK(doc["schema_version"] == 1);
    CHECK(doc["file"].get<std::string>().find("uninit_register.s") != std::string::npos);
    REQUIRE(doc["programs"].size() == 1);
    const json& p = doc["programs"][0];
    CHECK(check_program(p) == "fail");
    CHECK(p["domain"] == "zone+tnum");
    CHECK(p["type"] == "xdp");
    REQUIRE(!p["errors"].empty());
    CHECK(p["errors"][0]["code"] == "uninit-register");
    CHECK(p["errors"][0]["pc"] == 0);
}

TEST_CASE("verify: a return value in range passes, exit 0") {
    const fs::path out = scratch() / "ok.json";
    const Run r = verify(asm_file("return_range_ok.s") + " --json '" + out.string() + "'");
    CHECK(r.code == 0);
    CHECK(r.out.find("PASS") != std::string::npos);
    const json doc = read_json(out);
    REQUIRE(doc["programs"].size() == 1);
    CHECK(check_program(doc["programs"][0]) == "pass");
    CHECK(doc["programs"][0]["type"] == "cgroup_skb");
}

TEST_CASE("verify: every corpus object gives a schema-valid document and a consistent exit code") {
    const auto objs = corpus_objects();
    REQUIRE_MESSAGE(!objs.empty(), "the corpus was not built");
    std::string args;
    for (const auto& o : objs) args += " '" + o.string() + "'";
    const fs::path out = scratch() / "corpus.json";
    const Run r = verify(args + " --log-level 0 --json '" + out.string() + "'");
    CAPTURE(r.err);
    const json doc = read_json(out);
    CHECK(doc["schema_version"] == 1);
    REQUIRE(doc["files"].is_array());
    CHECK(doc["files"].size() == objs.size());
    bool any_fail = false, any_timeout = false;
    std::size_t programs = 0;
    for (const auto& f : doc["files"]) {
        CAPTURE(f["file"].get<std::string>());
        CHECK(!f.contains("error"));
        REQUIRE(f["programs"].is_array());
        CHECK(!f["programs"].empty());
        for (const auto& p : f["programs"]) {
            CAPTURE(p["name"].get<std::string>());
            any_fail = check_program(p) == "fail" || any_fail;
            any_timeout = any_timeout || p["timed_out"].get<bool>();
            ++programs;
            // Summary lines name every program.
            CHECK(r.out.find(p["name"].get<std::string>()) != std::string::npos);
        }
    }
    CHECK(programs >= objs.size());
    CHECK(!any_timeout);
    CHECK(r.code == (any_fail ? 1 : 0));
    // The summary table closes the output: its header and the totals per domain.
    CHECK(r.out.find("first error") != std::string::npos);
    CHECK(r.out.find("analysis time") != std::string::npos);
}

TEST_CASE("verify: a C program's failure names its source line from BTF") {
    const fs::path obj = fs::path(BPFLAB_BINARY_DIR) / "corpus" / "bad_no_bounds_check.o";
    REQUIRE_MESSAGE(fs::exists(obj), "the corpus was not built");
    const fs::path out = scratch() / "source.json";
    const Run r = verify("'" + obj.string() + "' --json '" + out.string() + "'");
    CHECK(r.code == 1);  // an unchecked packet read is unsafe
    const json doc = read_json(out);
    REQUIRE(doc["programs"].size() == 1);
    const json& p = doc["programs"][0];
    CHECK(check_program(p) == "fail");
    REQUIRE(!p["errors"].empty());
    const json& e = p["errors"][0];
    REQUIRE(e.contains("source"));
    const std::string file = e["source"]["file"];
    CHECK(file.find("bad_no_bounds_check.c") != std::string::npos);
    CHECK(e["source"]["line"].get<std::uint64_t>() > 0);
    // The text log prints "file:line: text" under the instruction.
    CHECK(r.out.find(
              "bad_no_bounds_check.c:" + std::to_string(e["source"]["line"].get<std::uint64_t>()) +
              ": ") != std::string::npos);
}

TEST_CASE("verify --domain all: one row per registered domain") {
    const fs::path out = scratch() / "all.json";
    const Run r =
        verify(asm_file("uninit_register.s") + " --domain all --json '" + out.string() + "'");
    CHECK(r.code == 1);
    const json doc = read_json(out);
    std::set<std::string> domains;
    for (const auto& p : doc["programs"]) {
        CHECK(check_program(p) == "fail");  // an uninitialised read fails under every domain
        CHECK(p["errors"][0]["code"] == "uninit-register");
        domains.insert(p["domain"].get<std::string>());
    }
    CHECK(domains.size() == doc["programs"].size());
    for (const char* d : {"tnum", "interval", "kernel", "zone", "zone+tnum"}) {
        CAPTURE(d);
        CHECK(domains.count(d) == 1);
    }
    for (const auto& d : domains) {
        CAPTURE(d);
        CHECK(r.out.find("\n  " + d + " ") != std::string::npos);  // a table row
    }
    CHECK(r.out.find("peak memory") != std::string::npos);
}

TEST_CASE("verify --log-level 2 prints the state before every instruction") {
    const Run r = verify(asm_file("return_range_ok.s") + " --log-level 2");
    CHECK(r.code == 0);
    // return_range_ok.s: r0 = *(u32 *)(r1 + 0); r0 &= 1; exit — "pc: (opcode) insn ; state".
    CHECK(r.out.find("0: (61) r0 = *(u32 *)(r1 ") != std::string::npos);
    CHECK(r.out.find("1: (57) r0 &= ") != std::string::npos);
    CHECK(r.out.find("2: (95) exit ; ") != std::string::npos);
    CHECK(r.out.find(" ; R1=ctx") != std::string::npos);
    const Run quiet = verify(asm_file("return_range_ok.s") + " --log-level 0");
    CHECK(quiet.out.find(" ; ") == std::string::npos);
}

TEST_CASE("verify: an unreadable file exits 3 naming it; the other files are still reported") {
    const fs::path out = scratch() / "mixed.json";
    const Run r = verify("/nonexistent/missing.o " + asm_file("return_range_ok.s") + " --json '" +
                         out.string() + "'");
    CHECK(r.code == 3);
    CHECK(r.err.find("/nonexistent/missing.o") != std::string::npos);
    CHECK(r.out.find("PASS") != std::string::npos);
    const json doc = read_json(out);
    REQUIRE(doc["files"].size() == 2);
    CHECK(doc["files"][0]["error"].get<std::string>().find("missing.o") != std::string::npos);
    CHECK(doc["files"][0]["programs"].empty());
    CHECK(doc["files"][1]["programs"].size() == 1);

    const fs::path bad = scratch() / "garbage.s";
    std::ofstream(bad) << "r0 = frobnicate\nexit\n";
    const Run g = verify("'" + bad.string() + "'");
    CHECK(g.code == 3);
    CHECK(g.err.find("garbage.s") != std::string::npos);

    const Run none = verify(asm_file("return_range_ok.s") + " --program no_such_program");
    CHECK(none.code == 3);
    CHECK(none.err.find("no_such_program") != std::string::npos);
}

TEST_CASE("verify: usage errors exit 2") {
    CHECK(verify("").code == 2);
    CHECK(verify(asm_file("return_range_ok.s") + " --domain no-such-domain").code == 2);
    CHECK(verify(asm_file("return_range_ok.s") + " --log-level 3").code == 2);
    CHECK(verify(asm_file("return_range_ok.s") + " --caps admin").code == 2);
}

TEST_CASE("verify --timeout: an analysis longer than the limit is a timeout, exit 5") {
    const fs::path out = scratch() / "timeout.json";
    const Run r = verify(asm_file("return_range_ok.s") + " --timeout 0.000000001 --json '" +
                         out.string() + "'");
    CHECK(r.code == 5);
    CHECK(r.out.find("TIMEOUT") != std::string::npos);
    const json doc = read_json(out);
    CHECK(doc["programs"][0]["timed_out"] == true);
    CHECK(verify(asm_file("return_range_ok.s") + " --timeout 600").code == 0);

    // A loop's analysis is stopped by the engine itself: not passed, and no findings from an
    // incomplete invariant.
    const fs::path loop = fs::path(BPFLAB_BINARY_DIR) / "corpus" / "ipv6_ext.o";
    const fs::path out2 = scratch() / "timeout_loop.json";
    const Run s =
        verify("'" + loop.string() + "' --timeout 0.000000001 --json '" + out2.string() + "'");
    CHECK(s.code == 5);
    const json d2 = read_json(out2);
    const auto& p = d2["programs"][0];
    CHECK(p["timed_out"] == true);
    CHECK(p["verdict"] == "fail");
    CHECK(p["outcome"] == "TIMEOUT");
    CHECK(p["errors"].empty());
    CHECK(p["iterations"].get<int>() < 200);
}

TEST_CASE("verify --unroll: the loop is unrolled only when needed, reported, and can be refused") {
    const std::string file = asm_file("loop_cursor_per_iteration.s");
    const fs::path out = scratch() / "unroll.json";
    const Run r = verify(file + " --domain kernel --json '" + out.string() + "'");
    CHECK(r.code == 0);
    CHECK(
        r.out.find("loop at 8 unrolled: the first 16 iterations apart, at most 4 iterations run") !=
        std::string::npos);
    const json doc = read_json(out);
    const json& p = doc["programs"][0];
    CHECK(check_program(p) == "pass");
    REQUIRE(p["unrolled_loops"].size() == 1);
    CHECK(p["unrolled_loops"][0]["pc"] == 8);
    CHECK(p["unrolled_loops"][0]["reached"] == 4);
    CHECK(p["unrolled_loops"][0]["later_reached"] == false);

    const Run off = verify(file + " --domain kernel --unroll 0");
    CHECK(off.code == 1);
    CHECK(off.out.find("map-value-bounds") != std::string::npos);
    // A loop proved without unrolling is not unrolled.
    const fs::path out2 = scratch() / "unroll_none.json";
    CHECK(verify(asm_file("loop_back_edge_const.s") + " --domain kernel --json '" + out2.string() +
                 "'")
              .code == 0);
    CHECK(read_json(out2)["programs"][0]["unrolled_loops"].empty());
    // States in unrolled copies name their iteration.
    const Run states = verify(file + " --domain interval --log-level 2");
    CHECK(states.out.find("[iteration 4] 8:") != std::string::npos);
    CHECK(states.out.find("[iteration 5 and later]") == std::string::npos);
    CHECK(verify(file + " --unroll 5000").code == 2);
}

TEST_CASE("verify --caps and --no-packet-range are accepted and keep the document valid") {
    for (const char* extra : {"--caps root", "--caps bpf", "--no-packet-range"}) {
        CAPTURE(extra);
        const fs::path out = scratch() / "opts.json";
        const Run r =
            verify(asm_file("return_range_ok.s") + " " + extra + " --json '" + out.string() + "'");
        const json doc = read_json(out);
        CHECK(r.code == (check_program(doc["programs"][0]) == "pass" ? 0 : 1));
    }
}

TEST_CASE("verify --check-runs: accepted programs are run and checked") {
    const fs::path out = scratch() / "runs.json";
    const Run r = verify(asm_file("return_range_ok.s") + " --check-runs 5 --seed 3 --json '" +
                         out.string() + "'");
    CAPTURE(r.out);
    CAPTURE(r.err);
    const json doc = read_json(out);
    const json& p = doc["programs"][0];
    REQUIRE(check_program(p) == "pass");
    REQUIRE(p.contains("soundness"));
    const json& s = p["soundness"];
    CHECK(s["runs"] == 5);
    CHECK(s["violations"].is_array());
    CHECK((s["verdict"] == "sound" || s["verdict"] == "violation"));
    CHECK(r.code == (s["verdict"] == "sound" ? 0 : 7));
    CHECK(r.out.find("check-runs: 5 runs") != std::string::npos);

    // A rejected program is not run.
    const fs::path out2 = scratch() / "runs2.json";
    (void)verify(asm_file("uninit_register.s") + " --check-runs 5 --json '" + out2.string() + "'");
    CHECK(!read_json(out2)["programs"][0].contains("soundness"));
}

TEST_CASE(
    "verify --kernel: the kernel's verdict beside ours, or one line saying it is unavailable") {
    const fs::path out = scratch() / "kernel.json";
    const Run r = verify(asm_file("uninit_register.s") + " " + asm_file("return_range_ok.s") +
                         " --kernel --json '" + out.string() + "'");
    CHECK(r.code == 1);
    const json doc = read_json(out);
    if (r.out.find("bpf(2) is not available") != std::string::npos) {
        MESSAGE("bpf(2) is not permitted here: kernel comparisons skipped");
        for (const auto& f : doc["files"]) CHECK(!f["programs"][0].contains("kernel"));
        return;
    }
    const json& bad = doc["files"][0]["programs"][0];
    const json& good = doc["files"][1]["programs"][0];
    REQUIRE(bad.contains("kernel"));
    REQUIRE(good.contains("kernel"));
    check_program(bad);
    check_program(good);
    CHECK(bad["kernel"]["verdict"] == "fail");
    CHECK(!bad["kernel"]["error"].get<std::string>().empty());
    CHECK(good["kernel"]["verdict"] == "pass");
    CHECK(good["kernel"]["processed_insns"].get<std::uint64_t>() > 0);
    CHECK(r.out.find("kernel verifier: FAIL") != std::string::npos);
    CHECK(r.out.find("ratio") != std::string::npos);
}
