// SPDX-License-Identifier: Apache-2.0
// bpflab: the registry — every abstract domain by name, so the command line chooses at run time.
#pragma once

#include <array>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/word.hpp"
#include "domains/interval.hpp"
#include "domains/kernel.hpp"
#include "domains/nonrel.hpp"
#include "domains/tnum.hpp"
#include "domains/zone_state.hpp"
#include "domains/zone_tnum.hpp"

namespace bpflab::dom {

/// What the registry knows of a domain.
struct DomainInfo {
    std::string_view name;
    std::string_view description;
    bool relational;  ///< tracks relations between variables (zones)
    bool value;       ///< is a value domain, so `bpflab prove` proves its operators
};

/// Every registered domain, in the order reports list them.
inline constexpr std::array kDomains{
    DomainInfo{"tnum", "known bits (value, mask); multiplication of CGO 2022, as Linux", false,
               true},
    DomainInfo{"tnum-mul2017", "tnum with the 2017 multiplication (partial-product sums)", false,
               true},
    DomainInfo{"tnum-mul2025", "tnum with the union-based multiplication", false, true},
    DomainInfo{"interval", "unsigned and signed bounds at 64 and 32 bits, reduced", false, true},
    DomainInfo{"kernel", "tnum x u64 x s64 x u32 x s32, synchronised to a fixed point", false,
               true},
    DomainInfo{"kernel-fixed-rounds",
               "tnum x u64 x s64 x u32 x s32, synchronised a fixed number of rounds (as Linux)",
               false, true},
    DomainInfo{"zone", "difference-bound matrices over unsigned 64-bit values", true, false},
    DomainInfo{"zone+tnum", "zone x tnum per variable, reduced both ways", true, false},
};

/// The domain called `name`, or nullptr.
[[nodiscard]] constexpr const DomainInfo* find_domain(std::string_view name) {
    for (const DomainInfo& d : kDomains)
        if (d.name == name) return &d;
    return nullptr;
}

/// Every registered name, comma-separated (for help texts and error messages).
[[nodiscard]] inline std::string domain_names() {
    std::string out;
    for (const DomainInfo& d : kDomains) {
        if (!out.empty()) out += ", ";
        out += d.name;
    }
    return out;
}

/// Calls `f.template operator()<V>()` with the value domain `name` instantiated at word W.
/// Throws std::invalid_argument for a name that is not a value domain.
template <Word W, class F>
decltype(auto) with_value_domain(std::string_view name, F&& f) {
    if (name == "tnum") return f.template operator()<Tnum<W, TnumMul::Cgo2022>>();
    if (name == "tnum-mul2017") return f.template operator()<Tnum<W, TnumMul::Kernel2017>>();
    if (name == "tnum-mul2025") return f.template operator()<Tnum<W, TnumMul::Union2025>>();
    if (name == "interval") return f.template operator()<Interval<W>>();
    if (name == "kernel") return f.template operator()<KernelScalar<W>>();
    if (name == "kernel-fixed-rounds") return f.template operator()<KernelFixedRounds<W>>();
    throw std::invalid_argument("not a value domain: " + std::string(name));
}

/// Calls `f.template operator()<S>()` with the NumericState of domain `name` (64-bit
/// registers). Throws std::invalid_argument for an unknown name.
template <class F>
decltype(auto) with_state_domain(std::string_view name, F&& f) {
    if (name == "zone") return f.template operator()<ZoneState>();
    if (name == "zone+tnum") return f.template operator()<ZoneTnumState>();
    if (const DomainInfo* d = find_domain(name); d != nullptr && d->value)
        return with_value_domain<Bits<64>>(
            name, [&]<class V>() { return f.template operator()<NonRelational<V>>(); });
    throw std::invalid_argument("unknown domain: " + std::string(name) +
                                " (known: " + domain_names() + ")");
}

}  // namespace bpflab::dom
