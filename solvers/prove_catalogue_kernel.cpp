// SPDX-License-Identifier: Apache-2.0
// bpflab: the kernel scalar domains' proof instances (fixpoint and fixed-round synchronisation).
#include "solvers/prove_domains.hpp"
#include "solvers/prove_modular.hpp"

namespace bpflab::prove {

DomainEntry kernel_entry() {
    return modular::kernel_entry<KernelFixpoint>("kernel");
}
DomainEntry kernel_fixed_rounds_entry() {
    return modular::kernel_entry<KernelFixedRounds>("kernel-fixed-rounds");
}

}  // namespace bpflab::prove
