// SPDX-License-Identifier: Apache-2.0
// The running kernel's verifier agrees with corpus/manifest.json on every corpus program.
#include <doctest/doctest.h>

#include <string>

#include "tests/corpus/kernel_util.hpp"

namespace bpflab::corpus_test {
namespace {

/// The last `n` characters of a verifier log: where the kernel states its reason.
std::string tail(const std::string& log, std::size_t n = 1500) {
    return log.size() <= n ? log : "..." + log.substr(log.size() - n);
}

}  // namespace

TEST_CASE("the kernel verifier's verdict on every corpus program matches the manifest") {
    const KernelAccess access = probe_kernel_access();
    if (!access.permitted) {
        MESSAGE("skipped: bpf(2) not permitted: " << access.reason);
        return;
    }
    const nlohmann::json manifest = read_manifest();
    REQUIRE(manifest.is_array());
    int accepted = 0;
    int rejected = 0;
    for (const auto& entry : manifest) {
        const std::string object = entry.at("object").get<std::string>();
        for (const auto& program : entry.at("programs")) {
            const std::string name = program.at("name").get<std::string>();
            const std::string expected = program.at("verdict").get<std::string>();
            CAPTURE(object);
            CAPTURE(name);
            const KernelVerdict got = load_with_kernel(object_path(object), name);
            INFO("libbpf: " << got.libbpf);
            INFO("verifier log (tail): " << tail(got.log));
            REQUIRE(got.opened);
            if (expected == "accept") {
                CHECK(got.error == 0);
                ++accepted;
            } else {
                REQUIRE(expected == "reject");
                CHECK(got.error != 0);
                const std::string needle = program.at("kernel_error").get<std::string>();
                CAPTURE(needle);
                CHECK(got.log.find(needle) != std::string::npos);
                ++rejected;
            }
        }
    }
    MESSAGE("kernel verdicts checked: " << accepted << " accepted, " << rejected << " rejected");
    CHECK(accepted > 0);
    CHECK(rejected > 0);
}

}  // namespace bpflab::corpus_test
