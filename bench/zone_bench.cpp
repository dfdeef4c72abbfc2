// SPDX-License-Identifier: Apache-2.0
// bpflab: zone (DBM) micro-benchmarks on 64-variable matrices — incremental closure after one
// new constraint, full closure, join, widening; median thread-CPU ns per operation.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <random>
#include <vector>

#include "domains/zone/dbm.hpp"
#include "domains/zone_state.hpp"

using bpflab::dom::Dbm;

namespace {

constexpr std::size_t kVars = 64;
constexpr int kBatch = 32;   // operations timed together (each on its own copy)
constexpr int kRounds = 41;  // batches; the median batch is reported

// A satisfiable DBM: 4n constraints around a hidden valuation, then closed.
Dbm random_closed(std::mt19937_64& rng, std::vector<std::int64_t>& witness) {
    std::uniform_int_distribution<std::int64_t> value(-1000, 1000), slack(0, 50);
    std::uniform_int_distribution<std::size_t> var(0, kVars);
    witness.assign(kVars + 1, 0);
    for (std::size_t i = 1; i <= kVars; ++i) witness[i] = value(rng);
    Dbm d(kVars);
    for (std::size_t k = 0; k < 4 * kVars; ++k) {
        const auto i = var(rng), j = var(rng);
        if (i != j) d.set_entry(i, j, std::min(d.at(i, j), witness[i] - witness[j] + slack(rng)));
    }
    d.close();
    return d;
}

// This thread's CPU time in ns: the machine is shared, so wall time would count the time other
// processes run on the same cores.
double cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

template <class Prepare, class Op>
double median_ns(Prepare prepare, Op op) {
    std::vector<double> per_op;
    for (int r = 0; r < kRounds; ++r) {
        auto inputs = prepare();
        const double t0 = cpu_ns();
        for (auto& in : inputs) op(in);
        const double t1 = cpu_ns();
        per_op.push_back((t1 - t0) / kBatch);
    }
    std::nth_element(per_op.begin(), per_op.begin() + kRounds / 2, per_op.end());
    return per_op[kRounds / 2];
}

void report(const char* what, double ns, double goal_ns = 0) {
    if (goal_ns <= 0) {
        std::printf("%-44s %10.0f ns\n", what, ns);
        return;
    }
    std::printf("%-44s %10.0f ns  (goal < %.0f ns: %s)\n", what, ns, goal_ns,
                ns < goal_ns ? "met" : "missed");
}

}  // namespace

int main() {
    std::mt19937_64 rng(1);
    std::vector<std::int64_t> wa, wb;
    const Dbm a = random_closed(rng, wa);
    const Dbm b = random_closed(rng, wb);
    std::uniform_int_distribution<std::size_t> var(1, kVars);
    volatile std::size_t sink = 0;

    // Incremental closure: one new constraint, tighter than the closed entry by a little (so
    // the update propagates but stays satisfiable around the witness).
    struct Inc {
        Dbm d;
        std::size_t i, j;
        std::int64_t c;
    };
    const double inc = median_ns(
        [&] {
            std::vector<Inc> v;
            for (int k = 0; k < kBatch; ++k) {
                std::size_t i = var(rng), j = var(rng);
                if (i == j) j = i % kVars + 1;
                const std::int64_t c =
                    std::max(wa[i] - wa[j], a.at(i, j) == bpflab::dom::zone::kInf ? wa[i] - wa[j]
                                                                                  : a.at(i, j) - 1);
                v.push_back({a, i, j, c});
            }
            return v;
        },
        [&](Inc& in) {
            in.d.add_constraint(in.i, in.j, in.c);
            sink = sink + in.d.is_bottom();
        });

    // Full closure of the same matrix with one entry tightened (unclosed input).
    const double full = median_ns(
        [&] {
            std::vector<Dbm> v;
            for (int k = 0; k < kBatch; ++k) {
                Dbm d = a;
                std::size_t i = var(rng), j = var(rng);
                if (i == j) j = i % kVars + 1;
                d.set_entry(i, j, std::max(wa[i] - wa[j], d.at(i, j) - 1));
                v.push_back(std::move(d));
            }
            return v;
        },
        [&](Dbm& d) {
            d.close();
            sink = sink + d.is_bottom();
        });

    // Join and widening of two closed matrices (results allocated as the API returns them).
    const double join = median_ns([&] { return std::vector<int>(kBatch); },
                                  [&](int&) { sink = sink + a.join(b).num_vars(); });
    const Dbm j = a.join(b);
    const double widen = median_ns([&] { return std::vector<int>(kBatch); },
                                   [&](int&) { sink = sink + a.widen(j).num_vars(); });
    const double copy = median_ns([&] { return std::vector<int>(kBatch); },
                                  [&](int&) {
                                      const Dbm c = a;
                                      sink = sink + c.num_vars();
                                  });

    // The state level: a branch x < y (incremental closure plus the interval refinement of both
    // operands) and a relational add on a 64-variable zone state.
    bpflab::dom::ZoneState st;
    for (bpflab::dom::Var v = 0; v < kVars; ++v) {
        st.assume(bpflab::dom::Branch{bpflab::Cond::Le, false, true}, v,
                  static_cast<std::uint64_t>(1000 + 10 * v));
        if (v > 0) st.assume(bpflab::dom::Branch{bpflab::Cond::Le, false, true}, v - 1, v);
    }
    const double assume = median_ns([&] { return std::vector<bpflab::dom::ZoneState>(kBatch, st); },
                                    [&](bpflab::dom::ZoneState& z) {
                                        z.assume(bpflab::dom::Branch{bpflab::Cond::Lt, false, true},
                                                 bpflab::dom::Var{7}, bpflab::dom::Var{40});
                                        sink = sink + z.is_bottom();
                                    });
    const double add = median_ns([&] { return std::vector<bpflab::dom::ZoneState>(kBatch, st); },
                                 [&](bpflab::dom::ZoneState& z) {
                                     z.apply(bpflab::dom::AluSpec{bpflab::AluOp::Add, true, 0},
                                             bpflab::dom::Var{3}, bpflab::dom::Var{9});
                                     sink = sink + z.is_bottom();
                                 });

    std::printf(
        "zone DBM, %zu variables (%zu x %zu entries), thread CPU time, median of %d batches of "
        "%d\n",
        kVars, kVars + 1, kVars + 1, kRounds, kBatch);
    report("incremental closure (one constraint)", inc, 20'000);
    report("full closure (Floyd-Warshall)", full, 300'000);
    report("join (closed operands)", join, 20'000);
    report("widening", widen);
    report("copy (reference)", copy);
    report("ZoneState assume x < y (64 variables)", assume);
    report("ZoneState x += y, relational (64 variables)", add);
    std::printf("full / incremental closure: %.1fx\n", full / inc);
    return sink == 0xffffffff ? 1 : 0;
}
