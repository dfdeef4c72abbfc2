// SPDX-License-Identifier: Apache-2.0
// bpflab: which registers may hold a context pointer before each instruction (a static
// pointer-kind pass that lets the JIT rewrite context field loads without a run-time test).
#pragma once

#include <cstdint>
#include <vector>

#include "core/decode.hpp"

namespace bpflab::jit {

/// For each slot, the registers that may hold a pointer derived from the context before the
/// instruction at that slot (bit r = register r; an lddw tail slot and unreachable code get
/// every bit). Soundness: the pass over-approximates the interpreter's provenance rule: the
/// context enters in r1, `mov` copies, 64-bit `add`/`sub` keep or combine, every other ALU
/// result of a possibly-context operand stays "may" (more than the interpreter keeps), loads
/// yield a context pointer only as 8-byte loads once any possibly-context register may have
/// been stored as 8 bytes somewhere (spills are not tracked by slot); local function and
/// callback entries, the registers a call or LD_ABS/IND clobbers, and a local call's r0 are
/// all "may". A register without the bit therefore never holds a context-derived pointer at
/// run time, and a 4-byte load through it is a plain load even at a pointer field's offset.
[[nodiscard]] std::vector<std::uint16_t> may_hold_context(const Code& code);

}  // namespace bpflab::jit
