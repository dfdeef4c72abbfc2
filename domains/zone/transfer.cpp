// SPDX-License-Identifier: Apache-2.0
// bpflab: DBM transfer functions — havoc, exact assignment x := y + c, shifts.
#include <algorithm>

#include "domains/zone/dbm.hpp"

namespace bpflab::dom {

using zone::bound_shift;
using zone::kInf;

void Dbm::forget(Index x) {
    if (bottom_ || x == 0 || x >= dim_) return;
    // Dropping every constraint on x keeps the other entries' shortest paths: a path through x
    // was already summarised by the entry it implied.
    for (Index k = 0; k < dim_; ++k) {
        ref(x, k) = kInf;
        ref(k, x) = kInf;
    }
    ref(x, x) = 0;
}

void Dbm::assign(Index x, Index y, zone::Wide c) {
    if (bottom_ || x == 0) return;
    ensure_vars(std::max(x, y));
    if (x == y) {
        // x' = x + c: x' - z = (x - z) + c and z - x' = (z - x) - c, exact up to saturation
        // (which only loosens). Shortest paths through x shift alike, so closure is kept.
        for (Index k = 0; k < dim_; ++k) {
            if (k == x) continue;
            ref(x, k) = bound_shift(ref(x, k), c);
            ref(k, x) = bound_shift(ref(k, x), -c);
        }
        return;
    }
    // x' = y + c: x' inherits y's row and column shifted by c, and x' - y = c exactly. On a
    // closed matrix this is the closure of (forget x) ∧ x - y <= c ∧ y - x <= -c.
    forget(x);
    for (Index k = 0; k < dim_; ++k) {
        if (k == x) continue;
        ref(x, k) = bound_shift(ref(y, k), c);
        ref(k, x) = bound_shift(ref(k, y), -c);
    }
    ref(x, y) = zone::clamp_bound(c);
    ref(y, x) = zone::clamp_bound(-c);
}

void Dbm::shift_by_range(Index x, zone::Wide lo, zone::Wide hi) {
    if (bottom_ || x == 0) return;
    ensure_vars(x);
    for (Index k = 0; k < dim_; ++k) {
        if (k == x) continue;
        ref(x, k) = bound_shift(ref(x, k), hi);
        ref(k, x) = bound_shift(ref(k, x), -lo);
    }
}

}  // namespace bpflab::dom
