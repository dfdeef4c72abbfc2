// SPDX-License-Identifier: Apache-2.0
// bpflab: registers written on every path to each predecoded instruction (not installed).
#pragma once

#include <cstdint>
#include <vector>

#include "core/vm/engine.hpp"

namespace bpflab::vm {

/// For each op of one program, the registers (bit r = register r) that are initialised on
/// every path from the entry, from a local function's or callback's entry, or from a tail
/// call, to that op; 0 for an op no path reaches. Soundness: a forward must-analysis whose
/// transfer writes no more than the dispatch loop does (loads, ALU and 64-bit immediates set
/// their destination; calls and LD_ABS/IND clear r1-r5 and set r0; a local function starts
/// with r1-r5 and r10 as its caller had them, assumed unknown here except r10; the return
/// keeps the caller's r6-r10 and r0, which the callee's exit requires) and whose meet is
/// intersection, so every bit it reports is set in the run-time init mask at that op.
[[nodiscard]] std::vector<std::uint16_t> must_init(const std::vector<Op>& ops);

/// Rewrites the code of every ALU, JMP, endian, load and exit op whose operands `must_init`
/// proves initialised (and, for a write, whose destination already is) to its unchecked
/// twin (fast_code), which skips the register-initialised tests and the init-mask update.
void select_unchecked(std::vector<Op>& ops);

}  // namespace bpflab::vm
