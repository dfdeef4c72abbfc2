// SPDX-License-Identifier: Apache-2.0
// bpflab: the bounds of a difference-bound matrix — 64-bit integers or +∞, saturating soundly.
#pragma once

#include <cstdint>
#include <limits>

namespace bpflab::dom::zone {

/// A constraint constant `c` of `x - y <= c`. `kInf` (INT64_MAX) is +∞: no constraint. Finite
/// bounds lie in [INT64_MIN, INT64_MAX - 1]; a bound that would be INT64_MAX or more is +∞.
using Bound = std::int64_t;
inline constexpr Bound kInf = std::numeric_limits<Bound>::max();
inline constexpr Bound kMinBound = std::numeric_limits<Bound>::min();

/// Wider integer for exact intermediate sums (128 bits; `__extension__` keeps -Wpedantic quiet).
__extension__ typedef __int128 Wide;

/// The bound closest to `v` that is no tighter than it: v itself when it fits, +∞ above the
/// range, INT64_MIN below it (x - y <= INT64_MIN is implied by x - y <= v when v is smaller).
[[nodiscard]] constexpr Bound clamp_bound(Wide v) {
    if (v >= static_cast<Wide>(kInf)) return kInf;
    if (v < static_cast<Wide>(kMinBound)) return kMinBound;
    return static_cast<Bound>(v);
}

/// a + b for chaining `x - y <= a` and `y - z <= b`; +∞ absorbs; an overflowing sum is +∞
/// (above) or INT64_MIN (below), never a tighter bound than the exact sum.
[[nodiscard]] constexpr Bound bound_add(Bound a, Bound b) {
    if (a == kInf || b == kInf) return kInf;
    return clamp_bound(static_cast<Wide>(a) + static_cast<Wide>(b));
}

/// a + d for a finite or infinite bound a and an exact (possibly wide) shift d: +∞ stays +∞.
[[nodiscard]] constexpr Bound bound_shift(Bound a, Wide d) {
    if (a == kInf) return kInf;
    return clamp_bound(static_cast<Wide>(a) + d);
}

}  // namespace bpflab::dom::zone
