// SPDX-License-Identifier: Apache-2.0
// bpflab bench: our verifier against the kernel's on the same programs — every corpus program
// (corpus/*.o and corpus/asm/*.s) the kernel accepts, verified by bpflab (one domain, default
// zone+tnum) and loaded into the running kernel, side by side in one run.
//
//   verify_bench [--domain NAME] [--reps N] [--corpus DIR] [--asm DIR]
//
// Our figure: wall time of verify_program (best of N). The kernel's: the verifier's own
// "verification time" from a BPF_LOG_STATS log (best of N, a fresh load each time), and the
// wall time of BPF_PROG_LOAD beside it. Without bpf(2) the kernel columns are left out.
//
// Best-of-N runs each program warm (its code and data in the caches from the run before). A
// second figure takes one pass each, batched as `bpflab verify --kernel` does: the kernel
// loads every program, then bpflab verifies every program, each verifier cold per program
// but not evicted by the other in between.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "checker/kernel.hpp"
#include "checker/verifier/verify.hpp"
#include "core/load.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Row {
    std::size_t object = 0;  ///< index into the loaded objects
    std::size_t program = 0;
    std::string name;
    std::size_t insns = 0;
    double ours = 0;
    bool ours_pass = false;
    double kernel_verify = 0;
    double kernel_load = 0;
    bool kernel_pass = false;
};

std::vector<std::string> inputs(const std::string& corpus, const std::string& asm_dir) {
    std::vector<std::string> out;
    for (const auto& dir : {corpus, asm_dir}) {
        if (!std::filesystem::is_directory(dir)) continue;
        for (const auto& e : std::filesystem::directory_iterator(dir)) {
            const auto ext = e.path().extension();
            if (ext == ".o" || ext == ".s") out.push_back(e.path().string());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::string domain = "zone+tnum";
    int reps = 5;
    std::string corpus = std::string(BPFLAB_BINARY_DIR) + "/corpus";
    std::string asm_dir = std::string(BPFLAB_SOURCE_DIR) + "/corpus/asm";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i], v = argv[i + 1];
        if (k == "--domain")
            domain = v;
        else if (k == "--reps")
            reps = std::max(1, std::atoi(v.c_str()));
        else if (k == "--corpus")
            corpus = v;
        else if (k == "--asm")
            asm_dir = v;
        else {
            std::fprintf(
                stderr,
                "usage: verify_bench [--domain NAME] [--reps N] [--corpus DIR] [--asm DIR]\n");
            return 2;
        }
    }
    std::string why;
    const bool kernel = bpflab::kernel::available(&why);
    if (!kernel)
        std::printf("kernel verifier not available (%s): bpflab's times only\n", why.c_str());

    std::vector<Row> rows;
    std::vector<bpflab::Object> objects;
    for (const std::string& path : inputs(corpus, asm_dir)) {
        auto loaded = bpflab::load_file(path);
        if (!loaded) {
            std::fprintf(stderr, "%s: %s\n", path.c_str(), loaded.error().to_string().c_str());
            continue;
        }
        objects.push_back(std::move(*loaded));
        const bpflab::Object* obj = &objects.back();
        for (std::size_t p = 0; p < obj->programs.size(); ++p) {
            const bpflab::Program& prog = obj->programs[p];
            Row row;
            row.object = objects.size() - 1;
            row.program = p;
            row.name = std::filesystem::path(path).filename().string() + ":" + prog.name;
            row.insns = prog.code.insns.size();
            if (kernel) {
                row.kernel_verify = row.kernel_load = 1e9;
                for (int r = 0; r < reps; ++r) {
                    auto session = bpflab::kernel::Session::create(*obj);
                    if (!session) break;
                    const bpflab::kernel::LoadResult lr = session->load(p, 4);
                    row.kernel_pass = lr.accepted;
                    row.kernel_verify = std::min(row.kernel_verify, lr.verification_seconds);
                    row.kernel_load = std::min(row.kernel_load, lr.seconds);
                }
                if (!row.kernel_pass) continue;  // only programs both verifiers are asked to accept
            }
            bpflab::verify::VerifyOptions opt;
            opt.domain = domain;
            opt.check.caps = bpflab::verify::Caps::Root;  // the kernel loads as root here
            row.ours = 1e9;
            for (int r = 0; r < reps; ++r) {
                const auto t0 = Clock::now();
                const auto res = bpflab::verify::verify_program(*obj, prog, opt);
                row.ours =
                    std::min(row.ours, std::chrono::duration<double>(Clock::now() - t0).count());
                row.ours_pass = res.pass;
            }
            rows.push_back(row);
        }
    }

    std::printf("%-44s %6s %10s %5s %12s %12s %8s\n", "program", "insns", "bpflab ms", "ok",
                "kernel ms", "load ms", "ratio");
    double ours = 0, kv = 0, kl = 0;
    int passed = 0;
    for (const Row& r : rows) {
        ours += r.ours;
        kv += r.kernel_verify;
        kl += r.kernel_load;
        passed += r.ours_pass;
        std::printf("%-44s %6zu %10.3f %5s %12.3f %12.3f %8.2f\n", r.name.c_str(), r.insns,
                    r.ours * 1e3, r.ours_pass ? "pass" : "FAIL", r.kernel_verify * 1e3,
                    r.kernel_load * 1e3, r.kernel_verify > 0 ? r.ours / r.kernel_verify : 0.0);
    }
    std::printf("\n%zu programs the kernel accepts; bpflab (%s) accepts %d\n", rows.size(),
                domain.c_str(), passed);
    std::printf("total: bpflab %.3f ms, kernel verification %.3f ms (load %.3f ms)\n", ours * 1e3,
                kv * 1e3, kl * 1e3);
    if (kv > 0)
        std::printf("ratio bpflab / kernel verification: %.2f (against load time: %.2f)\n",
                    ours / kv, ours / kl);
    if (!kernel) return 0;

    // One pass each, batched: every kernel load, then every bpflab analysis.
    double kernel_once = 0, ours_once = 0;
    for (const Row& r : rows) {
        auto session = bpflab::kernel::Session::create(objects[r.object]);
        if (session) kernel_once += session->load(r.program, 4).verification_seconds;
    }
    bpflab::verify::VerifyOptions opt;
    opt.domain = domain;
    opt.check.caps = bpflab::verify::Caps::Root;
    for (const Row& r : rows) {
        const auto t0 = Clock::now();
        (void)bpflab::verify::verify_program(objects[r.object],
                                             objects[r.object].programs[r.program], opt);
        ours_once += std::chrono::duration<double>(Clock::now() - t0).count();
    }
    std::printf("one pass each, batched: bpflab %.3f ms, kernel verification %.3f ms, ratio %.2f\n",
                ours_once * 1e3, kernel_once * 1e3,
                kernel_once > 0 ? ours_once / kernel_once : 0.0);
    return 0;
}
