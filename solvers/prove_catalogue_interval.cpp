// SPDX-License-Identifier: Apache-2.0
// bpflab: the interval domain's proof instances.
#include "solvers/prove_domains.hpp"
#include "solvers/prove_modular.hpp"

namespace bpflab::prove {

DomainEntry interval_entry() {
    return modular::interval_entry<IntervalDomain>("interval");
}

}  // namespace bpflab::prove
