// SPDX-License-Identifier: Apache-2.0
// bpflab: the tnum domains' proof instances (one translation unit: they share the templates).
#include "solvers/prove_domains.hpp"
#include "solvers/prove_modular.hpp"

namespace bpflab::prove {

DomainEntry tnum_entry() {
    return modular::whole_entry<TnumCgo2022>("tnum");
}
DomainEntry tnum_mul2017_entry() {
    return modular::whole_entry<TnumKernel2017>("tnum-mul2017");
}
DomainEntry tnum_mul2025_entry() {
    return modular::whole_entry<TnumUnion2025>("tnum-mul2025");
}

}  // namespace bpflab::prove
