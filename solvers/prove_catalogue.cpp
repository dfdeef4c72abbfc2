// SPDX-License-Identifier: Apache-2.0
// bpflab: the domains `bpflab prove` knows by name.
#include <vector>

#include "solvers/prove_domains.hpp"

namespace bpflab::prove {

const std::vector<DomainEntry>& all_domains() {
    static const std::vector<DomainEntry> domains{
        tnum_entry(),     tnum_mul2017_entry(), tnum_mul2025_entry(),
        interval_entry(), kernel_entry(),       kernel_fixed_rounds_entry()};
    return domains;
}

}  // namespace bpflab::prove
