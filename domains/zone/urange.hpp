// SPDX-License-Identifier: Apache-2.0
// bpflab: unsigned 64-bit ranges — the bounds a zone state reads off and records for a variable.
#pragma once

#include <cstdint>
#include <limits>

namespace bpflab::dom::zone {

/// The unsigned integers [lo, hi] ⊆ [0, 2^64); empty when lo > hi. Default: all 64-bit words.
struct URange {
    std::uint64_t lo = 0;
    std::uint64_t hi = std::numeric_limits<std::uint64_t>::max();

    [[nodiscard]] static URange constant(std::uint64_t c) { return {c, c}; }
    [[nodiscard]] bool empty() const { return lo > hi; }
    [[nodiscard]] bool is_const() const { return lo == hi; }
    [[nodiscard]] bool contains(std::uint64_t v) const { return lo <= v && v <= hi; }
    [[nodiscard]] URange meet(URange b) const {
        return {lo > b.lo ? lo : b.lo, hi < b.hi ? hi : b.hi};
    }
    friend bool operator==(const URange&, const URange&) = default;
};

}  // namespace bpflab::dom::zone
