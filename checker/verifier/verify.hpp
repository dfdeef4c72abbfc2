// SPDX-License-Identifier: Apache-2.0
// bpflab: the verifier driver — one program, one domain: build the inlined graph, solve the
// fixpoint (solvers/fixpoint.hpp) over AbsState<S>, then check every instruction's conditions
// on its invariant.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "checker/verifier/analyzer.hpp"
#include "checker/verifier/findings.hpp"
#include "checker/verifier/model.hpp"
#include "core/program.hpp"
#include "solvers/fixpoint.hpp"

namespace bpflab::verify {

/// What to verify and how.
struct VerifyOptions {
    std::string domain = "zone+tnum";  ///< a name from domains/registry.hpp
    CheckOptions check;
    fix::Options fixpoint;
    /// Widenings at a loop head that stop at thresholds (the loop's compared constants and the
    /// type boundaries); later ones at the same head go straight to the extremes. Each stop
    /// costs a pass over the loop; the corpus needs at most 2.
    unsigned threshold_widenings = 3;
    /// When the analysis finds an error (other than a loop not proved to terminate), it is run
    /// again with the innermost loops unrolled (unroll_loops in graph.hpp): this many iterations
    /// get their own copy of the body, at most `unroll_budget` instructions of copies per
    /// loop. The second analysis is reported when it proves everything but termination; its
    /// time counts in either case. 0 turns unrolling off.
    unsigned unroll = 16;
    std::size_t unroll_budget = 4096;
    bool record_states = false;  ///< keep the kernel-style state before every instruction
    bool record_facts = false;   ///< keep the checkable invariant before every instruction
};

/// What the invariant says of one register before one instruction, in a form a concrete
/// state can be checked against (verifier/soundness): its possible kinds, and for the
/// number it holds (a scalar's value, a pointer's offset) its bounds and known bits.
struct RegFact {
    KindSet kinds;
    std::int32_t map = -1;   ///< map index for map pointers and values (kSeveralMaps: any)
    std::uint8_t frame = 0;  ///< stack pointers: the frame
    std::uint64_t umin = 0, umax = ~std::uint64_t{0};
    std::int64_t smin = INT64_MIN, smax = INT64_MAX;
    std::uint64_t known_value = 0, known_mask = ~std::uint64_t{0};  ///< tnum (value; mask)
};

/// The invariant before one instruction in one inlined context.
struct PointFacts {
    std::uint32_t pc = 0;
    std::uint8_t frame = 0;  ///< call depth of the context
    std::array<RegFact, kRegs> regs{};
    /// Stack pointers are kept as offsets from their frame's bottom (r10 = 512).
};

/// One instruction's state in kernel log notation, for `--log-level 2`.
struct InsnState {
    std::uint32_t pc = 0;
    std::string context;  ///< call chain ("" for the entry function)
    std::string text;
    /// In an unrolled loop: the iteration, from 1, and whether the state covers every later one
    /// too (the last copy); 0 elsewhere.
    std::uint16_t iteration = 0;
    bool and_later = false;
};

/// A loop the reported analysis unrolled (VerifyOptions::unroll).
struct UnrolledReport {
    std::uint32_t pc = 0;        ///< slot of the loop head
    std::string context;         ///< the call chain ("" for the entry function)
    std::uint16_t copies = 0;    ///< iterations with their own copy of the body
    std::uint16_t reached = 0;   ///< of those, the ones whose head the analysis reaches
    bool later_reached = false;  ///< whether a later iteration is reached (none: a proved bound)
};

/// How often the fixpoint engine iterated one loop head (a head of the weak topological order).
struct HeadIterations {
    std::uint32_t pc = 0;
    std::string context;  ///< the call chain ("" for the entry function)
    std::uint64_t iterations = 0;
};

/// The verdict and figures of one program under one domain.
struct ProgramResult {
    std::string name;
    std::string section;
    std::string type;
    std::string domain;
    bool pass = false;
    std::vector<Finding> errors;
    std::vector<Finding> warnings;
    double seconds = 0;
    std::size_t peak_memory_bytes = 0;  ///< heap growth during the analysis (malloc statistics)
    std::uint64_t iterations = 0;       ///< block transfers applied by the fixpoint engine
    std::uint64_t widenings = 0;
    std::vector<HeadIterations> heads;     ///< per loop head, in graph order
    std::vector<UnrolledReport> unrolled;  ///< loops unrolled by the reported analysis
    std::size_t vertices = 0;              ///< blocks of the inlined graph
    std::size_t contexts = 0;              ///< inlined function instances
    std::size_t instructions = 0;
    std::size_t variables = 0;  ///< numeric variables of the state
    bool gave_up = false;       ///< the fixpoint hit its iteration cap (everything after fails)
    /// The fixpoint passed VerifyOptions::fixpoint.deadline: no invariant, no check, not pass.
    bool timed_out = false;
    /// Non-empty when loop termination was proved by another domain's analysis ("zone+tnum"
    /// for the non-relational domains; its time is included in `seconds`).
    std::string termination_by;
    std::vector<InsnState> states;
    std::vector<PointFacts> facts;
};

/// Verifies `program` of `object` with `options`. Throws std::invalid_argument for an unknown
/// domain name; never throws for a bad program (its problems are findings).
[[nodiscard]] ProgramResult verify_program(const Object& object, const Program& program,
                                           const VerifyOptions& options);

/// Registered domain names a program can be verified with, in report order.
[[nodiscard]] std::vector<std::string> verifier_domains();

}  // namespace bpflab::verify
