// SPDX-License-Identifier: Apache-2.0
// bpflab: two tiny value domains for the prover's own tests — a tnum and an unsigned interval,
// sound where they are precise and top elsewhere — each with switchable deliberate bugs.
#pragma once

#include <string>
#include <utility>

#include "core/semantics.hpp"
#include "core/word.hpp"
#include "domains/value.hpp"
#include "solvers/prove.hpp"

namespace bpflab::testing {

/// The deliberate bugs. Each names the operation it breaks; `None` is the sound domain.
enum class Bug {
    None,
    TnumAddNoCarry,          ///< add64: mask = a.m | b.m (carries ignored)
    TnumSubNoBorrow,         ///< sub64: mask = a.m | b.m (borrows ignored)
    TnumAndWrongMask,        ///< and64: mask = a.m & b.m
    TnumAdd32FullWidth,      ///< add32: computed on the whole word (the 32-bit mask missing)
    TnumLshUnmasked,         ///< lsh64 by a constant: the amount is not masked to N - 1
    TnumArshAsRsh,           ///< arsh64: shifts in zeros
    TnumAlu32SignExtend,     ///< every 32-bit result sign-extended (the zero-extension missing)
    IntervalAddNoOverflow,   ///< add64: bounds added without the overflow check
    IntervalSubNoUnderflow,  ///< sub64: bounds subtracted without the underflow check
    IntervalJleOffByOne,     ///< assume x <= y: x.hi = y.hi - 1
    IntervalSDivUnsigned,    ///< sdiv64 of constants computed unsigned (wrong sign case)
    IntervalMov32NoZext,     ///< mov32: the source's upper half kept
};

/// Tristate number (value, mask); bottom when value & mask != 0. Precise for add, sub, and,
/// or, xor, neg, shifts by a known amount, mov, movsx; top for the rest; assume is identity.
template <Word W, Bug B = Bug::None>
class MiniTnum {
  public:
    using Word = W;
    using Bool = typename W::Bool;
    W v, m;

    MiniTnum() : v(W::constant(0)), m(W::ones()) {}
    MiniTnum(W value, W mask) : v(value), m(mask) {}
    [[nodiscard]] static MiniTnum top() { return {W::constant(0), W::ones()}; }
    [[nodiscard]] static MiniTnum bottom() { return {W::ones(), W::ones()}; }
    [[nodiscard]] static MiniTnum constant(W c) { return {c, W::constant(0)}; }
    [[nodiscard]] Bool is_bottom() const { return (v & m) != W::constant(0); }
    [[nodiscard]] Bool is_top() const { return m == W::ones() && v == W::constant(0); }
    [[nodiscard]] Bool well_formed() const { return Bool(true); }
    [[nodiscard]] Bool contains(W x) const { return !is_bottom() && (x & ~m) == v; }
    [[nodiscard]] Bool leq(const MiniTnum& b) const {
        return is_bottom() || (!b.is_bottom() && (m & ~b.m) == W::constant(0) && (v & ~b.m) == b.v);
    }
    [[nodiscard]] MiniTnum join(const MiniTnum& b) const {
        const W mu = m | b.m | (v ^ b.v);
        const MiniTnum u{v & ~mu, mu};
        return pick(is_bottom(), b, pick(b.is_bottom(), *this, u));
    }
    [[nodiscard]] MiniTnum meet(const MiniTnum& b) const {
        const W mu = m & b.m;
        const Bool clash = ((v ^ b.v) & ~m & ~b.m) != W::constant(0);
        return pick(clash || is_bottom() || b.is_bottom(), bottom(), MiniTnum{(v | b.v) & ~mu, mu});
    }
    [[nodiscard]] MiniTnum widen(const MiniTnum& b) const { return join(b); }
    [[nodiscard]] MiniTnum narrow(const MiniTnum& b) const { return meet(b); }
    void join_with(const MiniTnum& b) { *this = join(b); }
    void meet_with(const MiniTnum& b) { *this = meet(b); }
    void widen_with(const MiniTnum& b) { *this = widen(b); }
    void narrow_with(const MiniTnum& b) { *this = narrow(b); }

    [[nodiscard]] static MiniTnum alu(dom::AluSpec s, const MiniTnum& a, const MiniTnum& b) {
        const unsigned sx = s.sx_bits * W::kBits / 64;
        if (s.is64) return full(s.op, a, b, sx);
        if constexpr (W::kBits >= 8) {
            using H = MiniTnum<Half<W>, B>;
            constexpr unsigned kHalf = W::kBits / 2;
            if (B == Bug::TnumAdd32FullWidth && s.op == AluOp::Add) return full(s.op, a, b, sx);
            const H r = H::full(s.op, H{trunc<kHalf>(a.v), trunc<kHalf>(a.m)},
                                H{trunc<kHalf>(b.v), trunc<kHalf>(b.m)}, sx);
            if (B == Bug::TnumAlu32SignExtend) return {sext<W::kBits>(r.v), sext<W::kBits>(r.m)};
            return {zext<W::kBits>(r.v), zext<W::kBits>(r.m)};
        }
        return top();
    }
    [[nodiscard]] static MiniTnum endian(EndianKind, unsigned, const MiniTnum&) { return top(); }
    [[nodiscard]] static std::pair<MiniTnum, MiniTnum> assume(dom::Branch, const MiniTnum& a,
                                                              const MiniTnum& b) {
        return {a, b};
    }

    /// `op` at the full width of W (sx already scaled).
    [[nodiscard]] static MiniTnum full(AluOp op, const MiniTnum& a, const MiniTnum& b,
                                       unsigned sx) {
        const W zero = W::constant(0);
        switch (op) {
            case AluOp::Add: {
                const W sv = a.v + b.v, sm = a.m + b.m;
                const W mu = B == Bug::TnumAddNoCarry ? a.m | b.m : ((sv + sm) ^ sv) | a.m | b.m;
                return {sv & ~mu, mu};
            }
            case AluOp::Sub: {
                const W dv = a.v - b.v;
                const W mu =
                    B == Bug::TnumSubNoBorrow ? a.m | b.m : ((dv + a.m) ^ (dv - b.m)) | a.m | b.m;
                return {dv & ~mu, mu};
            }
            case AluOp::And: {
                const W alpha = a.v | a.m, beta = b.v | b.m, v = a.v & b.v;
                if (B == Bug::TnumAndWrongMask) return {v & ~(a.m & b.m), a.m & b.m};
                return {v, alpha & beta & ~v};
            }
            case AluOp::Or: {
                const W v = a.v | b.v;
                return {v, (a.m | b.m) & ~v};
            }
            case AluOp::Xor: {
                const W v = a.v ^ b.v, mu = a.m | b.m;
                return {v & ~mu, mu};
            }
            case AluOp::Neg:
                return full(AluOp::Sub, constant(zero), a, sx);
            case AluOp::Mov:
                return b;
            case AluOp::MovSx:
                return {sem::sign_extend_word(b.v, sx), sem::sign_extend_word(b.m, sx)};
            case AluOp::Lsh:
            case AluOp::Rsh:
            case AluOp::Arsh: {
                const W k = B == Bug::TnumLshUnmasked && op == AluOp::Lsh
                                ? b.v
                                : b.v & W::constant(W::kBits - 1);
                MiniTnum r;
                if (op == AluOp::Lsh) r = {shl(a.v, k), shl(a.m, k)};
                if (op == AluOp::Rsh) r = {lshr(a.v, k), lshr(a.m, k)};
                if (op == AluOp::Arsh) {
                    r = B == Bug::TnumArshAsRsh ? MiniTnum{lshr(a.v, k), lshr(a.m, k)}
                                                : MiniTnum{ashr(a.v, k), ashr(a.m, k)};
                }
                return pick(b.m == zero, r, top());
            }
            default:
                return top();
        }
    }

    [[nodiscard]] static MiniTnum pick(Bool c, const MiniTnum& x, const MiniTnum& y) {
        return {select(c, x.v, y.v), select(c, x.m, y.m)};
    }
};

/// Unsigned interval [lo, hi]; bottom when lo > hi. Precise for add/sub without wrap-around,
/// mov, sdiv of constants, and the unsigned order branches at the full width; top elsewhere.
template <Word W, Bug B = Bug::None>
class MiniInterval {
  public:
    using Word = W;
    using Bool = typename W::Bool;
    W lo, hi;

    MiniInterval() : lo(W::constant(0)), hi(W::ones()) {}
    MiniInterval(W l, W h) : lo(l), hi(h) {}
    [[nodiscard]] static MiniInterval top() { return {W::constant(0), W::ones()}; }
    [[nodiscard]] static MiniInterval bottom() { return {W::ones(), W::constant(0)}; }
    [[nodiscard]] static MiniInterval constant(W c) { return {c, c}; }
    [[nodiscard]] Bool is_bottom() const { return hi < lo; }
    [[nodiscard]] Bool is_top() const { return lo == W::constant(0) && hi == W::ones(); }
    [[nodiscard]] Bool well_formed() const { return Bool(true); }
    [[nodiscard]] Bool contains(W x) const { return lo <= x && x <= hi; }
    [[nodiscard]] Bool leq(const MiniInterval& b) const {
        return is_bottom() || (b.lo <= lo && hi <= b.hi);
    }
    [[nodiscard]] MiniInterval join(const MiniInterval& b) const {
        return pick(is_bottom(), b, pick(b.is_bottom(), *this, {umin(lo, b.lo), umax(hi, b.hi)}));
    }
    [[nodiscard]] MiniInterval meet(const MiniInterval& b) const {
        return pick(is_bottom() || b.is_bottom(), bottom(), {umax(lo, b.lo), umin(hi, b.hi)});
    }
    [[nodiscard]] MiniInterval widen(const MiniInterval& b) const { return join(b); }
    [[nodiscard]] MiniInterval narrow(const MiniInterval& b) const { return meet(b); }
    void join_with(const MiniInterval& b) { *this = join(b); }
    void meet_with(const MiniInterval& b) { *this = meet(b); }
    void widen_with(const MiniInterval& b) { *this = widen(b); }
    void narrow_with(const MiniInterval& b) { *this = narrow(b); }

    [[nodiscard]] static MiniInterval alu(dom::AluSpec s, const MiniInterval& a,
                                          const MiniInterval& b) {
        if (!s.is64) {
            if (B == Bug::IntervalMov32NoZext && s.op == AluOp::Mov) return b;
            return top();
        }
        switch (s.op) {
            case AluOp::Add: {
                const W l = a.lo + b.lo, h = a.hi + b.hi;
                if (B == Bug::IntervalAddNoOverflow) return {l, h};
                return pick(h < a.hi, top(), {l, h});
            }
            case AluOp::Sub: {
                const W l = a.lo - b.hi, h = a.hi - b.lo;
                if (B == Bug::IntervalSubNoUnderflow) return {l, h};
                return pick(a.lo < b.hi, top(), {l, h});
            }
            case AluOp::SDiv: {
                const AluOp op = B == Bug::IntervalSDivUnsigned ? AluOp::Div : AluOp::SDiv;
                const W q = sem::alu_word<W>(op, a.lo, b.lo);
                return pick(a.lo == a.hi && b.lo == b.hi, constant(q), top());
            }
            case AluOp::Mov:
                return b;
            default:
                return top();
        }
    }
    [[nodiscard]] static MiniInterval endian(EndianKind, unsigned, const MiniInterval&) {
        return top();
    }
    /// Unsigned order at the full width: `l < r` (strict) or `l <= r` narrows l.hi and r.lo.
    [[nodiscard]] static std::pair<MiniInterval, MiniInterval> assume(dom::Branch br,
                                                                      const MiniInterval& a,
                                                                      const MiniInterval& b) {
        if (br.is32) return {a, b};
        bool swap = false, strict = false;
        switch (br.cond) {
            case Cond::Lt:
                strict = br.holds;
                swap = !br.holds;
                break;
            case Cond::Le:
                strict = !br.holds;
                swap = !br.holds;
                break;
            case Cond::Gt:
                strict = br.holds;
                swap = br.holds;
                break;
            case Cond::Ge:
                strict = !br.holds;
                swap = br.holds;
                break;
            default:
                return {a, b};
        }
        const MiniInterval& l = swap ? b : a;
        const MiniInterval& r = swap ? a : b;
        const W one = W::constant(1);
        const bool off_by_one = B == Bug::IntervalJleOffByOne && br.cond == Cond::Le && br.holds;
        const W gap = strict || off_by_one ? one : W::constant(0);
        const MiniInterval nl{l.lo, umin(l.hi, r.hi - gap)};
        const MiniInterval nr{umax(r.lo, l.lo + (strict ? one : W::constant(0))), r.hi};
        return swap ? std::pair{nr, nl} : std::pair{nl, nr};
    }

    [[nodiscard]] static MiniInterval pick(Bool c, const MiniInterval& x, const MiniInterval& y) {
        return {select(c, x.lo, y.lo), select(c, x.hi, y.hi)};
    }
};

/// Partial applications: the domain templates `prove_operation<D, N>` takes.
template <Bug B>
struct Mini {
    template <class W>
    using Tnum = MiniTnum<W, B>;
    template <class W>
    using Interval = MiniInterval<W, B>;
};

}  // namespace bpflab::testing

namespace bpflab::prove {

template <class W, testing::Bug B>
struct DomainFields<testing::MiniTnum<W, B>> {
    using V = testing::MiniTnum<W, B>;
    template <class Src>
    static V make(Src& src) {
        auto v = src.template word<W::kBits>("value");
        auto m = src.template word<W::kBits>("mask");
        return {v, m};
    }
    static std::string describe(const V& t) {
        return "(" + hex(t.v.raw()) + "; " + hex(t.m.raw()) + ")";
    }
};

template <class W, testing::Bug B>
struct DomainFields<testing::MiniInterval<W, B>> {
    using V = testing::MiniInterval<W, B>;
    template <class Src>
    static V make(Src& src) {
        auto lo = src.template word<W::kBits>("lo");
        auto hi = src.template word<W::kBits>("hi");
        return {lo, hi};
    }
    static std::string describe(const V& i) {
        return "[" + hex(i.lo.raw()) + ", " + hex(i.hi.raw()) + "]";
    }
};

}  // namespace bpflab::prove
