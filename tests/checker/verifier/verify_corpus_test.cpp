// SPDX-License-Identifier: Apache-2.0
// checker/verifier: every corpus program under every domain — verdicts and reasons against the
// manifests (corpus/manifest.json, corpus/asm/manifest.json).
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>

#include "checker/verifier/verify.hpp"
#include "core/load.hpp"
#include "tests/corpus/corpus_util.hpp"

namespace bpflab::verify {
namespace {

struct Case {
    std::string file;
    std::string program;  ///< empty: the only program
    std::string type;
    bool accept = false;
    std::string reason;  ///< for rejections: the expected check code
    bool privileged_accept = false;
};

std::vector<Case> cases() {
    std::vector<Case> out;
    for (const auto& o : corpus_test::read_manifest())
        for (const auto& p : o["programs"])
            out.push_back({corpus_test::object_path(o["object"].get<std::string>()),
                           p["name"].get<std::string>(), "", p["verdict"] == "accept", "", false});
    const auto asm_manifest = nlohmann::json::parse(
        corpus_test::read_text(corpus_test::source_dir() + "/asm/manifest.json"));
    for (const auto& e : asm_manifest)
        out.push_back({corpus_test::source_dir() + "/asm/" + e["file"].get<std::string>(), "",
                       e["type"].get<std::string>(), e["verdict"] == "accept",
                       e["verdict"] == "reject" ? e["reason"].get<std::string>() : "",
                       e.value("privileged_verdict", "") == "accept"});
    return out;
}

bool verbose() {
    return std::getenv("BPFLAB_VERIFY_VERBOSE") != nullptr;
}

std::string codes(const ProgramResult& r) {
    std::string s;
    for (const Finding& f : r.errors)
        s += std::string(code_name(f.code)) + "@" + std::to_string(f.pc) + " ";
    return s;
}

}  // namespace

TEST_CASE("verifier: corpus verdicts under every domain") {
    std::map<std::string, int> accepted;
    int programs = 0;
    for (const Case& c : cases()) {
        LoadOptions lo;
        lo.type = c.type;
        auto obj = load_file(c.file, lo);
        REQUIRE_MESSAGE(obj.has_value(), c.file);
        for (const Program& p : obj->programs) {
            if (!c.program.empty() && p.name != c.program) continue;
            ++programs;
            std::string row;
            for (const std::string& d : verifier_domains()) {
                VerifyOptions opt;
                opt.domain = d;
                if (const char* wd = std::getenv("BPFLAB_WD"))
                    opt.fixpoint.widening_delay = static_cast<unsigned>(std::atoi(wd));
                const char* dbg = std::getenv("BPFLAB_VERIFY_DEBUG");
                opt.record_states = dbg != nullptr && p.name == dbg &&
                                    std::getenv("BPFLAB_VERIFY_STATES") != nullptr &&
                                    d == std::getenv("BPFLAB_VERIFY_STATES");
                const ProgramResult r = verify_program(*obj, p, opt);
                for (const InsnState& is : r.states) std::cout << is.pc << ": " << is.text << "\n";
                if (r.pass) ++accepted[d];
                if (std::getenv("BPFLAB_VERIFY_DEBUG") != nullptr && !r.pass &&
                    p.name == std::getenv("BPFLAB_VERIFY_DEBUG"))
                    for (const Finding& f : r.errors) {
                        std::cout << d << " " << code_name(f.code) << "@" << f.pc << " " << f.insn
                                  << ": " << f.message;
                        for (const auto& [k, v] : f.values) std::cout << " " << k << "=" << v;
                        std::cout << "\n";
                    }
                row += " " + d + "=" + (r.pass ? "pass" : "FAIL[" + codes(r) + "]");
                if (!c.accept) {
                    CHECK_MESSAGE(!r.pass, c.file, " ", p.name, " accepted by ", d);
                    if (!c.reason.empty()) {
                        std::set<std::string> got;
                        for (const Finding& f : r.errors)
                            got.insert(std::string(code_name(f.code)));
                        CHECK_MESSAGE(got.contains(c.reason), c.file, " ", d, ": expected ",
                                      c.reason, ", got ", codes(r));
                    }
                } else if (d == "kernel" || d == "zone+tnum") {
                    // Held to accepting every program the kernel accepts.
                    CHECK_MESSAGE(r.pass, c.file, " ", p.name, " rejected by ", d, ": ", codes(r));
                }
            }
            if (c.privileged_accept) {
                VerifyOptions opt;
                opt.check.caps = Caps::Root;
                CHECK_MESSAGE(verify_program(*obj, p, opt).pass, c.file,
                              " rejected with caps root");
            }
            if (verbose())
                std::cout << (c.accept ? "accept " : "reject ") << c.file << ":" << p.name << row
                          << "\n";
        }
    }
    if (verbose())
        for (const auto& [d, n] : accepted)
            std::cout << d << ": " << n << "/" << programs << " accepted\n";
}

}  // namespace bpflab::verify

namespace bpflab::verify {

TEST_CASE("verifier: without the checked packet range, only relations prove variable offsets") {
    // xdp_parse (IPv4 header of variable length) and pkt_var_offset.s index the packet with a
    // loaded value; the zone domains prove `offset + size <= data_end - data` by relations,
    // the non-relational ones cannot once the kernel-style range is switched off.
    const std::vector<std::pair<std::string, std::string>> programs = {
        {corpus_test::object_path("xdp_parse"), ""},
        {corpus_test::source_dir() + "/asm/pkt_var_offset.s", ""},
        {corpus_test::object_path("ipv6_ext"), ""},
    };
    for (const auto& [file, type] : programs) {
        auto obj = load_file(file);
        REQUIRE_MESSAGE(obj.has_value(), file);
        for (const std::string& d : verifier_domains()) {
            VerifyOptions opt;
            opt.domain = d;
            opt.check.packet_range = false;
            const ProgramResult r = verify_program(*obj, obj->programs.at(0), opt);
            const bool relational = d == "zone" || d == "zone+tnum";
            CHECK_MESSAGE(r.pass == relational, file, " ", d, " ", codes(r));
            if (!relational) {
                bool packet = false;
                for (const Finding& f : r.errors) packet = packet || f.code == Check::PacketBounds;
                CHECK_MESSAGE(packet, file, " ", d, " ", codes(r));
            }
        }
    }
}

TEST_CASE("verifier: graph inlines calls per context and reports recursion") {
    auto obj = load_file(corpus_test::object_path("subprogs"));
    REQUIRE(obj.has_value());
    const Graph g = build_graph(obj->programs.at(0));
    CHECK(g.contexts.size() > 1);
    CHECK(g.problems.empty());
    for (std::size_t v = 0; v < g.vertices.size(); ++v)
        for (const Flow& f : g.out[v]) CHECK(f.to < g.vertices.size());
    // A function that calls itself: reported, and the program is rejected.
    const auto path = std::filesystem::temp_directory_path() / "bpflab_recursion_test.s";
    {
        std::ofstream out(path);
        out << ".type xdp\nr0 = 0\ncall pc+1\nexit\nr0 = 1\ncall pc-2\nexit\n";
    }
    auto rec = load_file(path.string());
    std::filesystem::remove(path);
    REQUIRE(rec.has_value());
    const ProgramResult r = verify_program(*rec, rec->programs.at(0), VerifyOptions{});
    CHECK_FALSE(r.pass);
    bool depth = false;
    for (const Finding& f : r.errors) depth = depth || f.code == Check::CallDepth;
    CHECK_MESSAGE(depth, codes(r));
}

TEST_CASE("verifier: stack depth along a call chain") {
    // Two frames of 304 bytes each: either alone fits, the chain does not.
    const auto path = std::filesystem::temp_directory_path() / "bpflab_stack_depth_test.s";
    {
        std::ofstream out(path);
        out << ".type xdp\n*(u64 *)(r10 - 304) = 0\ncall pc+2\nr0 = 0\nexit\n"
               "*(u64 *)(r10 - 304) = 0\nr0 = 0\nexit\n";
    }
    auto obj = load_file(path.string());
    std::filesystem::remove(path);
    REQUIRE(obj.has_value());
    const ProgramResult r = verify_program(*obj, obj->programs.at(0), VerifyOptions{});
    CHECK_FALSE(r.pass);
    bool depth = false;
    for (const Finding& f : r.errors) depth = depth || f.code == Check::StackDepth;
    CHECK_MESSAGE(depth, codes(r));
}

}  // namespace bpflab::verify
