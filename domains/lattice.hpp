// SPDX-License-Identifier: Apache-2.0
// bpflab: the lattice contract every abstract domain meets (DESIGN.md decision 4).
#pragma once

#include <concepts>

namespace bpflab::dom {

/// A lattice element that is a small value type. `Bool` is `bool` for machine words and a Z3
/// formula for symbolic ones, so the same code is analysed and proved.
///
/// Contract (every domain, stated once):
///   top(), bottom()      the greatest and least elements; a default-constructed value is top.
///   is_top(), is_bottom() whether the value denotes every / no concrete value.
///   leq(b)               whether γ(this) ⊆ γ(b) is established (sound: true only if it holds).
///   join(b), meet(b)     an upper bound of both / a lower bound of both (over-approximating).
///   widen(b)             assumes this->leq(b); an upper bound of both such that every
///                        increasing chain a0, a0∇a1, … stabilises.
///   narrow(b)            assumes b.leq(*this); a value between b and *this; decreasing chains
///                        of narrowing stabilise.
///   join_with, meet_with, widen_with, narrow_with: the in-place forms.
template <class L>
concept Lattice = std::copyable<L> && requires(L a, const L& b) {
    typename L::Bool;
    { L::top() } -> std::same_as<L>;
    { L::bottom() } -> std::same_as<L>;
    { a.is_top() } -> std::same_as<typename L::Bool>;
    { a.is_bottom() } -> std::same_as<typename L::Bool>;
    { a.leq(b) } -> std::same_as<typename L::Bool>;
    { a.join(b) } -> std::same_as<L>;
    { a.meet(b) } -> std::same_as<L>;
    { a.widen(b) } -> std::same_as<L>;
    { a.narrow(b) } -> std::same_as<L>;
    a.join_with(b);
    a.meet_with(b);
    a.widen_with(b);
    a.narrow_with(b);
};

}  // namespace bpflab::dom
