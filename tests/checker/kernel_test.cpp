// SPDX-License-Identifier: Apache-2.0
// Tests for checker/kernel.hpp: bpflab's linked code loads in the kernel with the manifest's
// verdicts, and BPF_PROG_TEST_RUN agrees with the interpreter (skipped without bpf(2)).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "checker/kernel.hpp"
#include "core/load.hpp"
#include "core/vm/interp.hpp"

namespace bpflab {
namespace {

namespace fs = std::filesystem;

bool kernel_or_skip() {
    std::string why;
    if (kernel::available(&why)) return true;
    MESSAGE("skipped: bpf(2) not permitted: " << why);
    return false;
}

}  // namespace

TEST_CASE("every corpus program gets the manifest's verdict when bpflab's linked code is loaded") {
    if (!kernel_or_skip()) return;
    std::ifstream in(fs::path(BPFLAB_SOURCE_DIR) / "corpus" / "manifest.json");
    const auto manifest = nlohmann::json::parse(in);
    int checked = 0;
    for (const auto& entry : manifest) {
        const auto path = fs::path(BPFLAB_BINARY_DIR) / "corpus" /
                          (entry["object"].get<std::string>() + ".o");
        auto obj = load_file(path.string());
        REQUIRE_MESSAGE(obj.has_value(), (obj ? "" : obj.error().to_string()));
        auto session = kernel::Session::create(*obj);
        REQUIRE_MESSAGE(session.has_value(), (session ? "" : session.error().to_string()));
        for (const auto& p : entry["programs"]) {
            const std::string name = p["name"];
            CAPTURE(name);
            std::size_t index = obj->programs.size();
            for (std::size_t i = 0; i < obj->programs.size(); ++i)
                if (obj->programs[i].name == name) index = i;
            REQUIRE(index < obj->programs.size());
            const auto r = session->load(index, 1);
            const bool accept = p["verdict"] == "accept";
            CAPTURE(r.error_line);
            CHECK(r.accepted == accept);
            if (!accept && p.contains("kernel_error"))
                CHECK(r.log.find(p["kernel_error"].get<std::string>()) != std::string::npos);
            if (accept) CHECK(r.verified_insns > 0);
            ++checked;
        }
    }
    CHECK(checked >= 20);
}

TEST_CASE("BPF_PROG_TEST_RUN and the interpreter agree on xdp_count") {
    if (!kernel_or_skip()) return;
    auto obj = load_file((fs::path(BPFLAB_BINARY_DIR) / "corpus" / "xdp_count.o").string());
    REQUIRE(obj.has_value());
    auto session = kernel::Session::create(*obj);
    REQUIRE(session.has_value());
    REQUIRE(session->load(0, 0).accepted);
    vm::MapSet maps(obj->maps);
    vm::Interpreter interp(*obj, maps);
    for (int len : {14, 20, 64}) {
        for (int first = 0; first < 3; ++first) {
            std::vector<std::uint8_t> packet(static_cast<std::size_t>(len), 0);
            packet[0] = static_cast<std::uint8_t>(first);
            auto k = session->test_run(0, packet, {}, 1);
            REQUIRE(k.has_value());
            vm::RunInput input;
            input.packet = packet;
            auto r = interp.run(0, input);
            REQUIRE_FALSE(r.fault);
            CHECK(static_cast<std::uint32_t>(r.r0) == k->retval);
            CHECK(r.packet == k->data_out);
        }
    }
    // The kernel's hash map and ours saw the same packets.
    const auto kernel_entries = session->entries(0);
    const auto our_entries = maps.at(0).entries();
    CHECK(kernel_entries.size() == our_entries.size());
}

}  // namespace bpflab
