// SPDX-License-Identifier: Apache-2.0
// bpflab: projections of any value domain to the two views the checker reads — the interval
// bounds and the known bits of a register.
#pragma once

#include "domains/interval.hpp"
#include "domains/kernel.hpp"
#include "domains/tnum.hpp"

namespace bpflab::dom {

/// The four interval views of a value (sound: every member of γ(v) lies inside them). A tnum's
/// bounds are those the kernel product derives from it; the product gives its own.
template <Word W, TnumMul M>
[[nodiscard]] Interval<W> project_interval(const Tnum<W, M>& t) {
    return KernelScalar<W>::make(Tnum<W>(t.value, t.mask), Interval<W>::top()).interval();
}
template <Word W>
[[nodiscard]] Interval<W> project_interval(const Interval<W>& i) {
    return i;
}
template <Word W, int R>
[[nodiscard]] Interval<W> project_interval(const KernelScalar<W, R>& k) {
    return k.interval();
}

/// The known bits of a value (sound: every member of γ(v) matches them).
template <Word W, TnumMul M>
[[nodiscard]] Tnum<W> project_tnum(const Tnum<W, M>& t) {
    return Tnum<W>(t.value, t.mask);
}
template <Word W>
[[nodiscard]] Tnum<W> project_tnum(const Interval<W>& i) {
    return KernelScalar<W>::make(Tnum<W>::top(), i).tnum();
}
template <Word W, int R>
[[nodiscard]] Tnum<W> project_tnum(const KernelScalar<W, R>& k) {
    return k.tnum();
}

}  // namespace bpflab::dom
