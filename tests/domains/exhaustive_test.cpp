// SPDX-License-Identifier: Apache-2.0
// bpflab: soundness of every value domain at 8 bits — every ALU operation in both widths, every
// branch side in both widths and every byte-order conversion, on all pairs of a dense sample
// against every concrete pair of their concretisations.
#include <doctest/doctest.h>

#include <random>

#include "tests/domains/harness.hpp"

using namespace bpflab::dom;
using namespace bpflab::dom::test;

namespace {

/// The dense sample the soundness suites share: every 17th constant and the edge constants,
/// top, bottom, abstractions of small sets and results of the domain's own operations.
template <SmallDomain V>
std::vector<V> dense_sample() {
    std::mt19937_64 rng(0x5eed);
    return sample<V>(rng, 36, 17);
}

}  // namespace

TEST_CASE_TEMPLATE_DEFINE("every ALU operation is sound at 8 bits", V, alu_sound) {
    const auto samples = dense_sample<V>();
    for (const AluSpec& spec : all_alu_specs()) {
        INFO("domain ", V::name(), ", ", describe(spec), ", ", samples.size(), " samples");
        const auto failure = check_alu_sound(spec, samples);
        CHECK_MESSAGE(!failure, (failure ? failure->message() : ""));
    }
}

TEST_CASE_TEMPLATE_DEFINE("every branch side is sound at 8 bits", V, assume_sound) {
    const auto samples = dense_sample<V>();
    for (const Branch& br : all_branches()) {
        INFO("domain ", V::name(), ", ", describe(br), ", ", samples.size(), " samples");
        const auto failure = check_assume_sound(br, samples);
        CHECK_MESSAGE(!failure, (failure ? failure->message() : ""));
    }
}

TEST_CASE_TEMPLATE_DEFINE("byte-order conversions are sound at 8 bits", V, endian_sound) {
    std::mt19937_64 rng(0xe2d);
    const auto samples = sample<V>(rng, 200);
    INFO("domain ", V::name());
    const auto failure = check_endian_sound(samples);
    CHECK_MESSAGE(!failure, (failure ? failure->message() : ""));
}

TEST_CASE_TEMPLATE_APPLY(alu_sound, SmallDomains);
TEST_CASE_TEMPLATE_APPLY(assume_sound, SmallDomains);
TEST_CASE_TEMPLATE_APPLY(endian_sound, SmallDomains);
