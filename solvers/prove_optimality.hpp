// SPDX-License-Identifier: Apache-2.0
// bpflab: optimality checks — no strictly smaller abstract value would be sound.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "solvers/prove.hpp"

namespace bpflab::prove {

/// Checks optimality where it is claimed, as quantified Z3 queries (∃ inputs ∀ concrete
/// members), one row per (domain, op) at `width`:
///   tnum family, add/sub/and/or/xor (64- and 32-bit forms): every unknown result bit is 0 for
///     some members of the inputs and 1 for others (a known bit could not be claimed);
///   interval, add64/sub64: for inputs given as an unsigned range, both unsigned bounds of the
///     result are attained; for inputs given as a signed range, both signed bounds are.
/// `Proved` = optimal; `Counterexample` = inputs where the result is not the best
/// (abstract_result names the bit or bound); `Timeout` as for soundness. Domains and ops
/// outside that list are skipped; the result is empty if nothing is left.
[[nodiscard]] std::vector<Row> run_optimality(const std::vector<std::string>& domains,
                                              const std::vector<std::string>& ops, unsigned width,
                                              const ProveOptions& options, unsigned threads,
                                              const std::function<void(const Row&)>& on_row);

}  // namespace bpflab::prove
