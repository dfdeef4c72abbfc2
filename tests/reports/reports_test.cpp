// SPDX-License-Identifier: Apache-2.0
// Unit tests of the verify reports: the JSON document's fields, the text log's finding and
// state lines, outcomes, units and table alignment.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include "reports/json.hpp"
#include "reports/log.hpp"
#include "reports/table.hpp"

namespace {

using namespace bpflab;  // NOLINT(google-build-using-namespace)

reports::ProgramReport sample(bool pass) {
    reports::ProgramReport r;
    r.result.name = "prog";
    r.result.section = "xdp";
    r.result.type = "xdp";
    r.result.domain = "zone+tnum";
    r.result.pass = pass;
    r.result.seconds = 0.0015;
    r.result.peak_memory_bytes = 4096;
    r.result.iterations = 7;
    r.result.instructions = 3;
    if (!pass) {
        verify::Finding f;
        f.code = verify::Check::PacketBounds;
        f.pc = 12;
        f.insn = "r2 = *(u8 *)(r1 + 0x0)";
        f.message = "1-byte read at R1+0: not proved within [data, data_end)";
        f.values = {{"R1", "pkt(off=14,r=0)"}, {"R2", "scalar()"}};
        f.source_file = "x.c";
        f.source_line = 42;
        f.source_text = "    return *p;";
        r.result.errors.push_back(f);
    }
    return r;
}

}  // namespace

TEST_CASE("program_json: the schema's fields, the finding's values and source") {
    const auto j = reports::program_json(sample(false));
    CHECK(j["verdict"] == "fail");
    CHECK(j["outcome"] == "FAIL");
    CHECK(j["peak_memory_bytes"] == 4096);
    REQUIRE(j["errors"].size() == 1);
    const auto& e = j["errors"][0];
    CHECK(e["code"] == "packet-bounds");
    CHECK(e["pc"] == 12);
    CHECK(e["values"]["R1"] == "pkt(off=14,r=0)");
    CHECK(e["source"]["line"] == 42);
    CHECK(!j.contains("kernel"));
    CHECK(!j.contains("soundness"));
    CHECK(!j.contains("states"));

    reports::ProgramReport k = sample(true);
    k.kernel = reports::KernelVerdict{true, "", 11, 0.0001};
    k.soundness = reports::SoundnessSummary{};
    k.soundness->runs = 5;
    const auto jk = reports::program_json(k);
    CHECK(jk["kernel"]["verdict"] == "pass");
    CHECK(jk["kernel"]["processed_insns"] == 11);
    CHECK(jk["soundness"]["verdict"] == "sound");
    CHECK(jk["errors"].empty());
}

TEST_CASE("run_json: one file at the top level, several under files; input errors kept") {
    reports::FileReport a{"a.s", "", {sample(true)}};
    reports::FileReport b{"b.o", "b.o: no such file", {}};
    const auto one = reports::run_json({a});
    CHECK(one["schema_version"] == reports::kSchemaVersion);
    CHECK(one["file"] == "a.s");
    CHECK(one["programs"].size() == 1);
    const auto two = reports::run_json({a, b});
    CHECK(two["files"].size() == 2);
    CHECK(two["files"][1]["error"] == "b.o: no such file");
    CHECK(!two["files"][0].contains("schema_version"));
}

TEST_CASE("outcome: internal error, then soundness, then timeout, then the verdict") {
    reports::ProgramReport r = sample(false);
    CHECK(reports::outcome(r) == reports::Outcome::Fail);
    r.timed_out = true;
    CHECK(reports::outcome(r) == reports::Outcome::Timeout);
    r.soundness = reports::SoundnessSummary{};
    r.soundness->violation_count = 1;
    CHECK(reports::outcome(r) == reports::Outcome::Unsound);
    r.internal_error = "boom";
    CHECK(reports::outcome(r) == reports::Outcome::InternalError);
}

TEST_CASE("text log: summary line and finding lines") {
    std::ostringstream out;
    reports::print_program(out, sample(false), reports::kLogFindings);
    const std::string s = out.str();
    CHECK(s.rfind("FAIL  prog  xdp  zone+tnum  1.500 ms  peak 4.0 KiB  7 iterations  1 error\n",
                  0) == 0);
    CHECK(s.find("error packet-bounds at 12: r2 = *(u8 *)(r1 + 0x0)\n") != std::string::npos);
    CHECK(s.find("x.c:42: return *p;\n") != std::string::npos);
    CHECK(s.find("R1=pkt(off=14,r=0) R2=scalar()\n") != std::string::npos);
    std::ostringstream quiet;
    reports::print_program(quiet, sample(false), reports::kLogSummary);
    CHECK(quiet.str().find("packet-bounds") == std::string::npos);
}

TEST_CASE("units and tables") {
    CHECK(reports::format_seconds(0.0000125) == "12.5 us");
    CHECK(reports::format_seconds(0.25) == "250.000 ms");
    CHECK(reports::format_seconds(2.5) == "2.50 s");
    CHECK(reports::format_bytes(512) == "512 B");
    CHECK(reports::format_bytes(1536) == "1.5 KiB");
    CHECK(reports::format_bytes(3 * 1024 * 1024) == "3.0 MiB");
    reports::Table t({"name", "n"}, {false, true});
    t.add({"a", "1"});
    t.add({"long", "100"});
    std::ostringstream out;
    t.print(out);
    CHECK(out.str() == "name    n\n---------\na       1\nlong  100\n");
}
