// SPDX-License-Identifier: Apache-2.0
// `bpflab prove [--domain D|all] [--op OP|all] [--width W] [--timeout S] [--json] [--optimality]`:
// Z3 proofs of the value domains' transfer functions (docs/proofs.md).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "solvers/prove.hpp"
#include "solvers/prove_optimality.hpp"
#include "solvers/prove_report.hpp"

namespace bpflab::cli {
namespace {

struct ProveOpts {
    std::string domain = "all";
    std::string op = "all";
    unsigned width = 64;
    double timeout = 60;
    unsigned threads = 2;
    bool json = false;
    bool optimality = false;
};

void print_row(const prove::Row& r) {
    std::printf("%-14s %-20s %3u  %-15s %9.3f s", r.domain.c_str(), r.op.c_str(), r.width,
                std::string(prove::verdict_name(r.outcome.verdict)).c_str(), r.outcome.seconds);
    if (const auto& c = r.outcome.counterexample) {
        std::printf("\n    a = %s\n    b = %s\n    x = %s, y = %s\n    abstract %s, concrete %s",
                    c->a.c_str(), c->b.c_str(), prove::hex(c->x).c_str(), prove::hex(c->y).c_str(),
                    c->abstract_result.c_str(), c->concrete_result.c_str());
        if (c->confirmed_by_interpreter)
            std::printf("\n    interpreter: %s",
                        *c->confirmed_by_interpreter ? "confirmed" : "NOT confirmed");
    } else if (!r.outcome.message.empty() && r.outcome.verdict != prove::Verdict::Proved) {
        std::printf("  (%s)", r.outcome.message.c_str());
    }
    if (r.outcome.verdict != prove::Verdict::Proved)
        for (const auto& ob : r.outcome.obligations)
            std::printf("\n    %-40s %-15s %9.3f s%s", ob.name.c_str(),
                        std::string(prove::verdict_name(ob.verdict)).c_str(), ob.seconds,
                        ob.reused ? " (reused)" : "");
    std::printf("\n");
    std::fflush(stdout);
}

int exit_code_for(const std::vector<prove::Row>& rows) {
    bool timeout = false, error = false;
    for (const auto& r : rows) {
        if (r.outcome.verdict == prove::Verdict::Counterexample) return kExitFail;
        // An obligation that failed without breaking the composed operator: not proved.
        if (r.outcome.verdict == prove::Verdict::Timeout ||
            r.outcome.verdict == prove::Verdict::PartCounterexample)
            timeout = true;
        if (r.outcome.verdict == prove::Verdict::Error) error = true;
    }
    if (error) return kExitInternalError;
    return timeout ? kExitTimeout : kExitOk;
}

int run_prove(const ProveOpts& o) {
    if (o.width != 8 && o.width != 16 && o.width != 32 && o.width != 64) {
        std::cerr << "bpflab: error: --width must be 8, 16, 32 or 64\n";
        return kExitUsage;
    }
    // --domain takes a name, "all", or a comma-separated list (one run shares the obligations
    // the domains have in common: the kernel rows reuse the tnum and interval rows' queries).
    std::vector<std::string> wanted;
    for (std::size_t at = 0; at <= o.domain.size();) {
        const std::size_t comma = std::min(o.domain.find(',', at), o.domain.size());
        wanted.push_back(o.domain.substr(at, comma - at));
        at = comma + 1;
    }
    std::vector<const prove::DomainEntry*> domains;
    bool unknown = false;
    for (const std::string& w : wanted) {
        bool found = false;
        for (const auto& d : prove::all_domains()) {
            if (w != "all" && w != d.name) continue;
            domains.push_back(&d);
            found = true;
        }
        unknown = unknown || !found;
    }
    if (domains.empty() || unknown) {
        std::cerr << "bpflab: error: unknown domain '" << o.domain << "' (";
        for (const auto& d : prove::all_domains()) std::cerr << d.name << ", ";
        std::cerr << "all)\n";
        return kExitUsage;
    }
    // --op takes a pattern or a comma-separated list of patterns; "-PATTERN" drops operations.
    std::vector<prove::Operation> ops;
    bool bad_op = false;
    for (std::size_t at = 0; at <= o.op.size();) {
        const std::size_t comma = std::min(o.op.find(',', at), o.op.size());
        std::string pattern = o.op.substr(at, comma - at);
        at = comma + 1;
        const bool drop = pattern.starts_with("-");
        if (drop) pattern.erase(0, 1);
        const auto found = prove::find_operations(pattern);
        bad_op = bad_op || found.empty();
        if (!drop) {
            ops.insert(ops.end(), found.begin(), found.end());
            continue;
        }
        std::erase_if(ops, [&](const prove::Operation& op) {
            return std::any_of(found.begin(), found.end(),
                               [&](const prove::Operation& f) { return f.name == op.name; });
        });
    }
    if (ops.empty() || bad_op) {
        std::cerr << "bpflab: error: unknown operation '" << o.op
                  << "' (see docs/proofs.md: add64, and32, movsx8_64, be16, assume_jgt64, "
                     "assume_not_jset32, …, or all)\n";
        return kExitUsage;
    }
    const prove::ProveOptions options{static_cast<unsigned>(o.timeout * 1000)};
    const auto start = std::chrono::steady_clock::now();
    std::vector<prove::Row> rows;
    if (o.optimality) {
        std::vector<std::string> names;
        for (const auto* d : domains) names.push_back(d->name);
        std::vector<std::string> op_names;
        for (const auto& op : ops) op_names.push_back(op.name);
        rows = prove::run_optimality(names, op_names, o.width, options, o.threads,
                                     o.json ? nullptr : print_row);
        if (rows.empty()) {
            std::cerr << "bpflab: error: --optimality covers tnum add/sub/and/or/xor and "
                         "interval add/sub\n";
            return kExitUsage;
        }
    } else {
        std::vector<prove::Job> jobs;
        for (const auto* d : domains)
            for (const auto& op : ops) jobs.push_back({d, op, o.width});
        rows = prove::run_jobs(jobs, options, o.threads,
                               o.json ? std::function<void(const prove::Row&)>{} : print_row);
    }
    const double total =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (o.json) {
        auto j = prove::results_json(rows);
        j["total_seconds"] = total;
        j["kind"] = o.optimality ? "optimality" : "soundness";
        std::cout << j.dump(2) << "\n";
    } else {
        std::size_t counts[5] = {0, 0, 0, 0, 0};
        for (const auto& r : rows) ++counts[static_cast<int>(r.outcome.verdict)];
        std::printf(
            "%zu %s, %zu counterexample, %zu counterexample in part, %zu timeout, %zu error in "
            "%.1f s\n",
            counts[0], o.optimality ? "optimal" : "proved", counts[1], counts[4], counts[2],
            counts[3], total);
    }
    return exit_code_for(rows);
}

}  // namespace

void register_prove(CLI::App& app, int& exit_code) {
    auto opts = std::make_shared<ProveOpts>();
    auto* cmd = app.add_subcommand(
        "prove", "Z3 proofs that every transfer function of the value domains is sound");
    cmd->add_option("--domain", opts->domain,
                    "Domain: tnum, tnum-mul2017, tnum-mul2025, interval, kernel, "
                    "kernel-fixed-rounds, all, or a comma-separated list")
        ->capture_default_str();
    cmd->add_option("--op", opts->op,
                    "Operation (add64, and32, movsx8_64, be16, assume_jgt64, "
                    "assume_not_jset32 …), a name without its width (and), all, or a "
                    "comma-separated list where -NAME drops (all,-mul,-div)")
        ->capture_default_str();
    cmd->add_option("--width", opts->width, "Word width of the proof: 8, 16, 32 or 64")
        ->capture_default_str();
    cmd->add_option("--timeout", opts->timeout, "Seconds per obligation")->capture_default_str();
    cmd->add_option("--threads", opts->threads, "Worker threads")->capture_default_str();
    cmd->add_flag("--json", opts->json, "Print JSON");
    cmd->add_flag("--optimality", opts->optimality,
                  "Check that no smaller abstract value is sound (tnum add/sub/and/or/xor, "
                  "interval add/sub)");
    cmd->callback([opts, &exit_code] { exit_code = run_prove(*opts); });
}

}  // namespace bpflab::cli
