// SPDX-License-Identifier: Apache-2.0
// bpflab: how the prover builds and prints the project's value domains (DomainFields), and
// the names under which `bpflab prove` offers them.
#pragma once

#include <string>

#include "domains/interval.hpp"
#include "domains/kernel.hpp"
#include "domains/tnum.hpp"
#include "solvers/prove.hpp"

namespace bpflab::prove {

/// A tnum is any pair (value, mask); the proof excludes only bottom.
template <class W, dom::TnumMul M>
struct DomainFields<dom::Tnum<W, M>> {
    using V = dom::Tnum<W, M>;
    template <class Src>
    static V make(Src& src) {
        auto v = src.template word<W::kBits>("value");
        auto m = src.template word<W::kBits>("mask");
        return V(v, m);
    }
    static std::string describe(const V& t) {
        if (t.is_bottom()) return "bottom";
        return "(value=" + hex(t.value.raw()) + ";mask=" + hex(t.mask.raw()) + ")";
    }
};

/// An interval product is any four ranges, reduced or not; the proof excludes only bottom.
template <class W>
struct DomainFields<dom::Interval<W>> {
    using V = dom::Interval<W>;
    static constexpr unsigned kHalf = W::kBits / 2;
    template <class Src>
    static V make(Src& src) {
        auto ulo = src.template word<W::kBits>("umin");
        auto uhi = src.template word<W::kBits>("umax");
        auto slo = src.template word<W::kBits>("smin");
        auto shi = src.template word<W::kBits>("smax");
        auto hulo = src.template word<kHalf>("u32min");
        auto huhi = src.template word<kHalf>("u32max");
        auto hslo = src.template word<kHalf>("s32min");
        auto hshi = src.template word<kHalf>("s32max");
        return V(typename V::U(ulo, uhi), typename V::S(slo, shi), typename V::HU(hulo, huhi),
                 typename V::HS(hslo, hshi));
    }
    static std::string describe(const V& i) {
        if (i.is_bottom()) return "bottom";
        const auto range = [](const auto& r, bool is_signed) {
            if (is_signed)
                return "[" + std::to_string(r.lo().sraw()) + ", " + std::to_string(r.hi().sraw()) +
                       "]";
            return "[" + hex(r.lo().raw()) + ", " + hex(r.hi().raw()) + "]";
        };
        return "u=" + range(i.u(), false) + " s=" + range(i.s(), true) +
               " u32=" + range(i.u32(), false) + " s32=" + range(i.s32(), true);
    }
};

/// A kernel scalar is any tnum and any interval product, synchronised or not.
template <class W, int R>
struct DomainFields<dom::KernelScalar<W, R>> {
    using V = dom::KernelScalar<W, R>;
    template <class Src>
    static V make(Src& src) {
        auto t = DomainFields<typename V::T>::make(src);
        auto i = DomainFields<typename V::I>::make(src);
        return V(t, i);
    }
    static std::string describe(const V& k) {
        if (k.is_bottom()) return "bottom";
        return "tnum " + DomainFields<typename V::T>::describe(k.tnum()) + " " +
               DomainFields<typename V::I>::describe(k.interval());
    }
};

/// The domain templates by registry name (one parameter each, as prove_operation takes).
template <class W>
using TnumCgo2022 = dom::Tnum<W, dom::TnumMul::Cgo2022>;
template <class W>
using TnumKernel2017 = dom::Tnum<W, dom::TnumMul::Kernel2017>;
template <class W>
using TnumUnion2025 = dom::Tnum<W, dom::TnumMul::Union2025>;
template <class W>
using IntervalDomain = dom::Interval<W>;
template <class W>
using KernelFixpoint = dom::KernelScalar<W, 0>;
template <class W>
using KernelFixedRounds = dom::KernelScalar<W, dom::kKernelSyncRounds>;

/// Entries of the catalogue, one translation unit per domain family.
[[nodiscard]] DomainEntry tnum_entry();
[[nodiscard]] DomainEntry tnum_mul2017_entry();
[[nodiscard]] DomainEntry tnum_mul2025_entry();
[[nodiscard]] DomainEntry interval_entry();
[[nodiscard]] DomainEntry kernel_entry();
[[nodiscard]] DomainEntry kernel_fixed_rounds_entry();

}  // namespace bpflab::prove
