// SPDX-License-Identifier: Apache-2.0
// `bpflab verify FILE... [--program NAME] [--domain NAME|all] [--json OUT] [--log-level 0|1|2]
// [--kernel] [--caps bpf|root] [--no-packet-range] [--check-runs N] [--seed S] [--timeout S]`.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "checker/kernel.hpp"
#include "checker/verifier/soundness.hpp"
#include "checker/verifier/verify.hpp"
#include "cli/commands.hpp"
#include "core/load.hpp"
#include "reports/json.hpp"
#include "reports/log.hpp"

namespace bpflab::cli {
namespace {

struct VerifyOpts {
    std::vector<std::string> files;
    std::string program;
    std::string domain = "zone+tnum";
    std::string json_out;
    int log_level = reports::kLogFindings;
    bool kernel = false;
    std::string caps = "bpf";
    bool no_packet_range = false;
    int check_runs = 0;
    std::uint64_t seed = 1;
    double timeout = 0;
    unsigned unroll = verify::VerifyOptions{}.unroll;
};

/// What the run saw, for the exit code.
struct RunFlags {
    bool input_error = false;
    bool internal_error = false;
    bool unsound = false;
    bool timeout = false;
    bool fail = false;
};

/// The kernel verifier's verdict on program `index`: timed at log level 0 (the log costs the
/// kernel time); a rejection is loaded again at level 1 for its error line and instruction count.
reports::KernelVerdict kernel_verdict(kernel::Session& session, std::size_t index) {
    const kernel::LoadResult fast = session.load(index, 0);
    reports::KernelVerdict k;
    k.accepted = fast.accepted;
    k.seconds = fast.seconds;
    k.processed_insns = fast.verified_insns;
    if (!fast.accepted) {
        const kernel::LoadResult logged = session.load(index, 1);
        k.error = logged.error_line.empty() ? fast.error_line : logged.error_line;
        k.processed_insns = logged.verified_insns;
    }
    return k;
}

reports::SoundnessSummary summarise(const verify::SoundnessReport& s) {
    reports::SoundnessSummary out;
    out.runs = static_cast<std::uint64_t>(s.runs);
    out.checked_states = s.checked_points;
    out.skipped_states = s.skipped_points;
    out.faults = static_cast<std::uint64_t>(s.faults);
    out.jit_runs = static_cast<std::uint64_t>(s.jit_runs);
    out.jit_mismatches = static_cast<std::uint64_t>(s.jit_mismatches);
    out.jit_error = s.jit_error;
    out.jit_notes = s.jit_notes;
    out.invariant_points = s.fact_points;
    out.reached_points = s.reached_points;
    out.violation_count = static_cast<std::uint64_t>(s.violation_count);
    for (const verify::Violation& v : s.violations)
        out.violations.push_back("run " + std::to_string(v.run) + ", pc " + std::to_string(v.pc) +
                                 " (frame " + std::to_string(v.frame) + "): " + v.what +
                                 "\n      input: " + v.input + "\n      concrete: " + v.concrete +
                                 "\n      invariant: " + v.invariant);
    return out;
}

class VerifyRun {
  public:
    VerifyRun(const VerifyOpts& o, std::vector<std::string> domains, bool kernel, std::ostream& log)
        : o_(o), domains_(std::move(domains)), kernel_(kernel), log_(log) {}

    /// With --kernel: loads every selected program of every file into the kernel, before any
    /// analysis, so that the two verifiers each run their whole batch without the other
    /// evicting its caches in between (both times are per program, measured in one run).
    void kernel_pass(const std::vector<std::string>& paths);
    /// Verifies every selected program of `path` with every domain, printing as it goes.
    reports::FileReport file(const std::string& path);
    [[nodiscard]] const RunFlags& flags() const { return flags_; }

  private:
    reports::ProgramReport one(const Object& obj, std::size_t index, const std::string& domain,
                               const std::optional<reports::KernelVerdict>& kv);

    [[nodiscard]] std::vector<std::size_t> selected(const Object& obj) const {
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < obj.programs.size(); ++i)
            if (o_.program.empty() || obj.programs[i].name == o_.program) out.push_back(i);
        return out;
    }

    const VerifyOpts& o_;
    std::vector<std::string> domains_;
    bool kernel_;
    /// kernel_pass's verdicts: per file, per program index (none where it could not load).
    std::map<std::string, std::vector<std::optional<reports::KernelVerdict>>> kernel_verdicts_;
    std::ostream& log_;  ///< the text log (stderr when the JSON goes to stdout)
    RunFlags flags_;
};

reports::ProgramReport VerifyRun::one(const Object& obj, std::size_t index,
                                      const std::string& domain,
                                      const std::optional<reports::KernelVerdict>& kv) {
    const Program& prog = obj.programs[index];
    verify::VerifyOptions vo;
    vo.domain = domain;
    vo.check.caps = o_.caps == "root" ? verify::Caps::Root : verify::Caps::Bpf;
    vo.check.packet_range = !o_.no_packet_range;
    vo.record_states = o_.log_level >= reports::kLogStates;
    vo.record_facts = o_.check_runs > 0;
    vo.unroll = o_.unroll;
    if (o_.timeout > 0)
        vo.fixpoint.deadline = std::chrono::steady_clock::now() +
                               std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                   std::chrono::duration<double>(o_.timeout));
    reports::ProgramReport r;
    r.program = &prog;
    r.kernel = kv;
    try {
        r.result = verify::verify_program(obj, prog, vo);
    } catch (const std::exception& e) {
        r.result.name = prog.name;
        r.result.section = prog.section;
        r.result.type = prog.type;
        r.result.domain = domain;
        r.result.instructions = prog.code.insns.size();
        r.internal_error = e.what();
    }
    reports::attach_sources(r.result, prog);
    r.timed_out = r.result.timed_out || (o_.timeout > 0 && r.result.seconds > o_.timeout);
    if (o_.check_runs > 0 && r.internal_error.empty() && r.result.pass) {
        try {
            verify::SoundnessOptions so;
            so.runs = o_.check_runs;
            so.seed = o_.seed;
            r.soundness = summarise(verify::check_runs(obj, index, r.result, so));
        } catch (const std::exception& e) {
            r.internal_error = std::string("--check-runs: ") + e.what();
        }
    }
    r.result.facts.clear();
    r.result.facts.shrink_to_fit();
    switch (reports::outcome(r)) {
        case reports::Outcome::Pass:
            break;
        case reports::Outcome::Fail:
            flags_.fail = true;
            break;
        case reports::Outcome::Timeout:
            flags_.timeout = true;
            break;
        case reports::Outcome::Unsound:
            flags_.unsound = true;
            break;
        case reports::Outcome::InternalError:
            flags_.internal_error = true;
            break;
    }
    // An unsound or timed-out program may also have failed.
    flags_.fail = flags_.fail || (r.internal_error.empty() && !r.result.pass);
    return r;
}

void VerifyRun::kernel_pass(const std::vector<std::string>& paths) {
    if (!kernel_) return;
    for (const std::string& path : paths) {
        auto obj = load_file(path);
        if (!obj) continue;  // file() reports it
        auto session = kernel::Session::create(*obj);
        if (!session) {
            log_ << "kernel: " << path << ": the maps could not be created in the kernel ("
                 << session.error().message << "); no kernel verdicts for this file\n";
            continue;
        }
        auto& verdicts = kernel_verdicts_[path];
        verdicts.resize(obj->programs.size());
        for (const std::size_t i : selected(*obj)) verdicts[i] = kernel_verdict(*session, i);
    }
}

reports::FileReport VerifyRun::file(const std::string& path) {
    reports::FileReport out;
    out.file = path;
    auto obj = load_file(path);
    if (!obj) {
        Diagnostic d = obj.error();
        if (d.file.empty()) d.file = path;
        out.error = d.to_string();
        report_input_error(d);
        flags_.input_error = true;
        return out;
    }
    const std::vector<std::size_t> chosen = selected(*obj);
    if (chosen.empty()) {
        const Diagnostic d{o_.program.empty() ? "the file holds no program"
                                              : "no program named '" + o_.program + "'",
                           std::nullopt, path};
        out.error = d.to_string();
        report_input_error(d);
        flags_.input_error = true;
        return out;
    }
    const auto verdicts = kernel_verdicts_.find(path);
    for (const std::size_t i : chosen) {
        std::optional<reports::KernelVerdict> kv;
        if (verdicts != kernel_verdicts_.end() && i < verdicts->second.size())
            kv = verdicts->second[i];
        const std::size_t first = out.programs.size();
        for (const std::string& d : domains_) {
            out.programs.push_back(one(*obj, i, d, kv));
            if (domains_.size() == 1) {
                reports::print_program(log_, out.programs.back(), o_.log_level);
                log_.flush();
            }
        }
        if (domains_.size() > 1) {
            std::vector<const reports::ProgramReport*> rows;
            for (std::size_t k = first; k < out.programs.size(); ++k)
                rows.push_back(&out.programs[k]);
            reports::print_domain_table(log_, rows, o_.log_level);
            log_.flush();
        }
        // The object dies with this call: the reports keep no pointer into it.
        for (std::size_t k = first; k < out.programs.size(); ++k) out.programs[k].program = nullptr;
    }
    return out;
}

int run_verify(const VerifyOpts& o) {
    const std::vector<std::string> known = verify::verifier_domains();
    std::vector<std::string> domains;
    if (o.domain == "all") {
        domains = known;
    } else if (std::find(known.begin(), known.end(), o.domain) != known.end()) {
        domains.push_back(o.domain);
    } else {
        std::cerr << "bpflab: error: --domain: unknown domain '" << o.domain << "' (known:";
        for (const std::string& d : known) std::cerr << " " << d;
        std::cerr << ", all)\n";
        return kExitUsage;
    }
    // `--json -` keeps standard output for the document: the text log goes to stderr.
    std::ostream& log = o.json_out == "-" ? std::cerr : std::cout;
    bool kernel = false;
    if (o.kernel) {
        std::string why;
        kernel = kernel::available(&why);
        if (!kernel)
            log << "kernel: bpf(2) is not available (" << why
                << "); verifying without the kernel's verdicts\n";
    }
    VerifyRun run(o, domains, kernel, log);
    run.kernel_pass(o.files);
    std::vector<reports::FileReport> files;
    std::size_t reports_count = 0;
    for (const std::string& path : o.files) {
        files.push_back(run.file(path));
        reports_count += files.back().programs.size();
    }
    if (reports_count > 1 || o.files.size() > 1 || kernel) {
        log << "\n";
        reports::print_summary(log, files);
        if (kernel && o.caps == "bpf" && geteuid() == 0)
            log << "note: the kernel verified with this process's privileges (root); bpflab with "
                   "--caps bpf, which forbids more (compare with --caps root)\n";
    }
    RunFlags flags = run.flags();
    if (!o.json_out.empty()) {
        const std::string text = reports::run_json(files).dump(2) + "\n";
        if (o.json_out == "-") {
            std::cout << text;
        } else {
            std::ofstream out(o.json_out, std::ios::binary);
            out << text;
            if (!out) {
                report_input_error(
                    Diagnostic{"cannot write the JSON report", std::nullopt, o.json_out});
                flags.input_error = true;
            }
        }
    }
    if (flags.internal_error) return kExitInternalError;
    if (flags.unsound) return kExitUnsound;
    if (flags.input_error) return kExitInputError;
    if (flags.timeout) return kExitTimeout;
    if (flags.fail) return kExitFail;
    return kExitOk;
}

}  // namespace

void register_verify(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<VerifyOpts>();
    auto* cmd = app.add_subcommand("verify", "Verify every program of one or more files");
    cmd->add_option("FILE", o->files, "ELF objects, assembly or raw bytes")->required();
    cmd->add_option("--program", o->program, "Verify only the program with this function name");
    std::string names;
    for (const std::string& d : verify::verifier_domains())
        names += (names.empty() ? "" : ", ") + d;
    cmd->add_option("--domain", o->domain, "Abstract domain (" + names + ") or 'all'")
        ->capture_default_str();
    cmd->add_option("--json", o->json_out, "Write the JSON report to this file ('-': stdout)");
    cmd->add_option(
           "--log-level", o->log_level,
           "0: one line per program; 1: with findings; 2: with the state before every instruction")
        ->check(CLI::Range(0, 2))
        ->capture_default_str();
    cmd->add_flag("--kernel", o->kernel, "Also load every program into the running kernel");
    cmd->add_option("--caps", o->caps, "The loader's privileges")
        ->check(CLI::IsMember({"bpf", "root"}))
        ->capture_default_str();
    cmd->add_flag("--no-packet-range", o->no_packet_range,
                  "Do not use the kernel-style checked range of packet pointers");
    cmd->add_option("--check-runs", o->check_runs,
                    "Run every accepted program on N generated inputs and check its invariants")
        ->check(CLI::Range(0, 1000000));
    cmd->add_option("--seed", o->seed, "Seed of the --check-runs inputs")->capture_default_str();
    cmd->add_option("--timeout", o->timeout,
                    "Stop a program's analysis after S seconds and report it as a timeout (0: no "
                    "limit)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--unroll", o->unroll,
                    "When the analysis finds an error, run it again with the first N iterations of "
                    "every innermost loop apart (0: never)")
        ->check(CLI::Range(0U, verify::kMaxUnroll))
        ->capture_default_str();
    cmd->callback([o, &exit_code] { exit_code = run_verify(*o); });
}

}  // namespace bpflab::cli
