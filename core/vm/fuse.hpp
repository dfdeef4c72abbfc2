// SPDX-License-Identifier: Apache-2.0
// bpflab: superinstructions, frequent pairs of unchecked ops in one dispatch (not installed).
#pragma once

#include <vector>

#include "core/vm/engine.hpp"

namespace bpflab::vm {

/// Gives op i a fused code (engine.hpp) when it is an unchecked `mov64 dst, src`, load or
/// `add64 dst, imm` and op i + 1 an unchecked ALU op (a JMP op after the add). Run after
/// select_unchecked. Exactness: the fused handler runs the two handlers' bodies in order and
/// charges the second instruction to the budget between them, as a dispatch would (a budget
/// fault there names op i + 1 after op i's effects); a load that leaves its inline path runs
/// alone and op i + 1 is dispatched normally; op i + 1 keeps its code, so a jump into it runs
/// it alone; a run with a trace hook dispatches every fused code to its first op's handler.
void fuse_pairs(std::vector<Op>& ops);

}  // namespace bpflab::vm
