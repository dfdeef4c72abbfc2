// SPDX-License-Identifier: Apache-2.0
// bpflab: modular proofs — the real interval and kernel rows prove through their obligations,
// and a deliberately broken reduction step is caught by its own obligation.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <utility>

#include "domains/interval.hpp"
#include "solvers/prove.hpp"
#include "solvers/prove_domains.hpp"
#include "solvers/prove_modular.hpp"

namespace bpflab {
namespace testing {

/// The interval product with a broken reduction step: the exchange's unsigned view loses its
/// least word (unless it is a single word). alu, endian and assume compose as Interval's do, so the
/// bug reaches every operator through the reduction only.
template <class W>
class BadReduceInterval : public dom::Interval<W> {
  public:
    using Base = dom::Interval<W>;
    using Base::Base;
    BadReduceInterval() = default;
    BadReduceInterval(const Base& b) : Base(b) {}  // NOLINT(google-explicit-constructor)
    [[nodiscard]] static constexpr std::string_view name() { return "interval-bad-reduce"; }

    /// The broken step: the exchange's unsigned view loses its least word.
    [[nodiscard]] static BadReduceInterval reduce_exchange(const BadReduceInterval& v) {
        const Base r = Base::reduce_exchange(v);
        const W lo = select(r.u().is_constant(), r.u().lo(), r.u().lo() + W::constant(1));
        return Base(typename Base::U(lo, r.u().hi()), r.s(), r.u32(), r.s32());
    }
    /// Interval::reduced's composition, with the broken step.
    [[nodiscard]] BadReduceInterval reduced() const {
        BadReduceInterval v = reduce_exchange(*this);
        v = Base::reduce_to_half(v);
        v = reduce_exchange(Base::reduce_from_half(v));
        v = Base::reduce_to_half(v);
        return BadReduceInterval(select(v.is_bottom(), Base::bottom(), v));
    }
    [[nodiscard]] static BadReduceInterval alu_unreduced(dom::AluSpec s, const BadReduceInterval& a,
                                                         const BadReduceInterval& b) {
        return Base::alu_unreduced(s, a, b);
    }
    [[nodiscard]] static BadReduceInterval alu(dom::AluSpec s, const BadReduceInterval& a,
                                               const BadReduceInterval& b) {
        return alu_unreduced(s, a, b).reduced();
    }
    [[nodiscard]] static BadReduceInterval endian_unreduced(EndianKind k, unsigned bits,
                                                            const BadReduceInterval& a) {
        return Base::endian_unreduced(k, bits, a);
    }
    [[nodiscard]] static BadReduceInterval endian(EndianKind k, unsigned bits,
                                                  const BadReduceInterval& a) {
        return endian_unreduced(k, bits, a).reduced();
    }
    [[nodiscard]] static std::pair<BadReduceInterval, BadReduceInterval> assume_unreduced(
        dom::Branch br, const BadReduceInterval& a, const BadReduceInterval& b) {
        const auto [x, y] = Base::assume_unreduced(br, a, b);
        return {x, y};
    }
    [[nodiscard]] static std::pair<BadReduceInterval, BadReduceInterval> assume(
        dom::Branch br, const BadReduceInterval& a, const BadReduceInterval& b) {
        const auto [x, y] = assume_unreduced(br, a, b);
        const BadReduceInterval rx = x.reduced(), ry = y.reduced();
        const auto dead = rx.is_bottom() || ry.is_bottom();
        return {BadReduceInterval(select(dead, Base::bottom(), rx)),
                BadReduceInterval(select(dead, Base::bottom(), ry))};
    }
};

/// A tnum whose shift step forgets that the amount is taken modulo the width: an amount
/// y >= 64 with y & 63 = k is not seen as k. Its operators are Tnum's; only the step is broken,
/// so the bug is caught by the step obligation (its whole-operator replay finds nothing).
template <class W>
class BadShiftTnum : public dom::Tnum<W> {
  public:
    using Base = dom::Tnum<W>;
    using Base::Base;
    BadShiftTnum(const Base& b) : Base(b) {}  // NOLINT(google-explicit-constructor)
    [[nodiscard]] static constexpr std::string_view name() { return "tnum-bad-shift"; }
    template <class Shift>
    [[nodiscard]] static constexpr Base shift_step(const Base& acc, const Base& a, const Base& b,
                                                   unsigned k, Shift shift) {
        const auto possible = ((W::constant(k) ^ b.value) & ~b.mask) == W::constant(0);
        return Base::pick(possible, acc.join(shift(a, k)), acc);
    }
};

}  // namespace testing

namespace prove {

template <class W>
struct DomainFields<testing::BadReduceInterval<W>> {
    using V = testing::BadReduceInterval<W>;
    template <class Src>
    static V make(Src& src) {
        return V(DomainFields<dom::Interval<W>>::make(src));
    }
    static std::string describe(const V& v) { return DomainFields<dom::Interval<W>>::describe(v); }
};

template <class W>
struct DomainFields<testing::BadShiftTnum<W>> {
    using V = testing::BadShiftTnum<W>;
    template <class Src>
    static V make(Src& src) {
        return V(DomainFields<dom::Tnum<W>>::make(src));
    }
    static std::string describe(const V& v) { return DomainFields<dom::Tnum<W>>::describe(v); }
};

}  // namespace prove

namespace {

using prove::Verdict;

const prove::ProveOptions kOptions{60'000};

prove::Operation op_named(const std::string& name) {
    const auto ops = prove::find_operations(name);
    REQUIRE(ops.size() == 1);
    return ops.front();
}

void show(const std::string& what, const prove::Outcome& out) {
    MESSAGE(what << ": " << prove::verdict_name(out.verdict) << " " << out.seconds << " s");
    for (const auto& ob : out.obligations)
        MESSAGE("  " << ob.name << " " << prove::verdict_name(ob.verdict) << " " << ob.seconds
                     << " s" << std::string(ob.reused ? " (reused)" : ""));
}

}  // namespace

TEST_CASE("modular: interval and kernel rows prove through their obligations at 8 bits") {
    for (const char* name : {"add64", "and32", "mov64", "assume_jgt64", "le16"}) {
        CAPTURE(name);
        const auto out =
            prove::modular::prove_interval_row<prove::IntervalDomain, 8>(op_named(name), kOptions);
        show(std::string("interval ") + name, out);
        CHECK(out.verdict == Verdict::Proved);
        REQUIRE(out.obligations.size() == 5);
        CHECK(out.obligations[1].name == "interval.reduce_exchange");
    }
    for (const char* name : {"add64", "assume_jsle32"}) {
        CAPTURE(name);
        const auto out =
            prove::modular::prove_kernel_row<prove::KernelFixedRounds, 8>(op_named(name), kOptions);
        show(std::string("kernel-fixed-rounds ") + name, out);
        CHECK(out.verdict == Verdict::Proved);
        CHECK(out.obligations.size() == 8);
    }
}

TEST_CASE("modular: a shift by a tnum amount is proved step by step") {
    for (const auto& [op, name] : {std::pair{"lsh64", "tnum.lsh64[by steps]"},
                                   std::pair{"arsh32", "tnum.arsh32[by steps, low halves]"}}) {
        const auto out =
            prove::modular::prove_whole_row<prove::TnumCgo2022, 8>(op_named(op), kOptions);
        show(std::string("tnum ") + op, out);
        CHECK(out.verdict == Verdict::Proved);
        REQUIRE(out.obligations.size() == 1);
        CHECK(out.obligations[0].name == name);
    }
    // A step that ignores the amount's wrap-around is caught by its member obligation.
    const auto bad =
        prove::modular::prove_whole_row<testing::BadShiftTnum, 8>(op_named("rsh64"), kOptions);
    show("bad-shift rsh64", bad);
    CHECK(bad.verdict != Verdict::Proved);
    REQUIRE(bad.obligations.size() == 1);
    CHECK(bad.obligations[0].verdict == Verdict::Counterexample);
    CHECK(bad.obligations[0].message.find("member step") != std::string::npos);
}

TEST_CASE("modular: a broken reduction step is caught by its obligation") {
    // add64: the transfer obligation holds, the exchange step's fails — an obligation
    // counterexample, not proved.
    const auto add = prove::modular::prove_interval_row<testing::BadReduceInterval, 8>(
        op_named("add64"), kOptions);
    show("bad-reduce add64", add);
    CHECK(add.verdict != Verdict::Proved);
    CHECK((add.verdict == Verdict::Counterexample || add.verdict == Verdict::PartCounterexample));
    REQUIRE(add.obligations.size() == 5);
    CHECK(add.obligations[0].verdict == Verdict::Proved);
    CHECK(add.obligations[1].verdict == Verdict::Counterexample);
    REQUIRE(add.obligations[1].model.has_value());
    CHECK(add.obligations[1].model->confirmed_by_domain);  // the machine reduction loses w too

    // mov64 at 64 bits: the reduction's model becomes mov64's operand, replayed on the
    // composed operator and on the interpreter.
    const auto mov = prove::modular::prove_interval_row<testing::BadReduceInterval, 64>(
        op_named("mov64"), kOptions);
    show("bad-reduce mov64", mov);
    CHECK((mov.verdict == Verdict::Counterexample || mov.verdict == Verdict::PartCounterexample));
    REQUIRE(mov.counterexample.has_value());
    if (mov.verdict == Verdict::Counterexample) {
        CHECK(mov.counterexample->confirmed_by_domain);
        CHECK(mov.counterexample->confirmed_by_interpreter.value_or(false));
    }
}

}  // namespace bpflab
