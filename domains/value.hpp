// SPDX-License-Identifier: Apache-2.0
// bpflab: the numeric-transfer contract of value domains (a tnum, an interval, a product of
// them): what each ALU operation and each branch does to the abstract value of a register.
#pragma once

#include <concepts>
#include <utility>

#include "core/isa.hpp"
#include "core/word.hpp"
#include "domains/lattice.hpp"

namespace bpflab::dom {

/// One ALU operation of the ISA as a transfer function sees it. `is64` false means the ALU
/// (32-bit) form: it acts on the low halves of the operands and zero-extends the result; at
/// word width N the "32-bit" form is the N/2-bit form. `sx_bits` is MovSx's source width
/// (8, 16, 32 at N = 64; scaled by N/64 below that).
struct AluSpec {
    AluOp op = AluOp::Add;
    bool is64 = true;
    unsigned sx_bits = 0;
    friend bool operator==(const AluSpec&, const AluSpec&) = default;
};

/// One side of a conditional jump: `cond` compared at the JMP32 width when `is32`, and `holds`
/// false for the fall-through side (where the condition is false — for Set: `(a & b) == 0`).
struct Branch {
    Cond cond = Cond::Eq;
    bool is32 = false;
    bool holds = true;
    friend bool operator==(const Branch&, const Branch&) = default;
};

/// A value domain: the abstraction of one register's N-bit value (N = W::kBits).
///
///   constant(c)       the most precise value containing exactly c.
///   contains(x)       whether x ∈ γ(this) (the concretisation, used by tests and proofs).
///   well_formed()     the representation invariant; proofs quantify over well-formed values.
///   alu(spec, a, b)   an over-approximation of { op(x, y) | x ∈ γ(a), y ∈ γ(b) }; for Neg b
///                     is ignored, for Mov and MovSx the result depends on b only. Inputs are
///                     assumed non-bottom (γ(bottom) is empty, so any result is sound then).
///   endian(k, bits, a) the byte-order conversion of `bits` (16/32/64 at N = 64, scaled).
///   assume(br, a, b)  refines both operands to the pairs (x, y) for which the branch side is
///                     taken: every such x stays in the first result, every such y in the
///                     second; a side no pair can take yields bottom in either result.
template <class V>
concept ValueDomain =
    Lattice<V> && Word<typename V::Word> &&
    requires(const V& a, const V& b, typename V::Word w, AluSpec s, Branch br, EndianKind k,
             unsigned bits) {
        { V::constant(w) } -> std::same_as<V>;
        { a.contains(w) } -> std::same_as<typename V::Bool>;
        { a.well_formed() } -> std::same_as<typename V::Bool>;
        { V::alu(s, a, b) } -> std::same_as<V>;
        { V::endian(k, bits, a) } -> std::same_as<V>;
        { V::assume(br, a, b) } -> std::same_as<std::pair<V, V>>;
    };

}  // namespace bpflab::dom
