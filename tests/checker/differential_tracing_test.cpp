// SPDX-License-Identifier: Apache-2.0
// Differential test of tracing programs. BPF_PROG_TEST_RUN runs raw_tracepoint programs with
// ctx_in as the argument array, so those run on the interpreter, both JIT modes and the kernel
// over generated argument arrays. It has no test-run operation for kprobe, tracepoint or
// perf_event programs (the syscall answers ENOTSUPP: a kprobe needs a live probe hit, a
// tracepoint a real event record), so those run on the interpreter and the JIT only, over
// generated register files and records; the test checks that the kernel still refuses them.
#include <doctest/doctest.h>

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>

#include "tests/checker/differential_util.hpp"

namespace bpflab::diff {
namespace {

constexpr int kInputs = 50;

/// BPF_PROG_TEST_RUN of a raw_tracepoint program: ctx_in is the argument array, and nothing
/// else may be set (no data, no ctx_out, no repeat). The low 32 bits of r0, or the errno.
struct RawTpRun {
    bool ok = false;
    std::uint32_t retval = 0;
    int error = 0;
};

RawTpRun test_run_ctx_only(int fd, const Bytes& ctx) {
    bpf_test_run_opts opts{};
    opts.sz = sizeof opts;
    opts.ctx_in = ctx.data();
    opts.ctx_size_in = static_cast<std::uint32_t>(ctx.size());
    RawTpRun r;
    r.ok = bpf_prog_test_run_opts(fd, &opts) == 0;
    r.error = r.ok ? 0 : errno;
    r.retval = opts.retval;
    return r;
}

/// An environment that changes from run to run, the same for every engine.
void vary_environment(vm::RunInput& in, std::mt19937_64& rng) {
    const std::uint64_t pid = 100 + rng() % 5000;
    in.pid_tgid = (pid << 32) | (pid + rng() % 4);
    in.uid_gid = (rng() % 2000) * 0x100000001ull;
    in.ktime_ns = 1'000'000'000 + rng() % 1'000'000;
    in.seed = rng();
    in.comm = (rng() & 1) ? "bpflab" : "rm";
}

}  // namespace

TEST_CASE("differential: raw_tracepoint programs agree on interpreter, JIT and kernel") {
    std::string why;
    const bool permitted = kernel::available(&why);
    if (!permitted)
        MESSAGE("skipped: bpf(2) not permitted: " << why << " (interpreter vs JIT only)");
    const auto targets = accepted_programs(
        [](const ProgramTypeInfo& t) { return t.prog_type == BPF_PROG_TYPE_RAW_TRACEPOINT; });
    REQUIRE(!targets.empty());
    int engine_runs = 0, kernel_runs = 0, refused = 0;
    for (const Target& t : targets) {
        CAPTURE(t.name);
        auto session = kernel_session(t, permitted);
        Engines engines(*t.object, t.index);
        const ProgramTypeInfo* type = program_type_info(t.program().prog_type);
        std::mt19937_64 rng(0xa5a5 + t.index);
        for (int i = 0; i < kInputs; ++i) {
            CAPTURE(i);
            // The whole argument array (12 words); sys_enter's number is args[1].
            const Bytes args = tracing_words(rng, type->ctx_size / 8);
            std::optional<RawTpRun> theirs;
            if (session) {
                theirs = test_run_ctx_only(session->program_fd(t.index), args);
                if (!theirs->ok) {
                    ++refused;
                    MESSAGE("BPF_PROG_TEST_RUN refused: " << std::strerror(theirs->error));
                    continue;
                }
            }
            vm::RunInput input;
            input.context = args;
            const Runs ours = engines.run(input);
            Engines::check_agree(ours);
            engines.check_maps_agree();
            engine_runs += 3;
            if (!theirs) continue;
            CHECK(static_cast<std::uint32_t>(ours.interp.r0) == theirs->retval);
            CHECK(static_cast<std::uint32_t>(ours.trusted.r0) == theirs->retval);
            engines.check_kernel_maps(*session);
            ++kernel_runs;
        }
    }
    MESSAGE(targets.size() << " raw_tracepoint programs x " << kInputs
                           << " argument arrays: " << engine_runs << " bpflab engine runs, "
                           << kernel_runs << " kernel runs compared, " << refused
                           << " refused by BPF_PROG_TEST_RUN");
    if (permitted) CHECK(kernel_runs == kInputs * static_cast<int>(targets.size()));
}

TEST_CASE("differential: kprobe, tracepoint and perf_event programs agree on interpreter and JIT") {
    std::string why;
    const bool permitted = kernel::available(&why);
    const auto targets = accepted_programs([](const ProgramTypeInfo& t) {
        return t.prog_type == BPF_PROG_TYPE_KPROBE || t.prog_type == BPF_PROG_TYPE_TRACEPOINT ||
               t.prog_type == BPF_PROG_TYPE_PERF_EVENT;
    });
    REQUIRE(targets.size() >= 4);
    int engine_runs = 0, kernel_refusals = 0;
    for (const Target& t : targets) {
        CAPTURE(t.name);
        const ProgramTypeInfo* type = program_type_info(t.program().prog_type);
        if (permitted) {
            // The kernel cannot join: no BPF_PROG_TEST_RUN for these types.
            auto session = kernel_session(t, permitted);
            const RawTpRun r = test_run_ctx_only(
                session->program_fd(t.index), Bytes(type->ctx_size == 0 ? 64 : type->ctx_size, 0));
            CHECK_FALSE(r.ok);
            if (!r.ok) ++kernel_refusals;
        }
        Engines engines(*t.object, t.index);
        std::mt19937_64 rng(0x7ace + t.index);
        for (int i = 0; i < kInputs; ++i) {
            CAPTURE(i);
            vm::RunInput input;
            // kprobe / perf_event: a register file (pt_regs, bpf_perf_event_data) of tracing
            // words; tracepoint: a 64-byte record (the common header, then the fields).
            input.context = tracing_words(rng, (type->ctx_size == 0 ? 64 : type->ctx_size) / 8);
            // Kernel memory for probe_read*: 256 bytes, and a third of the runs point the
            // first argument register (rdi, pt_regs offset 112) into it.
            input.probe_base = 0xffff888012340000ull;
            input.probe_memory = tracing_words(rng, 32);
            if (i % 3 == 0 && input.context.size() >= 120) {
                const std::uint64_t p = input.probe_base + rng() % 200;
                std::memcpy(input.context.data() + 112, &p, 8);
            }
            vary_environment(input, rng);
            const Runs ours = engines.run(input);
            Engines::check_agree(ours);
            engines.check_maps_agree();
            engine_runs += 3;
        }
    }
    MESSAGE(targets.size() << " kprobe/tracepoint programs x " << kInputs << " inputs: "
                           << engine_runs << " bpflab engine runs compared; the kernel refused "
                           << kernel_refusals << " of " << targets.size()
                           << " test runs (no BPF_PROG_TEST_RUN for these types)");
}

}  // namespace bpflab::diff
