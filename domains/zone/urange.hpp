// SPDX-License-Identifier: Apache-2.0
// bpflab: unsigned 64-bit ranges — the zone state's non-relational projection (ALU results and
// branch refinement of one or two variables' bounds).
#pragma once

#include <cstdint>
#include <limits>

#include "domains/value.hpp"

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

/// An over-approximation of { alu_reg_word(op, x, y) | x ∈ a, y ∈ b } (core/semantics.hpp):
/// exact bounds where no wrap-around can occur, [0, 2^w - 1] where it may. Inputs non-empty.
[[nodiscard]] URange alu_range(const AluSpec& op, URange a, URange b);

/// An over-approximation of the byte-order conversion of every x ∈ a.
[[nodiscard]] URange endian_range(EndianKind k, unsigned bits, URange a);

/// Refines a and b to the pairs (x, y) that take the branch side `br`; false when no pair does
/// (a and b are then unspecified). JMP32 sides refine only when both ranges fit in 32 bits.
[[nodiscard]] bool assume_range(const Branch& br, URange& a, URange& b);

}  // namespace bpflab::dom::zone
