// SPDX-License-Identifier: Apache-2.0
// bpflab: soundness on real runs (`bpflab verify --check-runs`) — run an accepted program on
// generated inputs and check, before every executed instruction, that the concrete state lies
// inside the invariant the verifier computed for that instruction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "checker/verifier/verify.hpp"
#include "core/program.hpp"
#include "core/vm/interp.hpp"

namespace bpflab::verify {

/// How many runs, from which seed, and whether the JIT runs each input too.
struct SoundnessOptions {
    int runs = 100;
    std::uint64_t seed = 1;
    bool jit = true;
};

/// One concrete state outside the invariant (or a fault, or a JIT disagreement).
struct Violation {
    std::string input;      ///< hex of the packet (packet types) or the context (tracing types)
    std::uint32_t pc = 0;   ///< slot of the instruction about to execute (or of the fault)
    std::string concrete;   ///< the registers, each with its region and number
    std::string invariant;  ///< the facts of the context that came closest
    std::string what;       ///< which register, and which kind, bound or bit was broken
    int run = 0;            ///< index of the run (maps persist across runs)
    std::uint32_t frame = 0;
};

/// What check_runs saw.
struct SoundnessReport {
    int runs = 0;                        ///< interpreter runs
    std::uint64_t checked_points = 0;    ///< executed instructions checked against the facts
    std::uint64_t skipped_points = 0;    ///< executed in a tail-called program (no facts for it)
    std::size_t fact_points = 0;         ///< distinct (pc, call depth) the facts cover
    std::size_t reached_points = 0;      ///< of those, how many some run executed
    int faults = 0;                      ///< runs that ended with a fault
    int jit_runs = 0;                    ///< runs repeated on the JIT
    int jit_mismatches = 0;              ///< JIT runs whose r0 or final packet differs
    std::string jit_error;               ///< why the JIT did not run (compile error), if it did not
    std::vector<std::string> jit_notes;  ///< the first kMaxKept disagreements, described
    int violation_count = 0;             ///< every violation found, including those not kept
    std::vector<Violation> violations;   ///< the first kMaxKept

    static constexpr std::size_t kMaxKept = 10;
    [[nodiscard]] bool sound() const { return violation_count == 0; }
};

/// Runs program `program_index` of `object` on `options.runs` inputs generated from
/// `options.seed` (deterministically) and checks every executed instruction of it against
/// `with_facts.facts` (verify_program with record_facts = true). A state must lie in at least
/// one of the facts recorded for its (pc, call depth): every register whose fact does not
/// admit Uninit is initialised, of an admitted kind, and its number (a scalar's value, a
/// pointer's offset) lies in the fact's unsigned and signed bounds and agrees with its known
/// bits. A fault of an accepted program is a violation. With `options.jit`, each run that did
/// not fault is repeated on the JIT (its own maps, in the same state) and r0 and the final
/// packet must agree. Throws std::invalid_argument when the program was accepted but no
/// facts were recorded.
[[nodiscard]] SoundnessReport check_runs(const Object& object, std::size_t program_index,
                                         const ProgramResult& with_facts,
                                         const SoundnessOptions& options);

/// The concrete state before one instruction checked against the facts of one context:
/// an empty string when it lies inside them, else what is broken (first failing register).
[[nodiscard]] std::string check_state(const vm::ConcreteState& state, const PointFacts& facts);

/// `ri=<region>+<number>` for every initialised register of `state` (numbers in hex).
[[nodiscard]] std::string describe_concrete(const vm::ConcreteState& state);

/// `ri=<kinds>(umin=..,umax=..,smin=..,smax=..,var_off=(v; m))` for every register whose
/// fact is not exactly {uninit}.
[[nodiscard]] std::string describe_facts(const PointFacts& facts);

/// The report as text: one summary line (runs, points, coverage, faults, violations, JIT),
/// then every kept violation with its run, pc, reason, concrete state, invariant and input.
[[nodiscard]] std::string describe_report(const SoundnessReport& report);

/// The inputs check_runs uses for run `run` of `program` (exposed for tests and the CLI's
/// reproduction hints): a packet for packet types, a context for tracing types.
[[nodiscard]] vm::RunInput soundness_input(const Program& program, std::uint64_t seed, int run);

}  // namespace bpflab::verify
