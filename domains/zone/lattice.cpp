// SPDX-License-Identifier: Apache-2.0
// bpflab: the zone lattice — order, join, meet, widening (plain and with thresholds), narrowing.
#include <algorithm>

#include "domains/zone/dbm.hpp"

namespace bpflab::dom {

using zone::kInf;

bool Dbm::leq(const Dbm& b) const {
    if (bottom_) return true;
    const Dbm a = closed_copy();
    if (a.bottom_) return true;
    if (b.bottom_) return false;
    // Entries of b past a's size are compared with a's implicit +∞ (and vice versa).
    const std::size_t n = std::max(a.dim_, b.dim_);
    for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < n; ++j)
            if (a.at(i, j) > b.at(i, j)) return false;
    return true;
}

Dbm Dbm::join(const Dbm& b) const {
    Dbm x = closed_copy();
    Dbm y = b.closed_copy();
    if (x.bottom_) return y;
    if (y.bottom_) return x;
    // The entrywise max of two closed DBMs is closed (a max of shortest paths dominates every
    // path in the max matrix), so the result keeps closure.
    x.ensure_vars(y.num_vars());
    y.ensure_vars(x.num_vars());
    for (std::size_t k = 0; k < x.m_.size(); ++k) x.m_[k] = std::max(x.m_[k], y.m_[k]);
    return x;
}

Dbm Dbm::meet(const Dbm& b) const {
    if (bottom_) return *this;
    if (b.bottom_) return b;
    Dbm x = *this;
    Dbm y = b;
    x.ensure_vars(y.num_vars());
    y.ensure_vars(x.num_vars());
    for (std::size_t k = 0; k < x.m_.size(); ++k) x.m_[k] = std::min(x.m_[k], y.m_[k]);
    x.closed_ = false;
    x.close();
    return x;
}

Dbm Dbm::widen(const Dbm& b, std::span<const Bound> thresholds) const {
    if (bottom_) return b;
    if (b.bottom_) return *this;
    Dbm x = *this;
    x.ensure_vars(b.num_vars());
    // Each entry can only grow to a threshold or +∞, a finite number of times per entry, so
    // increasing chains stabilise. The result is left unclosed: closing it could undo a jump
    // and break termination.
    for (Index i = 0; i < x.dim_; ++i) {
        for (Index j = 0; j < x.dim_; ++j) {
            const Bound old = x.ref(i, j);
            const Bound now = b.at(i, j);
            if (now <= old) continue;
            const auto t = std::lower_bound(thresholds.begin(), thresholds.end(), now);
            x.ref(i, j) = t == thresholds.end() ? kInf : *t;
        }
    }
    x.closed_ = false;
    return x;
}

Dbm Dbm::narrow(const Dbm& b) const {
    if (bottom_) return *this;
    if (b.bottom_) return b;
    Dbm x = *this;
    x.ensure_vars(b.num_vars());
    // Only +∞ entries are refined, and each at most once: decreasing chains stabilise.
    for (Index i = 0; i < x.dim_; ++i)
        for (Index j = 0; j < x.dim_; ++j)
            if (x.ref(i, j) == kInf) x.ref(i, j) = b.at(i, j);
    x.closed_ = false;
    return x;
}

}  // namespace bpflab::dom
