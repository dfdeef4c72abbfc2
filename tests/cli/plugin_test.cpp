// SPDX-License-Identifier: Apache-2.0
// bpflab-plugin: conformance vectors piped through the bpf_conformance plugin protocol.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "tests/conformance_vectors.hpp"

namespace bpflab {
namespace {

namespace fs = std::filesystem;

struct PluginRun {
    int code = -1;
    std::string out;
    std::string err;
};

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

fs::path plugin_scratch() {
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("bpflab-plugin-test-" + std::to_string(getpid()));
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

/// Hex bytes separated by two spaces, as the bpf_conformance runner writes them.
std::string to_hex(const std::vector<std::uint8_t>& bytes) {
    std::ostringstream s;
    for (const auto b : bytes) s << std::hex << std::setw(2) << std::setfill('0') << int{b} << "  ";
    return s.str();
}

/// Runs `bpflab-plugin ARGS < STDIN_TEXT`, capturing stdout, stderr and the exit code.
PluginRun plugin(const std::string& args, const std::string& stdin_text) {
    const fs::path in = plugin_scratch() / "stdin";
    const fs::path out = plugin_scratch() / "stdout";
    const fs::path err = plugin_scratch() / "stderr";
    std::ofstream(in, std::ios::binary) << stdin_text;
    const std::string cmd = std::string("'") + BPFLAB_PLUGIN + "' " + args + " <'" + in.string() +
                            "' >'" + out.string() + "' 2>'" + err.string() + "'";
    const int status = std::system(cmd.c_str());  // NOLINT(cert-env33-c)
    PluginRun r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = read_all(out);
    r.err = read_all(err);
    return r;
}

std::string program_hex(const conformance::Vector& v) {
    auto slots = conformance::assemble_vector(v);
    REQUIRE(slots.has_value());
    return to_hex(bytes_from_slots(*slots));
}

conformance::Vector vector(const std::string& name) {
    auto v = conformance::parse_vector(fs::path(BPFLAB_SOURCE_DIR) / "corpus" / "conformance" /
                                       (name + ".data"));
    REQUIRE_MESSAGE(v.has_value(), v.error().to_string());
    return *v;
}

/// The plugin's answer for a vector, passing memory the way the runner does.
PluginRun run_vector(const conformance::Vector& v, const std::string& options = {}) {
    std::string args;
    if (!v.memory.empty()) args = "'" + to_hex(v.memory) + "'";
    if (!options.empty()) args += " " + options;
    return plugin(args, program_hex(v) + "\n");
}

}  // namespace

TEST_CASE("bpflab-plugin prints r0 in hex for vectors with and without memory") {
    for (const char* name :
         {"call-local-simple", "ldxw-mem-5", "loop-mem-sum", "lddw-3", "sdiv-reg-6",
          "atomic-cmpxchg32-match-r0", "mem-len", "jsgt32-imm-1"}) {
        CAPTURE(name);
        const auto v = vector(name);
        REQUIRE(v.result.has_value());
        const auto r = run_vector(v);
        CHECK_MESSAGE(r.code == 0, r.err);
        CHECK(std::stoull(r.out, nullptr, 16) == *v.result);
        CHECK(r.err.empty());
    }
}

TEST_CASE("bpflab-plugin reports faults on stderr with exit code 1") {
    for (const char* name : {"fault-mem-read-past-end", "fault-uninit-register", "call-depth-9"}) {
        CAPTURE(name);
        const auto v = vector(name);
        const auto r = run_vector(v);
        CHECK(r.code == 1);
        CHECK(r.out.empty());
        CHECK_MESSAGE(r.err.find(v.error) != std::string::npos, r.err);
    }
}

TEST_CASE("bpflab-plugin options and input errors") {
    const auto v = vector("call-local-simple");
    SUBCASE("--engine interp is the default; options may follow an empty memory argument") {
        auto r = run_vector(v, "--engine interp");
        CHECK(r.code == 0);
        CHECK(r.out == "34\n");
        r = plugin("'' --engine=interp", program_hex(v));
        CHECK(r.code == 0);
        CHECK(r.out == "34\n");
    }
    SUBCASE("--engine jit runs the checked JIT") {
        auto r = run_vector(v, "--engine jit");
        CHECK_MESSAGE(r.code == 0, r.err);
        CHECK(r.out == "34\n");
        const auto oob = vector("fault-mem-read-past-end");
        r = run_vector(oob, "--engine jit");
        CHECK(r.code == 1);
        CHECK(r.err.find("out_of_bounds") != std::string::npos);
    }
    SUBCASE("bad input") {
        CHECK(run_vector(v, "--engine nope").code == 2);
        CHECK(run_vector(v, "--bogus").code == 2);
        CHECK(plugin("", "zz").code == 3);
        CHECK(plugin("", "95 00 00 00").code == 3);  // not a whole instruction
        CHECK(plugin("'0g'", program_hex(v)).code == 2);
        CHECK(plugin("--help", "").code == 0);
    }
    SUBCASE("contiguous hex without spaces is accepted") {
        std::string compact = program_hex(v);
        std::erase(compact, ' ');
        const auto r = plugin("", compact);
        CHECK(r.code == 0);
        CHECK(r.out == "34\n");
    }
}

}  // namespace bpflab
