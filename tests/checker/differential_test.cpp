// SPDX-License-Identifier: Apache-2.0
// Differential test of packet programs: every accepted packet program of the corpus runs on the
// interpreter, the JIT (trusted, and checked for the instruction count) and in the kernel
// (BPF_PROG_TEST_RUN) over 50 generated packets; r0, the final packet and every map must agree
// after each run. Without bpf(2) the kernel part is skipped and the bpflab engines still agree.
#include <doctest/doctest.h>

#include <map>

#include "tests/checker/differential_util.hpp"

namespace bpflab::diff {

TEST_CASE("differential: interpreter, JIT and kernel agree on every accepted packet program") {
    std::string why;
    const bool permitted = kernel::available(&why);
    if (!permitted)
        MESSAGE("skipped: bpf(2) not permitted: " << why << " (interpreter vs JIT only)");
    const auto targets =
        accepted_programs([](const ProgramTypeInfo& t) { return t.packet_context; });
    constexpr int kInputs = 50;
    int programs = 0, engine_runs = 0, kernel_runs = 0, refused = 0, tail_calls = 0;
    std::map<std::string, std::pair<int, std::string>> refused_by;  ///< count, last reason
    for (const Target& t : targets) {
        CAPTURE(t.name);
        auto session = kernel_session(t, permitted);
        Engines engines(*t.object, t.index);
        engines.fill_program_arrays();  // tail calls go to the object's other programs
        const int type = t.program().prog_type;
        // The kernel hands skb programs of L3 types (socket filters, cgroup skb) their packet
        // back rewritten, so only XDP and tc packets are compared byte for byte.
        const bool l2 = type == BPF_PROG_TYPE_XDP || type == BPF_PROG_TYPE_SCHED_CLS ||
                        type == BPF_PROG_TYPE_SCHED_ACT;
        std::mt19937_64 rng(0x5eed + t.index);
        // Inputs until kInputs were compared (refused ones are replaced, up to 3x as many).
        int compared = 0;
        for (int i = 0; compared < kInputs && i < 3 * kInputs; ++i) {
            CAPTURE(i);
            const Bytes packet = generate_packet(rng, i);
            std::optional<kernel::TestRun> theirs;
            if (session) {
                // The kernel first: an input it refuses (skb runs refuse frames whose IP header
                // is cut short) is left out for every engine, so that the maps stay in step.
                auto k = session->test_run(t.index, packet, {}, 1);
                if (!k) {
                    ++refused;
                    auto& [n, reason] = refused_by[t.name];
                    ++n;
                    reason =
                        k.error().message + " (" + std::to_string(packet.size()) + "-byte frame)";
                    continue;
                }
                theirs = std::move(*k);
            }
            vm::RunInput input;
            input.packet = packet;
            const Runs ours = engines.run(input);
            Engines::check_agree(ours);
            engines.check_maps_agree();
            engine_runs += 3;
            tail_calls += static_cast<int>(ours.interp.tail_calls);
            ++compared;
            if (!theirs) continue;
            CHECK(static_cast<std::uint32_t>(ours.interp.r0) == theirs->retval);
            CHECK(static_cast<std::uint32_t>(ours.trusted.r0) == theirs->retval);
            if (l2) CHECK(ours.interp.packet == theirs->data_out);
            engines.check_kernel_maps(*session);
            ++kernel_runs;
        }
        CHECK(compared == kInputs);
        ++programs;
    }
    CHECK(programs >= 18);
    MESSAGE(programs << " packet programs x " << kInputs << " inputs: " << engine_runs
                     << " bpflab engine runs (interp, trusted JIT, checked JIT), " << kernel_runs
                     << " kernel runs compared, " << refused
                     << " inputs refused by BPF_PROG_TEST_RUN, " << tail_calls
                     << " tail calls taken");
    CHECK(tail_calls > 0);
    for (const auto& [name, why_refused] : refused_by)
        MESSAGE("BPF_PROG_TEST_RUN refused " << why_refused.first << " generated inputs of " << name
                                             << ", e.g. " << why_refused.second);
    if (permitted) CHECK(refused < kernel_runs / 4);
}

}  // namespace bpflab::diff
