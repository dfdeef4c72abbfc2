// SPDX-License-Identifier: Apache-2.0
// bpflab: DBM storage and normalisation — full (Floyd–Warshall) and incremental closure.
#include <algorithm>
#include <cstdint>

#include "domains/zone/dbm.hpp"

namespace bpflab::dom {

using zone::bound_add;
using zone::kInf;

Dbm::Dbm(std::size_t n) : dim_(n + 1), m_(dim_ * dim_, kInf) {
    for (Index i = 0; i < dim_; ++i) ref(i, i) = 0;
}

Dbm Dbm::bottom() {
    Dbm d;
    d.bottom_ = true;
    return d;
}

void Dbm::set_bottom() {
    bottom_ = true;
    closed_ = true;
}

Dbm Dbm::closed_copy() const {
    Dbm c = *this;
    if (!c.closed_) c.close();
    return c;
}

void Dbm::ensure_vars(std::size_t n) {
    if (n + 1 <= dim_) return;
    const std::size_t old = dim_;
    std::vector<Bound> grown((n + 1) * (n + 1), kInf);
    for (Index i = 0; i < old; ++i)
        std::copy_n(m_.begin() + static_cast<std::ptrdiff_t>(i * old), old,
                    grown.begin() + static_cast<std::ptrdiff_t>(i * (n + 1)));
    dim_ = n + 1;
    m_ = std::move(grown);
    for (Index i = old; i < dim_; ++i) ref(i, i) = 0;
}

bool Dbm::is_top() const {
    if (bottom_) return false;
    for (Index i = 0; i < dim_; ++i)
        for (Index j = 0; j < dim_; ++j)
            if (i != j && m_[i * dim_ + j] != kInf) return false;
    return true;
}

void Dbm::set_entry(Index i, Index j, Bound c) {
    ensure_vars(std::max(i, j));
    ref(i, j) = c;
    closed_ = false;
}

// Relaxes row i through k: m(i,j) = min(m(i,j), a + m(k,j)) for a finite a = m(i,k), with the
// saturating sum of bound.hpp written so the loop vectorises. A fixed a can overflow one way
// only: for a >= 0, a + b overflows exactly when b > INT64_MAX - a and the sum is then +∞ (which
// also covers b = +∞); for a < 0, b is first raised to INT64_MIN - a (the sum then clamps to
// INT64_MIN, never tighter than the exact sum) and b = +∞ is kept +∞. Closure spends nearly all
// its time here, so an AVX2 clone (4 bounds per compare) is chosen at load time where available.
__attribute__((target_clones("avx2", "default"))) static void relax_row(
    Dbm::Bound* __restrict row_i, const Dbm::Bound* __restrict row_k, Dbm::Bound a, std::size_t n) {
    using U = std::uint64_t;
    if (a >= 0) {
        const Dbm::Bound limit = kInf - a;
        for (std::size_t j = 0; j < n; ++j) {
            const Dbm::Bound b = row_k[j];
            const auto sum = static_cast<Dbm::Bound>(static_cast<U>(a) + static_cast<U>(b));
            const Dbm::Bound s = b > limit ? kInf : sum;
            row_i[j] = s < row_i[j] ? s : row_i[j];
        }
        return;
    }
    const Dbm::Bound floor = zone::kMinBound - a;  // a < 0: no overflow computing it
    for (std::size_t j = 0; j < n; ++j) {
        const Dbm::Bound b = row_k[j];
        const Dbm::Bound raised = b < floor ? floor : b;
        const Dbm::Bound s = b == kInf ? kInf : a + raised;
        row_i[j] = s < row_i[j] ? s : row_i[j];
    }
}

void Dbm::close() {
    if (bottom_) return;
    const std::size_t n = dim_;
    Bound* m = m_.data();
    for (Index k = 0; k < n; ++k) {
        const Bound* row_k = m + k * n;
        for (Index i = 0; i < n; ++i) {
            if (i == k) continue;  // row k through itself changes nothing without a cycle
            const Bound a = m[i * n + k];
            if (a == kInf) continue;
            relax_row(m + i * n, row_k, a, n);
        }
        // A negative diagonal entry is a negative cycle: no integer valuation exists.
        if (m[k * n + k] < 0) return set_bottom();
    }
    for (Index i = 0; i < n; ++i)
        if (m[i * n + i] < 0) return set_bottom();
    closed_ = true;
}

void Dbm::add_constraint(Index i, Index j, Bound c) {
    if (bottom_ || c == kInf) return;
    ensure_vars(std::max(i, j));
    if (i == j) {
        if (c < 0) set_bottom();
        return;
    }
    if (c >= ref(i, j)) return;
    if (!closed_) {
        ref(i, j) = c;
        return;
    }
    // Closed: x_j - x_i <= m(j,i) with the new edge is a cycle of weight m(j,i) + c.
    if (bound_add(ref(j, i), c) < 0) return set_bottom();
    const std::size_t n = dim_;
    Bound* m = m_.data();
    // Every path k -> l improved by the new edge is k -> i -> j -> l (the old matrix holds
    // the shortest k -> i and j -> l paths). Rows i, j and columns i, j are fixed points of
    // this update because m(j,i) + c >= 0, so updating in place is safe.
    const Bound* row_j = m + j * n;
    for (Index k = 0; k < n; ++k) {
        if (k == j) continue;  // row j is a fixed point (and must not alias row_j)
        const Bound ki = m[k * n + i];
        if (ki == kInf) continue;
        const Bound a = bound_add(ki, c);
        if (a == kInf) continue;
        relax_row(m + k * n, row_j, a, n);
    }
}

bool operator==(const Dbm& a, const Dbm& b) {
    if (a.bottom_ || b.bottom_) return a.bottom_ == b.bottom_;
    const std::size_t n = std::max(a.dim_, b.dim_);
    for (Dbm::Index i = 0; i < n; ++i)
        for (Dbm::Index j = 0; j < n; ++j)
            if (a.at(i, j) != b.at(i, j)) return false;
    return true;
}

}  // namespace bpflab::dom
