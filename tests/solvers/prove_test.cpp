// SPDX-License-Identifier: Apache-2.0
// bpflab: the proof pipeline on the tests' own small domains — sound ones prove, deliberately
// broken ones give counterexamples that the machine instance and the interpreter confirm.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <random>

#include "solvers/prove.hpp"
#include "solvers/prove_report.hpp"
#include "tests/domains/harness.hpp"
#include "tests/solvers/mini_domains.hpp"

namespace bpflab {
namespace {

using prove::Verdict;
using testing::Bug;
using testing::Mini;

const prove::ProveOptions kOptions{20'000};

prove::Operation op_named(const std::string& name) {
    const auto ops = prove::find_operations(name);
    REQUIRE(ops.size() == 1);
    return ops.front();
}

template <template <class> class D, unsigned N>
prove::Outcome run(const std::string& name) {
    return prove::prove_operation<D, N>(op_named(name), kOptions);
}

/// Whether the exhaustive 8-bit harness (tests/domains/harness.hpp) finds the bug too.
template <class V>
bool harness_catches(const prove::Operation& op) {
    std::mt19937_64 rng(7);
    const auto samples = dom::test::sample<V>(rng, 40);
    if (op.kind == prove::Kind::Assume)
        return dom::test::check_assume_sound<V>(op.branch, samples).has_value();
    return dom::test::check_alu_sound<V>(op.alu, samples).has_value();
}

}  // namespace

TEST_CASE("operation names") {
    CHECK(prove::all_operations().size() == 88);
    CHECK(prove::find_operations("and").size() == 2);
    CHECK(prove::find_operations("movsx8").size() == 2);
    CHECK(prove::find_operations("assume_not_jset").size() == 2);
    CHECK(prove::find_operations("le16").size() == 1);
    CHECK(prove::find_operations("nonsense").empty());
    const auto jgt = op_named("assume_not_jgt32");
    CHECK(jgt.kind == prove::Kind::Assume);
    CHECK(jgt.branch == dom::Branch{Cond::Gt, true, false});
    const auto sx = op_named("movsx16_32");
    CHECK(sx.alu == dom::AluSpec{AluOp::MovSx, false, 16});
}

TEST_CASE("sound small domains are proved") {
    using T = Mini<Bug::None>;
    for (const char* name : {"add64", "sub64", "and64", "or64", "xor64", "add32", "lsh64", "arsh64",
                             "neg32", "movsx8_64", "movsx8_32", "mul64", "be16"}) {
        CAPTURE(name);
        CHECK(run<T::Tnum, 8>(name).verdict == Verdict::Proved);
    }
    for (const char* name : {"add64", "sub64", "sdiv64", "mov32", "assume_jle64",
                             "assume_not_jlt64", "assume_jgt64", "assume_not_jge64"}) {
        CAPTURE(name);
        CHECK(run<T::Interval, 8>(name).verdict == Verdict::Proved);
    }
    CHECK(run<T::Tnum, 64>("add64").verdict == Verdict::Proved);
    for (const char* name : {"add64", "sub64", "and64", "add32", "lsh64", "arsh64", "or32"})
        CHECK_FALSE(harness_catches<testing::MiniTnum<Bits<8>>>(op_named(name)));
    for (const char* name : {"add64", "sub64", "sdiv64", "mov32", "assume_jle64"})
        CHECK_FALSE(harness_catches<testing::MiniInterval<Bits<8>>>(op_named(name)));
    CHECK(run<T::Interval, 64>("assume_jle64").verdict == Verdict::Proved);
}

namespace {

struct BrokenCase {
    const char* name;
    Bug bug;
    const char* op;
};

template <Bug B>
prove::Outcome run_broken(const BrokenCase& c, unsigned width) {
    const bool tnum = std::string(c.name).starts_with("tnum");
    if (width == 64)
        return tnum ? run<Mini<B>::template Tnum, 64>(c.op)
                    : run<Mini<B>::template Interval, 64>(c.op);
    CHECK(tnum ? harness_catches<testing::MiniTnum<Bits<8>, B>>(op_named(c.op))
               : harness_catches<testing::MiniInterval<Bits<8>, B>>(op_named(c.op)));
    return tnum ? run<Mini<B>::template Tnum, 8>(c.op) : run<Mini<B>::template Interval, 8>(c.op);
}

}  // namespace

TEST_CASE("deliberately broken operators are caught by prove and by the 8-bit harness") {
    // One instantiation per bug: the switch picks the template argument.
    const std::vector<BrokenCase> cases{
        {"tnum add without carry mask", Bug::TnumAddNoCarry, "add64"},
        {"tnum sub without borrow mask", Bug::TnumSubNoBorrow, "sub64"},
        {"tnum and with the wrong mask", Bug::TnumAndWrongMask, "and64"},
        {"tnum add32 missing the 32-bit mask", Bug::TnumAdd32FullWidth, "add32"},
        {"tnum lsh with an unmasked amount", Bug::TnumLshUnmasked, "lsh64"},
        {"tnum arsh as rsh", Bug::TnumArshAsRsh, "arsh64"},
        {"tnum or32 missing zero-extension", Bug::TnumAlu32SignExtend, "or32"},
        {"interval add without overflow check", Bug::IntervalAddNoOverflow, "add64"},
        {"interval sub without underflow check", Bug::IntervalSubNoUnderflow, "sub64"},
        {"interval assume jle off by one", Bug::IntervalJleOffByOne, "assume_jle64"},
        {"interval sdiv with the wrong sign case", Bug::IntervalSDivUnsigned, "sdiv64"},
        {"interval mov32 missing zero-extension", Bug::IntervalMov32NoZext, "mov32"},
    };
    for (const BrokenCase& c : cases) {
        for (const unsigned width : {8U, 64U}) {
            CAPTURE(c.name);
            CAPTURE(width);
            prove::Outcome out;
            switch (c.bug) {
#define BPFLAB_BUG(B)                       \
    case Bug::B:                            \
        out = run_broken<Bug::B>(c, width); \
        break;
                BPFLAB_BUG(TnumAddNoCarry)
                BPFLAB_BUG(TnumSubNoBorrow)
                BPFLAB_BUG(TnumAndWrongMask)
                BPFLAB_BUG(TnumAdd32FullWidth)
                BPFLAB_BUG(TnumLshUnmasked)
                BPFLAB_BUG(TnumArshAsRsh)
                BPFLAB_BUG(TnumAlu32SignExtend)
                BPFLAB_BUG(IntervalAddNoOverflow)
                BPFLAB_BUG(IntervalSubNoUnderflow)
                BPFLAB_BUG(IntervalJleOffByOne)
                BPFLAB_BUG(IntervalSDivUnsigned)
                BPFLAB_BUG(IntervalMov32NoZext)
#undef BPFLAB_BUG
                case Bug::None:
                    break;
            }
            REQUIRE(out.verdict == Verdict::Counterexample);
            REQUIRE(out.counterexample);
            const auto& cex = *out.counterexample;
            CHECK(cex.confirmed_by_domain);
            if (width == 64) {
                CHECK(cex.program.find("exit") != std::string::npos);
                CHECK(cex.input_hex.size() == 32);
                REQUIRE(cex.confirmed_by_interpreter.has_value());
                CHECK(*cex.confirmed_by_interpreter);
            } else {
                CHECK_FALSE(cex.confirmed_by_interpreter.has_value());
            }
        }
    }
}

TEST_CASE("a counterexample's JSON names inputs, results and the replay") {
    const auto out = run<Mini<Bug::IntervalAddNoOverflow>::template Interval, 64>("add64");
    REQUIRE(out.verdict == Verdict::Counterexample);
    const prove::Row row{"mini-interval", "add64", 64, out};
    const auto j = prove::row_json(row);
    CHECK(j["result"] == "counterexample");
    CHECK(j["abstract_inputs"]["a_fields"].contains("lo"));
    CHECK(j["program"].get<std::string>().find("r2 += r3") != std::string::npos);
    CHECK(j["confirmed_by_interpreter"] == true);
    CHECK(j["input"].get<std::string>().size() == 32);
    MESSAGE(j.dump(2));
}

TEST_CASE("jobs run on two threads and keep their order") {
    static const prove::DomainEntry sound =
        prove::make_entry<Mini<Bug::None>::template Tnum>("mini-tnum");
    static const prove::DomainEntry broken =
        prove::make_entry<Mini<Bug::TnumAddNoCarry>::template Tnum>("mini-tnum-broken");
    std::vector<prove::Job> jobs;
    for (const auto* d : {&sound, &broken})
        for (const char* name : {"add64", "and64", "xor32"})
            jobs.push_back({d, op_named(name), 16});
    std::size_t seen = 0;
    const auto rows = prove::run_jobs(jobs, kOptions, 2, [&](const prove::Row&) { ++seen; });
    REQUIRE(rows.size() == 6);
    CHECK(seen == 6);
    CHECK(rows[0].domain == "mini-tnum");
    CHECK(rows[0].op == "add64");
    CHECK(rows[0].outcome.verdict == Verdict::Proved);
    CHECK(rows[3].outcome.verdict == Verdict::Counterexample);
    CHECK(rows[4].outcome.verdict == Verdict::Proved);
    const auto j = prove::results_json(rows);
    CHECK(j["results"].size() == 6);
}

}  // namespace bpflab
