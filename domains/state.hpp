// SPDX-License-Identifier: Apache-2.0
// bpflab: the contract of numeric state domains — an abstraction of the values of many
// variables at once (registers, pointer offsets, packet sizes), relational or not.
#pragma once

#include <concepts>
#include <cstdint>

#include "core/word.hpp"
#include "domains/lattice.hpp"
#include "domains/value.hpp"

namespace bpflab::dom {

/// A numeric variable of a state: a register's value, a pointer's offset, a region's size.
/// Variables are 64-bit words; a variable the state has never seen is unconstrained (top).
using Var = std::uint32_t;

/// A numeric state domain over 64-bit word variables with wrap-around semantics.
///
///   havoc(x)              forget everything about x.
///   assign(x, c)          x := c.
///   assign(x, y)          x := y (a relational domain records x = y).
///   apply(op, x, y)       x := x op y with the ISA's semantics (AluSpec: width, MovSx …);
///   apply(op, x, c)       x := x op c, where c is the operand as the ISA presents it (an
///                         immediate already sign-extended to 64 bits).
///   endian(k, bits, x)    x := byte-order conversion of x.
///   assume(br, x, y)      meet with the branch side "x cond y" (may become bottom);
///   assume(br, x, c)      the same against a constant.
///   interval(x)           the bounds of x, unsigned and signed at both widths (a projection).
///   tnum(x)               the known bits of x (a projection).
/// States are mutable values; Bool is `bool`. `is_bottom` never mutates (normalise first with
/// whatever the domain documents, e.g. a zone's closure, if it keeps one lazily).
template <class S>
concept NumericState =
    Lattice<S> && std::same_as<typename S::Bool, bool> &&
    requires(S s, const S& cs, Var x, Var y, std::uint64_t c, AluSpec op, Branch br,
             EndianKind k, unsigned bits) {
        s.havoc(x);
        s.assign(x, c);
        s.assign(x, y);
        s.apply(op, x, y);
        s.apply(op, x, c);
        s.endian(k, bits, x);
        s.assume(br, x, y);
        s.assume(br, x, c);
        cs.interval(x);
        cs.tnum(x);
    };

}  // namespace bpflab::dom
