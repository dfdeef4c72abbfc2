// SPDX-License-Identifier: Apache-2.0
// bpflab: what a `bpflab verify` run produced, per program and per file — the input of the JSON
// document (reports/json.hpp) and of the text log (reports/log.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checker/verifier/verify.hpp"
#include "core/program.hpp"

namespace bpflab::reports {

/// The running kernel's verifier on the same program (the kernel oracle, checker/kernel.hpp).
struct KernelVerdict {
    bool accepted = false;
    std::string error;                  ///< the log line stating the rejection ("" when accepted)
    std::uint32_t processed_insns = 0;  ///< instructions the kernel verifier processed
    double seconds = 0;                 ///< wall time of BPF_PROG_LOAD (log level 0)
};

/// Concrete runs checked against the invariants (`--check-runs N`).
struct SoundnessSummary {
    std::uint64_t runs = 0;               ///< inputs executed on the interpreter
    std::uint64_t checked_states = 0;     ///< executed instructions checked against the invariant
    std::uint64_t skipped_states = 0;     ///< executed where no invariant exists (tail calls)
    std::uint64_t faults = 0;             ///< runs that ended with a fault
    std::uint64_t jit_runs = 0;           ///< runs repeated on the JIT
    std::uint64_t jit_mismatches = 0;     ///< JIT runs whose r0 or packet differs
    std::string jit_error;                ///< why the JIT did not run, if it did not
    std::vector<std::string> jit_notes;   ///< the first JIT disagreements, described
    std::uint64_t invariant_points = 0;   ///< distinct (pc, call depth) with an invariant
    std::uint64_t reached_points = 0;     ///< of those, how many some run executed
    std::uint64_t violation_count = 0;    ///< every violation, including those not described
    std::vector<std::string> violations;  ///< readable descriptions of the first violations
    [[nodiscard]] bool sound() const { return violation_count == 0 && violations.empty(); }
};

/// One program verified with one domain, and what was measured beside it.
struct ProgramReport {
    verify::ProgramResult result;
    const Program* program = nullptr;  ///< the verified program (instruction texts); may be null
    std::optional<KernelVerdict> kernel;
    std::optional<SoundnessSummary> soundness;
    bool timed_out = false;      ///< the analysis took longer than `--timeout`
    std::string internal_error;  ///< not empty: the verifier threw (a bug in bpflab)
};

/// Every report of one input file, in (program, domain) order.
struct FileReport {
    std::string file;
    std::string error;  ///< not empty: the file could not be read (input error)
    std::vector<ProgramReport> programs;
};

/// The outcome of a report for exit codes and tables.
enum class Outcome : std::uint8_t { Pass, Fail, Timeout, Unsound, InternalError };

/// The outcome of `r`: internal error, then soundness violation, then timeout, then the verdict.
[[nodiscard]] Outcome outcome(const ProgramReport& r);
/// "PASS", "FAIL", "TIMEOUT", "UNSOUND", "ERROR".
[[nodiscard]] const char* outcome_name(Outcome o);

/// Fills the C source position of every finding that has none from `program`'s BTF line info.
void attach_sources(verify::ProgramResult& result, const Program& program);

/// "0.842 ms", "1.25 s": a duration in a readable unit.
[[nodiscard]] std::string format_seconds(double seconds);
/// "512 B", "12.0 KiB", "3.4 MiB".
[[nodiscard]] std::string format_bytes(std::size_t bytes);

}  // namespace bpflab::reports
