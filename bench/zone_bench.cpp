// SPDX-License-Identifier: Apache-2.0
// bpflab: zone (DBM) micro-benchmarks on 64-variable matrices — incremental closure after one
// new constraint, full closure, join, widening; median ns per operation.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "domains/zone/dbm.hpp"

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

template <class Prepare, class Op>
double median_ns(Prepare prepare, Op op) {
    std::vector<double> per_op;
    for (int r = 0; r < kRounds; ++r) {
        auto inputs = prepare();
        const auto t0 = std::chrono::steady_clock::now();
        for (auto& in : inputs) op(in);
        const auto t1 = std::chrono::steady_clock::now();
        per_op.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / kBatch);
    }
    std::nth_element(per_op.begin(), per_op.begin() + kRounds / 2, per_op.end());
    return per_op[kRounds / 2];
}

void report(const char* what, double ns, double goal_ns) {
    std::printf("%-44s %12.0f ns  (goal < %.0f ns: %s)\n", what, ns, goal_ns,
                goal_ns <= 0 ? "-" : (ns < goal_ns ? "met" : "MISSED"));
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

    std::printf("zone DBM, %zu variables (%zu x %zu entries), median of %d batches of %d\n", kVars,
                kVars + 1, kVars + 1, kRounds, kBatch);
    report("incremental closure (one constraint)", inc, 20'000);
    report("full closure (Floyd-Warshall)", full, 300'000);
    report("join (closed operands)", join, 20'000);
    report("widening", widen, 0);
    report("copy (reference)", copy, 0);
    std::printf("full / incremental closure: %.1fx\n", full / inc);
    return sink == 0xffffffff ? 1 : 0;
}
