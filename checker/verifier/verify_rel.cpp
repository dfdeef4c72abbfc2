// SPDX-License-Identifier: Apache-2.0
// bpflab: the verifier instantiated for the relational domains (zone, zone+tnum).
#include <stdexcept>

#include "checker/verifier/verify_impl.hpp"
#include "domains/zone_state.hpp"
#include "domains/zone_tnum.hpp"

namespace bpflab::verify {

ProgramResult verify_relational(const Object& object, const Program& program,
                                const VerifyOptions& options) {
    if (options.domain == "zone") return verify_with<dom::ZoneState>(object, program, options);
    if (options.domain == "zone+tnum")
        return verify_with<dom::ZoneTnumState>(object, program, options);
    throw std::invalid_argument("not a relational domain: " + options.domain);
}

}  // namespace bpflab::verify
