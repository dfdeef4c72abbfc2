// SPDX-License-Identifier: Apache-2.0
// bpflab: a non-relational state — one value-domain element per variable.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/word.hpp"
#include "domains/projection.hpp"
#include "domains/state.hpp"
#include "domains/value.hpp"

namespace bpflab::dom {

/// The state domain of a value domain V at register width: variable x is abstracted by
/// values()[x], independently of the others (the tnum, interval and kernel analyses).
///
/// Representation: a dense vector indexed by Var, grown on demand; a variable beyond its end
/// is top. Bottom is an explicit flag, set as soon as any variable becomes bottom (a state in
/// which one variable has no value has no valuation at all), so `is_bottom` is a plain read.
/// A default-constructed state is top.
template <ValueDomain V>
class NonRelational {
  public:
    using Bool = bool;
    using Value = V;
    using W = typename V::Word;
    static_assert(W::kBits == 64, "states abstract 64-bit registers");

    [[nodiscard]] static NonRelational top() { return {}; }
    [[nodiscard]] static NonRelational bottom() {
        NonRelational s;
        s.bottom_ = true;
        return s;
    }
    [[nodiscard]] bool is_bottom() const { return bottom_; }
    [[nodiscard]] bool is_top() const {
        if (bottom_) return false;
        for (const V& v : values_)
            if (!v.is_top()) return false;
        return true;
    }

    /// Pointwise containment; bottom is below everything.
    [[nodiscard]] bool leq(const NonRelational& o) const {
        if (bottom_) return true;
        if (o.bottom_) return false;
        const std::size_t n = std::max(values_.size(), o.values_.size());
        for (std::size_t i = 0; i < n; ++i)
            if (!get(static_cast<Var>(i)).leq(o.get(static_cast<Var>(i)))) return false;
        return true;
    }
    [[nodiscard]] NonRelational join(const NonRelational& o) const { return combine(o, Op::Join); }
    [[nodiscard]] NonRelational meet(const NonRelational& o) const { return combine(o, Op::Meet); }
    /// Assumes this->leq(o).
    [[nodiscard]] NonRelational widen(const NonRelational& o) const {
        return combine(o, Op::Widen);
    }
    /// Assumes o.leq(*this).
    [[nodiscard]] NonRelational narrow(const NonRelational& o) const {
        return combine(o, Op::Narrow);
    }
    void join_with(const NonRelational& o) { *this = join(o); }
    void meet_with(const NonRelational& o) { *this = meet(o); }
    void widen_with(const NonRelational& o) { *this = widen(o); }
    void narrow_with(const NonRelational& o) { *this = narrow(o); }

    /// The value of x (top when never constrained).
    [[nodiscard]] V get(Var x) const { return x < values_.size() ? values_[x] : V::top(); }
    /// Sets the value of x; a bottom value makes the whole state bottom.
    void set(Var x, const V& v) {
        if (bottom_) return;
        if (v.is_bottom()) {
            *this = bottom();
            return;
        }
        if (x >= values_.size()) values_.resize(std::size_t{x} + 1, V::top());
        values_[x] = v;
    }

    void havoc(Var x) {
        if (x < values_.size()) values_[x] = V::top();
    }
    void assign(Var x, std::uint64_t c) { set(x, V::constant(W::constant(c))); }
    void assign(Var x, Var y) { set(x, get(y)); }
    void apply(AluSpec op, Var x, Var y) { set(x, V::alu(op, get(x), get(y))); }
    void apply(AluSpec op, Var x, std::uint64_t c) {
        set(x, V::alu(op, get(x), V::constant(W::constant(c))));
    }
    void endian(EndianKind k, unsigned bits, Var x) { set(x, V::endian(k, bits, get(x))); }
    /// Meets with the branch side; when x and y are the same variable both refinements apply.
    void assume(Branch br, Var x, Var y) {
        if (bottom_) return;
        auto [a, b] = V::assume(br, get(x), get(y));
        if (x == y) a.meet_with(b);
        set(x, a);
        if (x != y) set(y, b);
    }
    void assume(Branch br, Var x, std::uint64_t c) {
        if (bottom_) return;
        auto [a, b] = V::assume(br, get(x), V::constant(W::constant(c)));
        if (b.is_bottom()) {
            *this = bottom();
            return;
        }
        set(x, a);
    }

    [[nodiscard]] Interval<W> interval(Var x) const { return project_interval(get(x)); }
    [[nodiscard]] Tnum<W> tnum(Var x) const { return project_tnum(get(x)); }

  private:
    enum class Op { Join, Meet, Widen, Narrow };

    [[nodiscard]] NonRelational combine(const NonRelational& o, Op op) const {
        if (bottom_) return op == Op::Meet || op == Op::Narrow ? *this : o;
        if (o.bottom_) return op == Op::Meet ? o : *this;
        NonRelational r;
        const std::size_t n = std::max(values_.size(), o.values_.size());
        r.values_.resize(n, V::top());
        for (std::size_t i = 0; i < n; ++i) {
            const V a = get(static_cast<Var>(i)), b = o.get(static_cast<Var>(i));
            switch (op) {
                case Op::Join:
                    r.values_[i] = a.join(b);
                    break;
                case Op::Meet:
                    r.values_[i] = a.meet(b);
                    break;
                case Op::Widen:
                    r.values_[i] = a.widen(b);
                    break;
                case Op::Narrow:
                    r.values_[i] = a.narrow(b);
                    break;
            }
            if (r.values_[i].is_bottom()) return bottom();
        }
        return r;
    }

    std::vector<V> values_;
    bool bottom_ = false;
};

}  // namespace bpflab::dom
