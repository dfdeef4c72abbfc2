// SPDX-License-Identifier: Apache-2.0
// bpflab: the text output of `bpflab verify`.
#include "reports/log.hpp"

#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "reports/table.hpp"

namespace bpflab::reports {

namespace {

std::string plural(std::size_t n, const char* word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string values_text(const verify::Finding& f) {
    std::string s;
    for (const auto& [name, value] : f.values) {
        if (!s.empty()) s += " ";
        s += name + "=" + value;
    }
    return s;
}

std::string first_error(const verify::ProgramResult& p) {
    if (p.errors.empty()) return "";
    const verify::Finding& f = p.errors.front();
    return std::string(verify::code_name(f.code)) + "@" + std::to_string(f.pc);
}

std::string kernel_text(const KernelVerdict& k) {
    std::string s = k.accepted ? "PASS" : "FAIL: " + k.error;
    return s + " (" + plural(k.processed_insns, "insn") + " processed, " +
           format_seconds(k.seconds) + ")";
}

void print_kernel(std::ostream& out, const ProgramReport& r) {
    if (!r.kernel) return;
    out << "  kernel verifier: " << kernel_text(*r.kernel);
    if (r.kernel->accepted != r.result.pass) out << "  [bpflab and the kernel disagree]";
    out << "\n";
}

void print_soundness(std::ostream& out, const ProgramReport& r) {
    if (!r.soundness) return;
    const SoundnessSummary& s = *r.soundness;
    out << "  check-runs: " << plural(s.runs, "run") << " (" << s.jit_runs << " also on the JIT), "
        << plural(s.checked_states, "state") << " checked";
    if (s.skipped_states > 0) out << ", " << s.skipped_states << " without an invariant";
    if (s.invariant_points > 0)
        out << ", " << s.reached_points << " of " << s.invariant_points
            << " invariant points reached";
    if (!s.jit_error.empty()) out << "; the JIT did not run: " << s.jit_error;
    if (s.jit_mismatches > 0) out << "; " << plural(s.jit_mismatches, "JIT disagreement");
    const auto jit_notes = [&] {
        for (const std::string& n : s.jit_notes) out << "    JIT: " << n << "\n";
    };
    if (s.sound()) {
        out << ": no violation\n";
        jit_notes();
        return;
    }
    out << ": " << plural(s.violation_count, "SOUNDNESS VIOLATION") << "\n";
    for (const std::string& v : s.violations) out << "    " << v << "\n";
    if (s.violation_count > s.violations.size())
        out << "    ... and " << s.violation_count - s.violations.size() << " more\n";
    jit_notes();
}

}  // namespace

void print_finding(std::ostream& out, const verify::Finding& f, bool warning) {
    out << "    " << (warning ? "warning " : "error ") << verify::code_name(f.code) << " at "
        << f.pc << ": " << f.insn << "\n";
    if (f.source_file) {
        const std::size_t text = f.source_text.find_first_not_of(" \t");
        out << "      " << *f.source_file << ":" << f.source_line << ": "
            << (text == std::string::npos ? "" : f.source_text.substr(text)) << "\n";
    }
    out << "      " << f.message << "\n";
    if (!f.values.empty()) out << "      " << values_text(f) << "\n";
    if (!f.context.empty()) out << "      in " << f.context << "\n";
}

void print_states(std::ostream& out, const ProgramReport& r) {
    const Program* p = r.program;
    for (const verify::InsnState& s : r.result.states) {
        out << "    ";
        if (!s.context.empty()) out << "[" << s.context << "] ";
        if (s.iteration != 0)
            out << "[iteration " << s.iteration << (s.and_later ? " and later" : "") << "] ";
        out << s.pc << ":";
        if (p != nullptr && s.pc < p->code.index_of_pc.size() && p->code.index_of_pc[s.pc] >= 0) {
            char op[8];
            std::snprintf(op, sizeof op, "(%02x)", p->code.raw[s.pc].opcode);
            out << " " << op << " " << print_instruction(p->code.at_pc(s.pc), Syntax::Linux);
        }
        out << " ; " << s.text << "\n";
    }
}

void print_unrolled(std::ostream& out, const verify::ProgramResult& p, const char* indent) {
    for (const verify::UnrolledReport& u : p.unrolled) {
        out << indent << "loop at " << u.pc << (u.context.empty() ? "" : " in ") << u.context
            << " unrolled: the first " << plural(u.copies, "iteration") << " apart, ";
        if (u.later_reached)
            out << "the later ones joined\n";
        else
            out << "at most " << plural(u.reached, "iteration") << " run\n";
    }
}

void print_program(std::ostream& out, const ProgramReport& r, int log_level) {
    const verify::ProgramResult& p = r.result;
    out << outcome_name(outcome(r)) << "  " << p.name << "  " << (p.type.empty() ? "?" : p.type)
        << "  " << p.domain << "  " << format_seconds(p.seconds) << "  peak "
        << format_bytes(p.peak_memory_bytes) << "  " << plural(p.iterations, "iteration");
    if (!p.errors.empty()) out << "  " << plural(p.errors.size(), "error");
    if (!p.warnings.empty()) out << "  " << plural(p.warnings.size(), "warning");
    out << "\n";
    if (!r.internal_error.empty()) out << "  internal error: " << r.internal_error << "\n";
    if (r.timed_out) out << "  the analysis took longer than the time limit\n";
    if (p.gave_up) out << "  the fixpoint hit its iteration cap; later states are unknown\n";
    print_unrolled(out, p, "  ");
    if (log_level >= kLogFindings) {
        for (const verify::Finding& f : p.errors) print_finding(out, f, false);
        for (const verify::Finding& f : p.warnings) print_finding(out, f, true);
    }
    print_kernel(out, r);
    print_soundness(out, r);
    if (log_level >= kLogStates && !p.states.empty()) {
        out << "  states before every instruction:\n";
        print_states(out, r);
    }
}

void print_domain_table(std::ostream& out, const std::vector<const ProgramReport*>& rows,
                        int log_level) {
    if (rows.empty()) return;
    const verify::ProgramResult& first = rows.front()->result;
    out << first.name << "  " << (first.type.empty() ? "?" : first.type) << "  "
        << plural(first.instructions, "instruction") << "\n";
    Table t({"domain", "verdict", "time", "peak memory", "iterations", "widenings", "errors",
             "warnings", "first error"},
            {false, false, true, true, true, true, true, true, false});
    for (const ProgramReport* r : rows) {
        const verify::ProgramResult& p = r->result;
        t.add({p.domain, outcome_name(outcome(*r)), format_seconds(p.seconds),
               format_bytes(p.peak_memory_bytes), std::to_string(p.iterations),
               std::to_string(p.widenings), std::to_string(p.errors.size()),
               std::to_string(p.warnings.size()), first_error(p)});
    }
    t.print(out, 2);
    const KernelVerdict* kernel = nullptr;
    for (const ProgramReport* r : rows)
        if (r->kernel) kernel = &*r->kernel;
    if (kernel != nullptr) out << "  kernel verifier: " << kernel_text(*kernel) << "\n";
    for (const ProgramReport* r : rows) {
        const bool show =
            log_level >= kLogFindings && (!r->result.errors.empty() || !r->result.warnings.empty());
        if (show || !r->internal_error.empty() || r->soundness || !r->result.unrolled.empty()) {
            out << "  " << r->result.domain << ":\n";
            if (!r->internal_error.empty())
                out << "    internal error: " << r->internal_error << "\n";
            print_unrolled(out, r->result, "    ");
            if (show) {
                for (const verify::Finding& f : r->result.errors) print_finding(out, f, false);
                for (const verify::Finding& f : r->result.warnings) print_finding(out, f, true);
            }
            print_soundness(out, *r);
        }
        if (log_level >= kLogStates && !r->result.states.empty()) {
            out << "  " << r->result.domain << ": states before every instruction:\n";
            print_states(out, *r);
        }
    }
}

void print_summary(std::ostream& out, const std::vector<FileReport>& files) {
    // Domains in order of first appearance; rows keyed by (file, program name).
    std::vector<std::string> domains;
    std::set<std::string> seen;
    bool kernel = false;
    for (const FileReport& f : files)
        for (const ProgramReport& r : f.programs) {
            if (seen.insert(r.result.domain).second) domains.push_back(r.result.domain);
            kernel = kernel || r.kernel.has_value();
        }
    const bool one = domains.size() == 1;
    std::vector<std::string> headers = {"file", "program", "type"};
    std::vector<bool> right = {false, false, false};
    if (one) {
        for (const char* h : {"verdict", "time", "peak memory", "iterations", "first error"}) {
            headers.emplace_back(h);
            right.push_back(std::string(h) == "time" || std::string(h) == "peak memory" ||
                            std::string(h) == "iterations");
        }
    } else {
        for (const std::string& d : domains) {
            headers.push_back(d);
            right.push_back(false);
        }
    }
    if (kernel) {
        for (const char* h : {"kernel verdict", "kernel time", "kernel insns"}) {
            headers.emplace_back(h);
            right.push_back(std::string(h) != "kernel verdict");
        }
    }
    Table t(headers, right);

    struct Totals {
        std::size_t programs = 0, passed = 0;
        double seconds = 0;
        double seconds_with_kernel = 0;  ///< over the programs the kernel also verified
    };
    std::map<std::string, Totals> totals;
    double kernel_seconds = 0;
    std::size_t kernel_programs = 0, kernel_passed = 0, agree = 0, compared = 0;

    for (const FileReport& f : files) {
        std::string file = f.file;
        if (const auto slash = file.rfind('/'); slash != std::string::npos)
            file = file.substr(slash + 1);
        if (!f.error.empty()) {
            std::vector<std::string> row = {file, "-", "-"};
            row.push_back("INPUT ERROR");
            t.add(row);
            continue;
        }
        // Group consecutive reports of the same program.
        std::size_t i = 0;
        while (i < f.programs.size()) {
            std::size_t j = i;
            while (j < f.programs.size() &&
                   f.programs[j].result.name == f.programs[i].result.name &&
                   f.programs[j].result.section == f.programs[i].result.section)
                ++j;
            const ProgramReport& head = f.programs[i];
            std::vector<std::string> row = {file, head.result.name,
                                            head.result.type.empty() ? "?" : head.result.type};
            const KernelVerdict* k = nullptr;
            std::map<std::string, const ProgramReport*> by_domain;
            for (std::size_t x = i; x < j; ++x) {
                const ProgramReport& r = f.programs[x];
                by_domain[r.result.domain] = &r;
                if (r.kernel) k = &*r.kernel;
                Totals& tt = totals[r.result.domain];
                ++tt.programs;
                tt.passed += outcome(r) == Outcome::Pass ? 1 : 0;
                tt.seconds += r.result.seconds;
                if (r.kernel) {
                    tt.seconds_with_kernel += r.result.seconds;
                    ++compared;
                    agree += r.kernel->accepted == r.result.pass ? 1 : 0;
                }
            }
            if (one) {
                const verify::ProgramResult& p = head.result;
                row.insert(row.end(), {outcome_name(outcome(head)), format_seconds(p.seconds),
                                       format_bytes(p.peak_memory_bytes),
                                       std::to_string(p.iterations), first_error(p)});
            } else {
                for (const std::string& d : domains) {
                    const auto it = by_domain.find(d);
                    row.push_back(it == by_domain.end() ? "-" : outcome_name(outcome(*it->second)));
                }
            }
            if (k != nullptr) {
                row.insert(row.end(), {k->accepted ? "PASS" : "FAIL", format_seconds(k->seconds),
                                       std::to_string(k->processed_insns)});
                kernel_seconds += k->seconds;
                ++kernel_programs;
                kernel_passed += k->accepted ? 1 : 0;
            } else if (kernel) {
                row.insert(row.end(), {"-", "-", "-"});
            }
            t.add(row);
            i = j;
        }
    }
    t.print(out);

    out << "\n";
    Table tot({"domain", "passed", "programs", "analysis time", "kernel time", "ratio"},
              {false, true, true, true, true, true});
    for (const std::string& d : domains) {
        const Totals& tt = totals[d];
        std::string ktime = "-", ratio = "-";
        if (kernel_programs > 0 && kernel_seconds > 0) {
            ktime = format_seconds(kernel_seconds);
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.3f", tt.seconds_with_kernel / kernel_seconds);
            ratio = buf;
        }
        tot.add({d, std::to_string(tt.passed), std::to_string(tt.programs),
                 format_seconds(tt.seconds), ktime, ratio});
    }
    if (kernel_programs > 0) {
        tot.rule();
        tot.add({"kernel verifier", std::to_string(kernel_passed), std::to_string(kernel_programs),
                 "-", format_seconds(kernel_seconds), "-"});
    }
    tot.print(out);
    if (kernel_programs > 0)
        out << "ratio = bpflab analysis time / kernel verification time over the "
            << kernel_programs << " programs the kernel verified; verdicts agree in " << agree
            << " of " << compared << " (program, domain) pairs\n";
}

}  // namespace bpflab::reports
