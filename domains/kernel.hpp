// SPDX-License-Identifier: Apache-2.0
// bpflab: the Linux verifier's scalar abstraction — a tnum and the four interval views
// (tnum × u64 × s64 × u32 × s32) kept consistent by a synchronisation step.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/isa.hpp"
#include "core/word.hpp"
#include "domains/interval.hpp"
#include "domains/tnum.hpp"
#include "domains/value.hpp"

namespace bpflab::dom {

/// The round count of the kernel's fixed synchronisation: `reg_bounds_sync` derives the
/// bounds from the tnum, runs the bounds deduction a fixed number of times, derives the tnum
/// from the bounds and the bounds from the tnum again. The deduction ran once per
/// synchronisation in the kernels that introduced the 32-bit bounds (5.7 on), twice after the
/// range-tracking rework of 2023, and three times in the current kernels (2025), because two
/// rounds were shown not to reach a fixed point. `kernel-fixed-rounds` uses the current count.
inline constexpr int kKernelSyncRounds = 3;

/// The reduced product of a tnum and the interval product over W, the kernel's scalar value.
/// `Rounds` = 0 synchronises to a fixed point (registry name `kernel`); `Rounds` > 0 runs the
/// kernel's fixed schedule with that many deduction rounds (`kernel-fixed-rounds` for
/// kKernelSyncRounds).
///
/// γ = γ(tnum) ∩ γ(interval); bottom when either component is, and every operation then
/// returns both components bottom. A default-constructed value is top. Transfer functions
/// apply both components and synchronise; join and meet synchronise their result; widen and
/// narrow do not (a reduction after widening can undo it and break termination).
///
/// Synchronisation, one round (each step keeps every member, so any number of rounds is
/// sound):
///   bounds ← tnum: each view is met with [min, max] of the tnum read in that view (unsigned:
///     value, value | mask; signed: the unknown sign bit set for min and clear for max), the
///     half views with the tnum's low half;
///   deduce: one pass of Interval::reduced() (signed/unsigned exchange, 64 → 32, 32 → 64);
///   tnum ← bounds: the tnum is met with the tnum range of the unsigned view, and its low half
///     with the range of the unsigned half view.
/// Fixed point (Rounds = 0): rounds repeat until nothing changes, at most kMaxRounds times.
/// Why kMaxRounds = 2 (N + 1) + 1 suffices: every step only shrinks, so a round either strictly
/// shrinks the tnum — which can happen at most N + 1 times (N bits to learn, then bottom) — or
/// keeps it. A round that keeps the tnum changes the views only through the interval pass
/// (bounds ← tnum is then a no-op: the views already lie inside the tnum's bounds), and the
/// pass settles after at most two applications: pass ∘ pass was a fixed point of the pass on
/// every one of 11 million random 8-bit four-view tuples (one pass alone missed it on 27 of
/// them: a half view cut by the last exchange can still move a full bound). So between two
/// tnum changes at most two rounds change anything, and one more round observes the fixed
/// point. Measured (random unsynchronised values): at most 3 changing rounds at 8 and 64 bits,
/// 4 at 16 bits; tests/domains/kernel_test.cpp fails if a search reaches the cap. Symbolic
/// words cannot stop early, so proofs unroll all kMaxRounds rounds; machine words stop at the
/// fixed point.
template <Word W, int Rounds = 0>
class KernelScalar {
  public:
    using Word = W;
    using Bool = typename W::Bool;
    using T = Tnum<W>;
    using HT = typename T::HalfTnum;
    using I = Interval<W>;
    static_assert(Rounds >= 0);
    static constexpr unsigned kBits = W::kBits;
    static constexpr int kMaxRounds = 2 * (static_cast<int>(kBits) + 1) + 1;

    [[nodiscard]] static constexpr std::string_view name() {
        return Rounds == 0 ? "kernel" : "kernel-fixed-rounds";
    }

    /// Top.
    KernelScalar() = default;
    /// The components as given (not synchronised).
    KernelScalar(T t, I i) : t_(std::move(t)), i_(std::move(i)) {}
    /// The components, synchronised.
    [[nodiscard]] static KernelScalar make(const T& t, const I& i) {
        return KernelScalar(t, i).synced();
    }

    [[nodiscard]] static KernelScalar top() { return {}; }
    [[nodiscard]] static KernelScalar bottom() { return {T::bottom(), I::bottom()}; }
    [[nodiscard]] static KernelScalar constant(const W& c) {
        return {T::constant(c), I::constant(c)};
    }

    [[nodiscard]] const T& tnum() const { return t_; }
    [[nodiscard]] const I& interval() const { return i_; }

    [[nodiscard]] Bool is_bottom() const { return t_.is_bottom() || i_.is_bottom(); }
    [[nodiscard]] Bool is_top() const { return t_.is_top() && i_.is_top(); }
    [[nodiscard]] Bool contains(const W& x) const { return t_.contains(x) && i_.contains(x); }
    [[nodiscard]] Bool well_formed() const { return t_.well_formed() && i_.well_formed(); }
    /// Whether the value is a single known word.
    [[nodiscard]] Bool is_constant() const { return t_.is_const() && !is_bottom(); }

    /// Component-wise containment (sound; a reduced value compares best).
    [[nodiscard]] Bool leq(const KernelScalar& b) const {
        return is_bottom() || (t_.leq(b.t_) && i_.leq(b.i_));
    }
    /// Component-wise join, synchronised.
    [[nodiscard]] KernelScalar join(const KernelScalar& b) const {
        const KernelScalar j = KernelScalar(t_.join(b.t_), i_.join(b.i_)).synced();
        return pick(is_bottom(), b, pick(b.is_bottom(), *this, j));
    }
    /// Component-wise meet, synchronised.
    [[nodiscard]] KernelScalar meet(const KernelScalar& b) const {
        return KernelScalar(t_.meet(b.t_), i_.meet(b.i_)).synced();
    }
    /// Assumes this->leq(b): component-wise widening, not synchronised.
    [[nodiscard]] KernelScalar widen(const KernelScalar& b) const {
        const KernelScalar w(t_.widen(b.t_), i_.widen(b.i_));
        return pick(is_bottom(), b, pick(b.is_bottom(), *this, w));
    }
    /// Assumes b.leq(*this): component-wise narrowing, not synchronised.
    [[nodiscard]] KernelScalar narrow(const KernelScalar& b) const {
        const KernelScalar n(t_.narrow(b.t_), i_.narrow(b.i_));
        return pick(is_bottom() || b.is_bottom(), bottom(), n);
    }
    void join_with(const KernelScalar& b) { *this = join(b); }
    void meet_with(const KernelScalar& b) { *this = meet(b); }
    void widen_with(const KernelScalar& b) { *this = widen(b); }
    void narrow_with(const KernelScalar& b) { *this = narrow(b); }

    /// Both components' transfer, then synchronisation (value.hpp contracts); the interval
    /// component is not reduced on its own, the synchronisation does it.
    [[nodiscard]] static KernelScalar alu(AluSpec spec, const KernelScalar& a,
                                          const KernelScalar& b) {
        return make(T::alu(spec, a.t_, b.t_), I::alu_unreduced(spec, a.i_, b.i_));
    }
    [[nodiscard]] static KernelScalar endian(EndianKind k, unsigned bits, const KernelScalar& a) {
        return make(T::endian(k, bits, a.t_), I::endian(k, bits, a.i_));
    }
    /// Both components refine both operands; each side is synchronised; both bottom when
    /// either is (a dead side).
    [[nodiscard]] static std::pair<KernelScalar, KernelScalar> assume(Branch br,
                                                                      const KernelScalar& a,
                                                                      const KernelScalar& b) {
        const auto [ta, tb] = T::assume(br, a.t_, b.t_);
        const auto [ia, ib] = I::assume_unreduced(br, a.i_, b.i_);
        const KernelScalar ra = make(ta, ia), rb = make(tb, ib);
        const Bool dead = ra.is_bottom() || rb.is_bottom();
        return {pick(dead, bottom(), ra), pick(dead, bottom(), rb)};
    }

    /// The synchronised value (see the class comment); canonical bottom when empty.
    [[nodiscard]] KernelScalar synced() const { return synced_counting(nullptr); }

    /// synced(), also reporting the number of rounds that changed something (tests).
    [[nodiscard]] KernelScalar synced_counting(int* rounds_used) const {
        KernelScalar r = *this;
        if constexpr (Rounds > 0) {
            r.i_ = bounds_from_tnum(r.t_, r.i_);
            for (int k = 0; k < Rounds; ++k) r.i_ = r.i_.reduced();
            r.t_ = tnum_from_bounds(r.t_, r.i_);
            r.i_ = bounds_from_tnum(r.t_, r.i_);
            if (rounds_used != nullptr) *rounds_used = Rounds;
        } else {
            int used = 0;
            for (int k = 0; k < kMaxRounds; ++k) {
                const KernelScalar next = sync_round(r);
                if constexpr (std::is_same_v<Bool, bool>) {
                    if (next.same(r)) break;
                    ++used;
                }
                r = next;
            }
            if (rounds_used != nullptr) *rounds_used = used;
        }
        return pick(r.is_bottom(), bottom(), r);
    }

    /// Word-wise identity of the representations.
    [[nodiscard]] Bool same(const KernelScalar& b) const {
        auto eq = [](const auto& x, const auto& y) { return x.lo() == y.lo() && x.hi() == y.hi(); };
        return t_.value == b.t_.value && t_.mask == b.t_.mask && eq(i_.u(), b.i_.u()) &&
               eq(i_.s(), b.i_.s()) && eq(i_.u32(), b.i_.u32()) && eq(i_.s32(), b.i_.s32());
    }

    /// `c ? a : b`.
    [[nodiscard]] static KernelScalar pick(const Bool& c, const KernelScalar& a,
                                           const KernelScalar& b) {
        return {T::pick(c, a.t_, b.t_), select(c, a.i_, b.i_)};
    }

    // The synchronisation's steps, public so that solvers/prove_modular.hpp proves each one
    // (γ(v) ⊆ γ(step(v))) on the code synced() runs; rounds compose them.

    /// One round of the fixed-point synchronisation: bounds ← tnum, one interval reduction,
    /// tnum ← bounds.
    [[nodiscard]] static KernelScalar sync_round(const KernelScalar& v) {
        const I i1 = bounds_from_tnum(v.t_, v.i_).reduced();
        return {tnum_from_bounds(v.t_, i1), i1};
    }

    /// Each interval view met with the tnum's bounds in that view.
    [[nodiscard]] static I bounds_from_tnum(const T& t, const I& i) {
        const auto view_bounds = [](const auto& tn, const auto& u, const auto& s) {
            using V = std::remove_cvref_t<decltype(tn.value)>;
            const V sign = V::constant(1) << (V::kBits - 1);
            const V umax = tn.value | tn.mask;
            const auto nu = u.meet({tn.value, umax});
            const auto ns = s.meet({tn.value | (tn.mask & sign), tn.value | (tn.mask & ~sign)});
            return std::pair{nu, ns};
        };
        const auto [u, s] = view_bounds(t, i.u(), i.s());
        const auto [hu, hs] = view_bounds(t.low(), i.u32(), i.s32());
        const I r(u, s, hu, hs);
        return select(t.is_bottom(), I::bottom(), r);
    }

    /// The tnum met with the ranges of the unsigned views (full, and the low half).
    [[nodiscard]] static T tnum_from_bounds(const T& t, const I& i) {
        const T full = T::range(i.u().lo(), i.u().hi());
        const T low = T::with_low(T::top(), HT::range(i.u32().lo(), i.u32().hi()));
        return T::pick(i.is_bottom(), T::bottom(), t.meet(full).meet(low));
    }

  private:
    T t_;
    I i_;
};

/// The current kernel's fixed schedule.
template <Word W>
using KernelFixedRounds = KernelScalar<W, kKernelSyncRounds>;

/// The kernel verifier's log notation for a scalar on machine words: the signed value for a
/// constant, `scalar()` for top, otherwise `scalar(` the informative bounds, then `var_off`
/// `)`. A bound is left out when it is the extreme of its view or repeats what another
/// printed bound says (a signed bound equal to the unsigned one; a 32-bit bound equal to the
/// 64-bit one); var_off is left out when no bit is known. `bottom` for the empty value.
template <unsigned N, int R>
[[nodiscard]] std::string to_string(const KernelScalar<Bits<N>, R>& v) {
    using W = Bits<N>;
    using H = Half<W>;
    if (v.is_bottom()) return "bottom";
    const auto& t = v.tnum();
    if (t.is_const()) return std::to_string(t.value.sraw());
    const auto& i = v.interval();
    std::string out;
    auto add = [&out](const char* key, const std::string& val) {
        out += (out.empty() ? "" : ",") + std::string(key) + "=" + val;
    };
    auto dec_u = [](std::uint64_t x) { return std::to_string(x); };
    auto dec_s = [](std::int64_t x) { return std::to_string(x); };
    const W smin_w = W::smin(), smax_w = W::smax();
    if (i.s().lo() != i.u().lo() && i.s().lo() != smin_w) add("smin", dec_s(i.s().lo().sraw()));
    if (i.s().hi() != i.u().hi() && i.s().hi() != smax_w) add("smax", dec_s(i.s().hi().sraw()));
    if (i.u().lo() != W(0)) add("umin", dec_u(i.u().lo().raw()));
    if (i.u().hi() != W::ones()) add("umax", dec_u(i.u().hi().raw()));
    if (i.s32().lo().sraw() != i.s().lo().sraw() && i.s32().lo() != H::smin())
        add("smin32", dec_s(i.s32().lo().sraw()));
    if (i.s32().hi().sraw() != i.s().hi().sraw() && i.s32().hi() != H::smax())
        add("smax32", dec_s(i.s32().hi().sraw()));
    if (i.u32().lo().raw() != i.u().lo().raw() && i.u32().lo() != H(0))
        add("umin32", dec_u(i.u32().lo().raw()));
    if (i.u32().hi().raw() != i.u().hi().raw() && i.u32().hi() != H::ones())
        add("umax32", dec_u(i.u32().hi().raw()));
    if (!t.is_top()) {
        static constexpr char kHex[] = "0123456789abcdef";
        auto hex = [](std::uint64_t x) {
            std::string s;
            do {
                s.insert(s.begin(), kHex[x & 0xf]);
                x >>= 4;
            } while (x != 0);
            return "0x" + s;
        };
        add("var_off", "(" + hex(t.value.raw()) + "; " + hex(t.mask.raw()) + ")");
    }
    return "scalar(" + out + ")";
}

static_assert(ValueDomain<KernelScalar<Bits<64>>> && ValueDomain<KernelScalar<Bits<8>>>);
static_assert(ValueDomain<KernelFixedRounds<Bits<64>>>);

}  // namespace bpflab::dom
