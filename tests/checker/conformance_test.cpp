// SPDX-License-Identifier: Apache-2.0
// Conformance vectors (corpus/conformance/*.data) on every execution engine, and in the kernel.
#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <string_view>

#include "checker/kernel.hpp"
#include "core/jit/jit.hpp"
#include "core/load.hpp"
#include "core/vm/interp.hpp"
#include "tests/conformance_vectors.hpp"

namespace bpflab {
namespace {

using conformance::Vector;

/// What an engine reports for one run: r0, or the text of its fault.
struct Outcome {
    std::uint64_t r0 = 0;
    std::optional<std::string> fault;
};

using EngineRun = std::function<Outcome(const Object&, const Vector&)>;

/// An engine, and the fault kinds it detects: vectors expecting another fault are not run on
/// it (an unchecked engine may not stop at all, as with an endless loop).
struct Engine {
    std::string_view name;
    EngineRun run;
    std::vector<std::string_view> faults;
};

Outcome run_interpreter(const Object& object, const Vector& v) {
    vm::MapSet maps(object.maps);
    vm::Interpreter interp(object, maps);
    vm::RunInput input;
    input.memory_in_r1 = true;
    input.memory = v.memory;
    const auto r = interp.run(0, input);
    if (r.fault) return {r.r0, r.fault->to_string()};
    return {r.r0, std::nullopt};
}

Outcome run_jit(const Object& object, const Vector& v) {
    vm::MapSet maps(object.maps);
    auto jit = jit::JitProgram::compile(object, 0, maps, jit::JitOptions{.checked = true});
    if (!jit) return {0, "compile: " + jit.error().to_string()};
    vm::RunInput input;
    input.memory_in_r1 = true;
    input.memory = v.memory;
    const auto r = jit->run(input);
    if (r.fault) return {r.r0, r.fault->to_string()};
    return {r.r0, std::nullopt};
}

/// Every engine the vectors run on; a new engine is one more line here.
const std::vector<Engine>& engines() {
    static const std::vector<Engine> all = {
        {"interpreter", run_interpreter, {}},
        // checked mode bounds every access, but keeps no provenance (a number used as a
        // pointer is out_of_bounds, not invalid_pointer) nor initialisation, and no budget
        {"jit", run_jit, {"out_of_bounds", "call_depth"}},
    };
    return all;
}

/// Whether `engine` runs vector `v` (every vector expecting a result; faults it detects).
bool runs(const Engine& engine, const Vector& v) {
    if (v.result || engine.faults.empty()) return true;
    for (const auto f : engine.faults)
        if (v.error == f) return true;
    return false;
}

Object object_for(const Vector& v, const std::string& type = {}) {
    auto slots = conformance::assemble_vector(v);
    REQUIRE_MESSAGE(slots.has_value(), slots.error().to_string());
    LoadOptions opts;
    opts.type = type;
    auto obj = object_from_slots(std::move(*slots), v.name, opts);
    REQUIRE_MESSAGE(obj.has_value(), obj.error().to_string());
    return std::move(*obj);
}

std::vector<Vector> all_vectors() {
    std::vector<Vector> out;
    for (const auto& f : conformance::vector_files()) {
        auto v = conformance::parse_vector(f);
        REQUIRE_MESSAGE(v.has_value(), v.error().to_string());
        out.push_back(std::move(*v));
    }
    return out;
}

std::string hex(std::uint64_t v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}

}  // namespace

TEST_CASE("conformance vectors: at least 300, each parses and assembles") {
    const auto files = conformance::vector_files();
    CHECK(files.size() >= 300);
    int errors = 0;
    for (const auto& f : files) {
        CAPTURE(f.filename().string());
        auto v = conformance::parse_vector(f);
        REQUIRE_MESSAGE(v.has_value(), v.error().to_string());
        if (!v->result) ++errors;
        auto slots = conformance::assemble_vector(*v);
        CHECK_MESSAGE(slots.has_value(), (slots ? std::string() : slots.error().to_string()));
    }
    MESSAGE(files.size() << " vectors, " << errors << " expecting a fault");
}

TEST_CASE("conformance vectors: every engine gives the expected r0 or fault") {
    const auto vectors = all_vectors();
    for (const auto& engine : engines()) {
        int passed = 0, skipped = 0;
        for (const auto& v : vectors) {
            if (!runs(engine, v)) {
                ++skipped;
                continue;
            }
            CAPTURE(engine.name);
            CAPTURE(v.name);
            const Object obj = object_for(v);
            const Outcome out = engine.run(obj, v);
            if (v.result) {
                CHECK_MESSAGE(!out.fault, out.fault.value_or(""));
                if (out.fault) continue;
                CHECK_MESSAGE(out.r0 == *v.result,
                              "got " << hex(out.r0) << ", expected " << hex(*v.result));
                if (out.r0 == *v.result) ++passed;
            } else {
                REQUIRE_MESSAGE(out.fault.has_value(), "expected a fault with '"
                                                           << v.error
                                                           << "', got r0 = " << hex(out.r0));
                CHECK_MESSAGE(out.fault->find(v.error) != std::string::npos,
                              "fault '" << *out.fault << "' lacks '" << v.error << "'");
                if (out.fault->find(v.error) != std::string::npos) ++passed;
            }
        }
        MESSAGE(engine.name << ": " << passed << " of " << vectors.size() - skipped
                            << " vectors pass; " << skipped
                            << " expect a fault it does not detect");
    }
}

TEST_CASE("conformance vectors without memory or faults agree with the kernel (low 32 bits)") {
    std::string why;
    if (!kernel::available(&why)) {
        MESSAGE("skipped: bpf(2) not permitted: " << why);
        return;
    }
    // A socket filter sees the context in r1, not `mem`: only self-contained vectors qualify.
    // BPF_PROG_TEST_RUN needs at least an Ethernet header of packet data.
    const std::vector<std::uint8_t> packet(64, 0);
    int compared = 0, refused = 0;
    std::map<std::string, std::pair<int, std::string>> refusals;  // reason -> count, examples
    for (const auto& v : all_vectors()) {
        if (!v.result || !v.memory.empty()) continue;
        CAPTURE(v.name);
        const Object obj = object_for(v, "socket_filter");
        auto session = kernel::Session::create(obj);
        REQUIRE_MESSAGE(session.has_value(), session.error().to_string());
        if (!session->load(0, 0).accepted) {  // without a log: loads are much faster
            ++refused;
            auto& [count, names] = refusals[session->load(0, 1).error_line];
            if (++count <= 3) names += " " + v.name;
            continue;
        }
        auto run = session->test_run(0, packet, {}, 1);
        REQUIRE_MESSAGE(run.has_value(), run.error().to_string());
        CHECK_MESSAGE(
            run->retval == static_cast<std::uint32_t>(*v.result),
            "kernel returned " << hex(run->retval) << ", expected low half of " << hex(*v.result));
        ++compared;
    }
    for (const auto& [reason, seen] : refusals)
        MESSAGE("kernel verifier refused " << seen.first << " vectors with '" << reason << "', e.g."
                                           << seen.second);
    MESSAGE(compared << " vectors compared with the kernel, " << refused
                     << " refused by its verifier (reasons above)");
    CHECK(compared >= 300);
}

}  // namespace bpflab
