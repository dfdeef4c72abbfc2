// SPDX-License-Identifier: Apache-2.0
// bpflab: unsigned range rules for the zone state's projections (sound, simple, exact when no
// wrap-around is possible).
#include "domains/zone/urange.hpp"

#include <algorithm>
#include <bit>
#include <utility>

#include "core/semantics.hpp"

namespace bpflab::dom::zone {
namespace {

using U64 = std::uint64_t;
__extension__ typedef unsigned __int128 UWide;

// All ranges below live at width w (32 or 64): values in [0, max].
struct Width {
    unsigned bits;
    U64 max;
    [[nodiscard]] URange top() const { return {0, max}; }
    [[nodiscard]] U64 smax() const { return max >> 1; }
    [[nodiscard]] UWide modulus() const { return UWide{max} + 1; }
};

// The low `w.bits` of every x ∈ a: exact when a does not cross a multiple of 2^w.
URange truncate(URange a, Width w) {
    if (w.bits == 64) return a;
    if ((a.lo >> w.bits) == (a.hi >> w.bits)) return {a.lo & w.max, a.hi & w.max};
    return w.top();
}

U64 smear(U64 x) {
    return x == 0 ? 0 : ~U64{0} >> std::countl_zero(x);
}

// Shift amounts after masking with w - 1.
URange shift_amounts(URange b, Width w) {
    if (b.hi <= w.bits - 1) return b;
    return {0, w.bits - 1};
}

// Sign extension of the low `from` bits to width w, for every x ∈ a (a within width w).
URange sign_extend_range(URange a, unsigned from, Width w) {
    if (from == 0 || from >= w.bits) return a;
    const U64 low_mask = (U64{1} << from) - 1, half = U64{1} << (from - 1);
    a = truncate(a, Width{from, low_mask});
    if (a.hi < half) return a;  // non-negative: unchanged
    if (a.lo >= half) {         // negative: the high bits fill with ones
        const U64 fill = w.max & ~low_mask;
        return {a.lo | fill, a.hi | fill};
    }
    return w.top();
}

URange alu_at(AluOp op, URange a, URange b, unsigned sx, Width w) {
    const UWide m = w.modulus();
    switch (op) {
        case AluOp::Add: {
            const UWide lo = UWide{a.lo} + b.lo, hi = UWide{a.hi} + b.hi;
            if (hi < m) return {static_cast<U64>(lo), static_cast<U64>(hi)};
            if (lo >= m) return {static_cast<U64>(lo - m), static_cast<U64>(hi - m)};
            return w.top();
        }
        case AluOp::Sub: {
            if (a.lo >= b.hi) return {a.lo - b.hi, a.hi - b.lo};
            if (a.hi < b.lo)  // every difference is negative: wraps once, uniformly
                return {static_cast<U64>(m - (b.hi - a.lo)), static_cast<U64>(m - (b.lo - a.hi))};
            return w.top();
        }
        case AluOp::Mul: {
            const UWide hi = UWide{a.hi} * b.hi;
            if (hi <= w.max) return {a.lo * b.lo, static_cast<U64>(hi)};
            return w.top();
        }
        case AluOp::Div: {  // x / 0 = 0
            if (b.hi == 0) return {0, 0};
            const U64 lo = b.lo == 0 ? 0 : a.lo / b.hi;
            return {lo, a.hi / std::max<U64>(b.lo, 1)};
        }
        case AluOp::Mod: {  // x % 0 = x; x % y <= min(x, y - 1)
            if (b.lo > a.hi) return a;
            if (b.lo == 0) return {0, a.hi};
            return {0, std::min(a.hi, b.hi - 1)};
        }
        case AluOp::SDiv:
        case AluOp::SMod:  // with both operands non-negative as signed, the unsigned rules apply
            if (a.hi <= w.smax() && b.hi <= w.smax())
                return alu_at(op == AluOp::SDiv ? AluOp::Div : AluOp::Mod, a, b, sx, w);
            return w.top();
        case AluOp::And:
            return {0, std::min(a.hi, b.hi)};
        case AluOp::Or:
            return {std::max(a.lo, b.lo), smear(a.hi | b.hi)};
        case AluOp::Xor:
            return {0, smear(a.hi | b.hi)};
        case AluOp::Lsh: {
            const URange s = shift_amounts(b, w);
            if (a.hi > (w.max >> s.hi)) return w.top();
            return {a.lo << s.lo, a.hi << s.hi};
        }
        case AluOp::Rsh: {
            const URange s = shift_amounts(b, w);
            return {a.lo >> s.hi, a.hi >> s.lo};
        }
        case AluOp::Arsh:  // non-negative values shift like Rsh
            if (a.hi <= w.smax()) return alu_at(AluOp::Rsh, a, b, sx, w);
            return w.top();
        case AluOp::Neg:
            if (a.hi == 0) return {0, 0};
            if (a.lo >= 1) return {static_cast<U64>(m - a.hi), static_cast<U64>(m - a.lo)};
            return w.top();
        case AluOp::Mov:
            return b;
        case AluOp::MovSx:
            return sign_extend_range(b, sx, w);
    }
    return w.top();
}

}  // namespace

URange alu_range(const AluSpec& op, URange a, URange b) {
    if (op.is64) return alu_at(op.op, a, b, op.sx_bits, Width{64, ~U64{0}});
    const Width w{32, 0xffff'ffff};
    return alu_at(op.op, truncate(a, w), truncate(b, w), op.sx_bits, w);  // zero-extended
}

URange endian_range(EndianKind k, unsigned bits, URange a) {
    if (a.is_const()) return URange::constant(sem::endian(k, bits, a.lo));
    const U64 max = bits >= 64 ? ~U64{0} : (U64{1} << bits) - 1;
    if (k == EndianKind::ToLe) return truncate(a, Width{bits, max});
    return {0, max};
}

namespace {

// x < y, x <= y on ranges at one order (values already mapped into that order's integers).
template <class T>
bool refine_lt(T& alo, T& ahi, T& blo, T& bhi, bool strict) {
    const T d = strict ? 1 : 0;
    if (strict && bhi == std::numeric_limits<T>::min()) return false;
    if (strict && alo == std::numeric_limits<T>::max()) return false;
    ahi = std::min<T>(ahi, static_cast<T>(bhi - d));
    blo = std::max<T>(blo, static_cast<T>(alo + d));
    return alo <= ahi && blo <= bhi;
}

// Unsigned-order refinement of a `cond` b at width w (ranges within [0, w.max]).
bool assume_unsigned(Cond c, URange& a, URange& b) {
    switch (c) {
        case Cond::Eq: {
            const URange m = a.meet(b);
            a = b = m;
            return !m.empty();
        }
        case Cond::Ne:
            if (a.is_const() && b.is_const()) return a.lo != b.lo;
            if (b.is_const()) {
                if (a.lo == b.lo)
                    ++a.lo;
                else if (a.hi == b.lo)
                    --a.hi;
            } else if (a.is_const()) {
                if (b.lo == a.lo)
                    ++b.lo;
                else if (b.hi == a.lo)
                    --b.hi;
            }
            return true;
        case Cond::Lt:
            return refine_lt<U64>(a.lo, a.hi, b.lo, b.hi, true);
        case Cond::Le:
            return refine_lt<U64>(a.lo, a.hi, b.lo, b.hi, false);
        case Cond::Gt:
            return refine_lt<U64>(b.lo, b.hi, a.lo, a.hi, true);
        case Cond::Ge:
            return refine_lt<U64>(b.lo, b.hi, a.lo, a.hi, false);
        default:
            return true;
    }
}

// Signed comparisons at width w: ranges that stay on one side of the sign boundary are read as
// signed intervals, refined, and mapped back; a range crossing it is read as the full range.
bool assume_signed(Cond c, URange& a, URange& b, Width w) {
    using S = std::int64_t;
    const U64 sign = U64{1} << (w.bits - 1);
    auto to_signed = [&](URange r, S& lo, S& hi) {
        const bool neg_lo = r.lo >= sign, neg_hi = r.hi >= sign;
        if (neg_lo != neg_hi) {
            lo = -static_cast<S>(sign - 1) - 1;
            hi = static_cast<S>(sign - 1);
            return;
        }
        auto s = [&](U64 v) {
            return v >= sign ? -static_cast<S>(w.max - v) - 1 : static_cast<S>(v);
        };
        lo = s(r.lo);
        hi = s(r.hi);
    };
    auto back = [&](URange& r, S lo, S hi) {
        if ((lo < 0) != (hi < 0)) return;  // not one unsigned interval: keep r
        auto u = [&](S v) {
            return v < 0 ? w.max - static_cast<U64>(-(v + 1)) : static_cast<U64>(v);
        };
        r = r.meet({u(lo), u(hi)});
    };
    S alo, ahi, blo, bhi;
    to_signed(a, alo, ahi);
    to_signed(b, blo, bhi);
    bool ok = true;
    switch (c) {
        case Cond::Slt:
            ok = refine_lt<S>(alo, ahi, blo, bhi, true);
            break;
        case Cond::Sle:
            ok = refine_lt<S>(alo, ahi, blo, bhi, false);
            break;
        case Cond::Sgt:
            ok = refine_lt<S>(blo, bhi, alo, ahi, true);
            break;
        case Cond::Sge:
            ok = refine_lt<S>(blo, bhi, alo, ahi, false);
            break;
        default:
            return true;
    }
    if (!ok) return false;
    back(a, alo, ahi);
    back(b, blo, bhi);
    return !a.empty() && !b.empty();
}

}  // namespace

bool assume_range(const Branch& br, URange& a, URange& b) {
    if (br.cond == Cond::Set) {
        if (br.holds) {  // a & b != 0 (at either width): neither word is 0
            if (a.hi == 0 || b.hi == 0) return false;
            a.lo = std::max<U64>(a.lo, 1);
            b.lo = std::max<U64>(b.lo, 1);
            return true;
        }
        if (a.is_const() && b.is_const()) {
            const U64 mask = br.is32 ? 0xffff'ffff : ~U64{0};
            return (a.lo & b.lo & mask) == 0;
        }
        return true;
    }
    const Cond c = br.holds ? br.cond : sem::negate(br.cond);
    const Width w = br.is32 ? Width{32, 0xffff'ffff} : Width{64, ~U64{0}};
    if (br.is32 && (a.hi > w.max || b.hi > w.max)) {
        // Only constant pairs are decided: compare their low halves.
        if (a.is_const() && b.is_const())
            return sem::compare<std::uint32_t>(c, static_cast<std::uint32_t>(a.lo),
                                               static_cast<std::uint32_t>(b.lo));
        return true;
    }
    switch (c) {
        case Cond::Sgt:
        case Cond::Sge:
        case Cond::Slt:
        case Cond::Sle:
            return assume_signed(c, a, b, w);
        default:
            return assume_unsigned(c, a, b);
    }
}

}  // namespace bpflab::dom::zone
