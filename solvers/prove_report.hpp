// SPDX-License-Identifier: Apache-2.0
// bpflab: the JSON form of proof results (`bpflab prove --json`).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "solvers/prove.hpp"

namespace bpflab::prove {

/// One row: domain, op, width, result, seconds; a counterexample adds abstract_inputs,
/// concrete_inputs, abstract_result, concrete_result, confirmed_by_domain, program, input,
/// confirmed_by_interpreter (null when no program was run); a modular proof adds
/// "obligations": [{name, result, seconds, reused, message?, model?}].
[[nodiscard]] nlohmann::json row_json(const Row& row);
/// `{"results": [row, …]}`.
[[nodiscard]] nlohmann::json results_json(const std::vector<Row>& rows);

}  // namespace bpflab::prove
