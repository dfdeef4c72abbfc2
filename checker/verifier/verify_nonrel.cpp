// SPDX-License-Identifier: Apache-2.0
// bpflab: the verifier instantiated for the non-relational domains (tnum, interval, kernel).
#include "checker/verifier/verify_impl.hpp"
#include "domains/registry.hpp"

namespace bpflab::verify {

ProgramResult verify_nonrelational(const Object& object, const Program& program,
                                   const VerifyOptions& options) {
    return dom::with_value_domain<Bits<64>>(options.domain, [&]<class V>() {
        return verify_with<dom::NonRelational<V>>(object, program, options);
    });
}

}  // namespace bpflab::verify
