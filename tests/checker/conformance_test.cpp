// SPDX-License-Identifier: Apache-2.0
// Conformance vectors (corpus/conformance/*.data) on every execution engine, and in the kernel.
#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <string_view>

#include "checker/kernel.hpp"
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

/// Every engine the vectors run on; a new engine is one more line here.
const std::vector<std::pair<std::string_view, EngineRun>>& engines() {
    static const std::vector<std::pair<std::string_view, EngineRun>> all = {
        {"interpreter", run_interpreter},
    };
    return all;
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
    for (const auto& [engine, run] : engines()) {
        int passed = 0;
        for (const auto& v : vectors) {
            CAPTURE(engine);
            CAPTURE(v.name);
            const Object obj = object_for(v);
            const Outcome out = run(obj, v);
            if (v.result) {
                CHECK_MESSAGE(!out.fault, out.fault.value_or(""));
                if (out.fault) continue;
                CHECK_MESSAGE(out.r0 == *v.result, "got " << hex(out.r0) << ", expected " << hex(*v.result));
                if (out.r0 == *v.result) ++passed;
            } else {
                REQUIRE_MESSAGE(out.fault.has_value(),
                                "expected a fault with '" << v.error << "', got r0 = " << hex(out.r0));
                CHECK_MESSAGE(out.fault->find(v.error) != std::string::npos,
                              "fault '" << *out.fault << "' lacks '" << v.error << "'");
                if (out.fault->find(v.error) != std::string::npos) ++passed;
            }
        }
        MESSAGE(engine << ": " << passed << " of " << vectors.size() << " vectors pass");
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
    std::map<std::string, std::string> refusals;
    for (const auto& v : all_vectors()) {
        if (!v.result || !v.memory.empty()) continue;
        CAPTURE(v.name);
        const Object obj = object_for(v, "socket_filter");
        auto session = kernel::Session::create(obj);
        REQUIRE_MESSAGE(session.has_value(), session.error().to_string());
        const auto load = session->load(0, 1);
        if (!load.accepted) {
            ++refused;
            refusals[v.name] = load.error_line;
            continue;
        }
        auto run = session->test_run(0, packet, {}, 1);
        REQUIRE_MESSAGE(run.has_value(), run.error().to_string());
        CHECK_MESSAGE(run->retval == static_cast<std::uint32_t>(*v.result),
                      "kernel returned " << hex(run->retval) << ", expected low half of "
                                         << hex(*v.result));
        ++compared;
    }
    for (const auto& [name, line] : refusals) MESSAGE("refused by the kernel verifier: " << name << ": " << line);
    MESSAGE(compared << " vectors compared with the kernel, " << refused
                     << " refused by its verifier (immediate shifts out of range, division by an "
                        "immediate zero, recursion, newer instructions ...)");
    CHECK(compared >= 300);
}

}  // namespace bpflab
