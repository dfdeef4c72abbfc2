// SPDX-License-Identifier: Apache-2.0
// bpflab: the text output of `bpflab verify` — per-program lines, findings, kernel-style states,
// the per-domain table and the summary table over every program.
#pragma once

#include <ostream>
#include <vector>

#include "reports/report.hpp"

namespace bpflab::reports {

/// Log levels: 0 one line per (program, domain); 1 also every error and warning, the kernel's
/// verdict and the soundness runs; 2 also the state before every instruction.
inline constexpr int kLogSummary = 0;
inline constexpr int kLogFindings = 1;
inline constexpr int kLogStates = 2;

/// "PASS xdp_parse  xdp  zone+tnum  0.842 ms  peak 12.0 KiB  37 iterations" and, by level, the
/// findings, the kernel's verdict, the soundness runs and the states.
void print_program(std::ostream& out, const ProgramReport& r, int log_level);

/// One finding, four-space indented: "error packet-bounds at 12: INSN", the source line, the
/// message, the abstract values and the call chain (`warning` for warnings).
void print_finding(std::ostream& out, const verify::Finding& f, bool warning);

/// The states before every instruction, kernel log style: "12: (71) r2 = *(u8 *)(r1 +0) ; R1=...".
void print_states(std::ostream& out, const ProgramReport& r);

/// One program under several domains (`--domain all`): a header line, one row per domain
/// (outcome, time, memory, iterations, widenings, errors, first error), then by level the
/// findings of each failing domain and the kernel's verdict.
void print_domain_table(std::ostream& out, const std::vector<const ProgramReport*>& rows,
                        int log_level);

/// The summary over every program of every file: one row per program, one outcome column per
/// domain, the kernel's verdict when measured; then the totals per domain (passes, analysis
/// time), the kernel's total verification time and the ratio of the two.
void print_summary(std::ostream& out, const std::vector<FileReport>& files);

}  // namespace bpflab::reports
