// SPDX-License-Identifier: Apache-2.0
// bpflab: modular soundness proofs — a composed transfer function proved through obligations
// on its parts (the interval product's unreduced transfer and its reduction; the kernel
// product's components and synchronisation steps), each a small Z3 query on the code that runs.
//
// Composition (docs/proofs.md, "Modular proofs"): if γ(a) op γ(b) ⊆ γ(f(a, b)) and
// γ(v) ⊆ γ(g(v)) for every v, then γ(a) op γ(b) ⊆ γ(g(f(a, b))); a step that preserves γ
// preserves it over any number of rounds (induction), so the kernel's fixed-round and fixed-point
// synchronisations are proved by the same step obligations, without unrolling. A bottom check
// that replaces a value by bottom is sound when bottom values are empty (an obligation too).
#pragma once

#include <z3++.h>

#include <chrono>
#include <exception>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "core/semantics.hpp"
#include "core/word.hpp"
#include "solvers/prove.hpp"
#include "solvers/prove_domains.hpp"
#include "solvers/z3_word.hpp"

namespace bpflab::prove::modular {

/// The model values of the words `src` made, in order.
[[nodiscard]] inline std::vector<Field> model_fields(const z3::model& model,
                                                     const detail::SymSource& src) {
    std::vector<Field> out;
    for (const auto& [field, term] : src.made) {
        Field f = field;
        const z3::expr v = model.eval(term, true).simplify();
        Z3_get_numeral_uint64(v.ctx(), v, &f.value);
        out.push_back(f);
    }
    return out;
}

/// Runs `body(ob)` with a fresh Z3 context installed for the thread, timed; Z3 exceptions
/// become Error.
template <class Body>
[[nodiscard]] Obligation run(std::string name, Body&& body) {
    Obligation ob;
    ob.name = std::move(name);
    const auto start = std::chrono::steady_clock::now();
    try {
        z3::context ctx;
        const smt::ContextScope scope(ctx);
        body(ob);
    } catch (const z3::exception& e) {
        ob.verdict = Verdict::Error;
        ob.message = e.msg();
    }
    ob.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return ob;
}

/// Checks `base ∧ part` for each part (a fresh QF_BV solver each: the non-incremental
/// bit-blaster); stops at the first sat part and hands its model and index to `on_sat`.
/// Proved when every part is unsat, Timeout when some part is unknown and none is sat.
template <class OnSat>
void check_parts(Obligation& ob, const ProveOptions& options, const z3::expr& base,
                 const std::vector<z3::expr>& parts, OnSat&& on_sat) {
    ob.verdict = Verdict::Proved;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        z3::solver solver(base.ctx(), "QF_BV");
        z3::params params(base.ctx());
        params.set("timeout", options.timeout_ms);
        solver.set(params);
        solver.add(base);
        solver.add(parts[i]);
        switch (solver.check()) {
            case z3::unsat:
                break;
            case z3::sat:
                ob.verdict = Verdict::Counterexample;
                on_sat(solver.get_model(), i);
                return;
            case z3::unknown:
                ob.verdict = Verdict::Timeout;
                ob.message = "part " + std::to_string(i) + ": " + solver.reason_unknown();
                break;
        }
    }
}

/// Obligations answered earlier in this process, by key: a row reuses the answer of the same
/// query (the same code, operation, width and timeout) instead of asking Z3 again.
[[nodiscard]] inline Obligation cached(const std::string& key,
                                       const std::function<Obligation()>& compute) {
    static std::mutex lock;
    static std::map<std::string, std::shared_future<Obligation>> answers;
    std::promise<Obligation> promise;
    std::shared_future<Obligation> future;
    bool mine = false;
    {
        const std::lock_guard<std::mutex> guard(lock);
        const auto it = answers.find(key);
        if (it == answers.end()) {
            future = promise.get_future().share();
            answers.emplace(key, future);
            mine = true;
        } else {
            future = it->second;
        }
    }
    if (mine) {
        try {
            Obligation ob = compute();
            promise.set_value(ob);
            return ob;
        } catch (...) {
            promise.set_exception(std::current_exception());
            throw;
        }
    }
    Obligation ob = future.get();
    ob.reused = true;
    return ob;
}

/// The cache key of an obligation on domain template D.
template <template <class> class D>
[[nodiscard]] std::string key(std::string_view what, std::string_view op, unsigned width,
                              const ProveOptions& options) {
    return std::string(typeid(D<Bits<8>>).name()) + "|" + std::string(what) + "|" +
           std::string(op) + "|" + std::to_string(width) + "|" + std::to_string(options.timeout_ms);
}

/// A tnum-like D (value, mask) and an ALU operation: the whole query split by the result bit
/// — bit i of (z & ~mask) ^ value is set, for each i < N, whose disjunction is exactly
/// "z ∉ γ(result)". Each query sees only the carries into bit i.
template <template <class> class D, unsigned N>
[[nodiscard]] Obligation whole_by_bit(const Operation& op, const ProveOptions& options,
                                      const std::string& name) {
    return run(name + "[split by result bit]", [&](Obligation& ob) {
        using W = smt::SymBits<N>;
        using V = D<W>;
        detail::SymSource sa{"a.", {}}, sb{"b.", {}};
        const V a = DomainFields<V>::make(sa);
        const V b = DomainFields<V>::make(sb);
        const W x = W::fresh("x"), y = W::fresh("y");
        const z3::expr base = detail::truth(a.well_formed() && !a.is_bottom() && a.contains(x)) &&
                              detail::truth(b.well_formed() && !b.is_bottom() && b.contains(y));
        const V r = V::alu(op.alu, a, b);
        const W z = sem::alu_reg_word<W>(op.alu.op, op.alu.is64, x, y, op.alu.sx_bits);
        const W diff = (z & ~r.mask) ^ r.value;
        std::vector<z3::expr> parts;
        for (unsigned i = 0; i < N; ++i)
            parts.push_back(diff.expr().extract(i, i) == base.ctx().bv_val(1, 1));
        check_parts(ob, options, base, parts, [&](const z3::model& m, std::size_t) {
            ob.model = decode<D, N>(op, m, sa, sb, x, y);
        });
    });
}

/// The shift of a tnum-like T (at B bits) by every amount (T::shift_by, a fold of
/// T::shift_step over k < B from bottom), proved per step with a symbolic accumulator acc:
///   member k: x ∈ γ(a), y ∈ γ(b), y & (B - 1) = k  ⇒  shift(x, y) ∈ γ(step_k(acc, a, b));
///   keep k:   w ∈ γ(acc)                          ⇒  w ∈ γ(step_k(acc, a, b)).
/// By induction over the fold, the step for y's amount puts shift(x, y) in and the later ones
/// keep it: the fold's result contains every shift. 2B queries, each on one constant shift.
/// A member counterexample at the operation's width is decoded as inputs (`decode_member`).
template <class T, unsigned B, class OnMember>
void shift_steps(Obligation& ob, AluOp op, const ProveOptions& options, OnMember&& decode_member) {
    using W = smt::SymBits<B>;
    const auto shift = [op](const T& t, unsigned k) {
        return op == AluOp::Lsh   ? T::lshift(t, k)
               : op == AluOp::Rsh ? T::rshift(t, k)
                                  : T::arshift(t, k);
    };
    detail::SymSource sa{"a.", {}}, sb{"b.", {}}, sc{"acc.", {}};
    const T a = DomainFields<T>::make(sa);
    const T b = DomainFields<T>::make(sb);
    const T acc = DomainFields<T>::make(sc);
    const W x = W::fresh("x"), y = W::fresh("y"), w = W::fresh("w");
    const W z = sem::alu_reg_word<W>(op, true, x, y, 0);
    const z3::expr inputs = detail::truth(a.contains(x) && b.contains(y));
    ob.verdict = Verdict::Proved;
    for (unsigned k = 0; k < B && ob.verdict != Verdict::Counterexample; ++k) {
        const T r = T::shift_step(acc, a, b, k, shift);
        const z3::expr member = inputs && ((y & W::constant(B - 1)) == W::constant(k)).expr() &&
                                (!r.contains(z)).expr();
        const z3::expr keep = detail::truth(acc.contains(w)) && (!r.contains(w)).expr();
        check_parts(ob, options, member, {member.ctx().bool_val(true)},
                    [&](const z3::model& m, std::size_t) { decode_member(m, sa, sb, x, y); });
        if (ob.verdict == Verdict::Counterexample) {
            ob.message = "member step ";
            ob.message += std::to_string(k);
            return;
        }
        const Verdict before = ob.verdict;
        check_parts(ob, options, keep, {keep.ctx().bool_val(true)},
                    [&](const z3::model&, std::size_t) {});
        if (ob.verdict == Verdict::Counterexample) {
            ob.message = "keep step ";
            ob.message += std::to_string(k);
            ob.message += " (not an input of the operation)";
            return;
        }
        if (before == Verdict::Timeout) ob.verdict = Verdict::Timeout;
    }
}

/// The whole operation on domain D (prove_operation's query), as one obligation. Shifts by an
/// abstract amount of a tnum-like D go by steps (`shift_steps`): the 64-bit form on D, the
/// 32-bit form on D's half-width tnum plus its wrapper (low halves in, zero-extension out).
template <template <class> class D, unsigned N>
[[nodiscard]] Obligation whole(const Operation& op, const ProveOptions& options,
                               const std::string& name) {
    const bool shift =
        op.kind == Kind::Alu &&
        (op.alu.op == AluOp::Lsh || op.alu.op == AluOp::Rsh || op.alu.op == AluOp::Arsh);
    if constexpr (requires(const D<Bits<N>>& t) { t.mask; }) {
        if (op.kind == Kind::Alu && (op.alu.op == AluOp::Sub || op.alu.op == AluOp::Mul))
            return whole_by_bit<D, N>(op, options, name);
        if (shift && op.alu.is64)
            return run(name + "[by steps]", [&](Obligation& ob) {
                shift_steps<D<smt::SymBits<N>>, N>(
                    ob, op.alu.op, options,
                    [&](const z3::model& m, detail::SymSource& sa, detail::SymSource& sb,
                        const smt::SymBits<N>& x, const smt::SymBits<N>& y) {
                        ob.model = decode<D, N>(op, m, sa, sb, x, y);
                    });
            });
        if (shift)
            return run(name + "[by steps, low halves]", [&](Obligation& ob) {
                using V = D<smt::SymBits<N>>;
                using H = typename V::HalfTnum;
                using W = smt::SymBits<N>;
                using WH = smt::SymBits<N / 2>;
                // The wrapper: any half tnum h holding the half-width shift of the low halves
                // gives, zero-extended, the 32-bit result; the low halves hold the low words.
                detail::SymSource sa{"a.", {}}, sb{"b.", {}}, sh{"h.", {}};
                const V a = DomainFields<V>::make(sa);
                const V b = DomainFields<V>::make(sb);
                const H h = DomainFields<H>::make(sh);
                const W x = W::fresh("x"), y = W::fresh("y");
                const WH xl = trunc<N / 2>(x), yl = trunc<N / 2>(y);
                const z3::expr inputs = detail::truth(a.contains(x) && b.contains(y));
                const z3::expr bad =
                    inputs &&
                    (!a.low().contains(xl) || !b.low().contains(yl) ||
                     (h.contains(sem::alu_reg_word<WH>(op.alu.op, true, xl, yl, 0)) &&
                      !V::zext_half(h).contains(sem::alu_reg_word<W>(op.alu.op, false, x, y, 0))))
                        .expr();
                check_parts(ob, options, bad, {bad.ctx().bool_val(true)},
                            [&](const z3::model& m, std::size_t) {
                                ob.model = decode<D, N>(op, m, sa, sb, x, y);
                            });
                if (ob.verdict != Verdict::Proved) {
                    ob.message = "wrapper: " + ob.message;
                    return;
                }
                shift_steps<H, N / 2>(ob, op.alu.op, options,
                                      [](const z3::model&, detail::SymSource&, detail::SymSource&,
                                         const WH&, const WH&) {});
            });
    }
    const Outcome o = prove_operation<D, N>(op, options);
    Obligation ob;
    ob.name = name;
    ob.verdict = o.verdict;
    ob.seconds = o.seconds;
    ob.message = o.message;
    ob.model = o.counterexample;
    return ob;
}

/// The four views of an interval-like value, each as "does not contain z".
template <class V, class W>
void views_missing(std::vector<z3::expr>& parts, const z3::expr& guard, const V& r, const W& z) {
    const auto h = trunc<W::kBits / 2>(z);
    parts.push_back(guard && (!r.u().contains(z)).expr());
    parts.push_back(guard && (!r.s().contains(z)).expr());
    parts.push_back(guard && (!r.u32().contains(h)).expr());
    parts.push_back(guard && (!r.s32().contains(h)).expr());
}

/// Interval-like D: the transfer before the reduction is sound — op(x, y) lies in every view
/// of alu_unreduced / endian_unreduced; for a branch side, x and y lie in every view of both
/// operands assume_unreduced returns. One query per view.
template <template <class> class D, unsigned N>
[[nodiscard]] Obligation interval_transfer(const Operation& op, const ProveOptions& options,
                                           const std::string& name) {
    return run(name, [&](Obligation& ob) {
        using W = smt::SymBits<N>;
        using V = D<W>;
        z3::context& ctx = smt::ContextScope::current();
        detail::SymSource sa{"a.", {}}, sb{"b.", {}};
        const V a = DomainFields<V>::make(sa);
        const V b = DomainFields<V>::make(sb);
        const W x = W::fresh("x"), y = W::fresh("y");
        const z3::expr base = detail::truth(a.well_formed() && !a.is_bottom() && a.contains(x)) &&
                              detail::truth(b.well_formed() && !b.is_bottom() && b.contains(y));
        std::vector<z3::expr> parts;
        switch (op.kind) {
            case Kind::Alu:
                views_missing(parts, ctx.bool_val(true), V::alu_unreduced(op.alu, a, b),
                              sem::alu_reg_word<W>(op.alu.op, op.alu.is64, x, y, op.alu.sx_bits));
                break;
            case Kind::Endian:
                views_missing(parts, ctx.bool_val(true),
                              V::endian_unreduced(op.endian, op.endian_bits, a),
                              sem::endian_word<W>(op.endian, op.endian_bits, x));
                break;
            case Kind::Assume: {
                const auto [ra, rb] = V::assume_unreduced(op.branch, a, b);
                const auto taken = sem::jump_word<W>(op.branch.cond, op.branch.is32, x, y);
                const z3::expr side = (op.branch.holds ? taken : !taken).expr();
                views_missing(parts, side, ra, x);
                views_missing(parts, side, rb, y);
                break;
            }
        }
        check_parts(ob, options, base, parts, [&](const z3::model& m, std::size_t) {
            Counterexample c;
            c.a_fields = model_fields(m, sa);
            c.b_fields = model_fields(m, sb);
            c.x = smt::evaluate(m, x);
            c.y = smt::evaluate(m, y);
            ob.model = std::move(c);
        });
    });
}

/// A state obligation: for every value v of V = D<W> and w ∈ γ(v), `bad(v, w)` is false
/// (bad = "w is lost by the step", or "v is bottom" for the emptiness of bottom values).
/// `split(v, w)`, when given, returns parts whose disjunction is bad(v, w) (one query each).
template <template <class> class D, unsigned N, class Bad, class Split = std::nullptr_t>
[[nodiscard]] Obligation state(const ProveOptions& options, const std::string& name, Bad bad,
                               Split split = nullptr) {
    return run(name, [&](Obligation& ob) {
        using W = smt::SymBits<N>;
        using V = D<W>;
        detail::SymSource sv{"v.", {}};
        const V v = DomainFields<V>::make(sv);
        const W w = W::fresh("w");
        const z3::expr base = detail::truth(v.well_formed() && v.contains(w));
        std::vector<z3::expr> parts;
        if constexpr (std::is_same_v<Split, std::nullptr_t>)
            parts.push_back(detail::truth(bad(v, w)));
        else
            parts = split(v, w);
        check_parts(ob, options, base, parts, [&](const z3::model& m, std::size_t) {
            using M = D<Bits<N>>;
            Counterexample c;
            c.a_fields = model_fields(m, sv);
            c.x = smt::evaluate(m, w);
            detail::ValueSource src{&c.a_fields};
            const M mv = DomainFields<M>::make(src);
            const Bits<N> mw(c.x);
            c.a = DomainFields<M>::describe(mv);
            c.confirmed_by_domain = mv.well_formed() && mv.contains(mw) && bad(mv, mw);
            c.replay_note = "state obligation: v = a, w = x";
            ob.model = std::move(c);
        });
    });
}

/// The soundness obligations of the steps that build an interval-like result.
struct StepBad {
    /// The interval reduction's steps keep every member (reduced() composes them, then the
    /// bottom rule, which bottom_empty covers).
    static constexpr auto reduce_exchange = [](const auto& v, const auto& w) {
        return !v.reduce_exchange(v).contains(w);
    };
    static constexpr auto reduce_to_half = [](const auto& v, const auto& w) {
        return !v.reduce_to_half(v).contains(w);
    };
    static constexpr auto reduce_from_half = [](const auto& v, const auto& w) {
        return !v.reduce_from_half(v).contains(w);
    };
    /// Bottom values are empty.
    static constexpr auto bottom_empty = [](const auto& v, const auto& /*w*/) {
        return v.is_bottom();
    };
    /// The kernel's bounds ← tnum step keeps every member.
    static constexpr auto bounds_from_tnum = [](const auto& v, const auto& w) {
        using K = std::remove_cvref_t<decltype(v)>;
        return !K(v.tnum(), K::bounds_from_tnum(v.tnum(), v.interval())).contains(w);
    };
    /// bounds_from_tnum split by view: the step keeps the tnum, so w is lost exactly when one
    /// of the four bounds views misses it.
    static constexpr auto bounds_from_tnum_views = [](const auto& v, const auto& w) {
        using K = std::remove_cvref_t<decltype(v)>;
        std::vector<z3::expr> parts;
        views_missing(parts, w.expr().ctx().bool_val(true),
                      K::bounds_from_tnum(v.tnum(), v.interval()), w);
        return parts;
    };
    /// The kernel's tnum ← bounds step keeps every member.
    static constexpr auto tnum_from_bounds = [](const auto& v, const auto& w) {
        using K = std::remove_cvref_t<decltype(v)>;
        return !K(K::tnum_from_bounds(v.tnum(), v.interval()), v.interval()).contains(w);
    };
};

/// Inputs of a row's composed operator: the representations of a and b, and x, y.
struct Inputs {
    std::vector<Field> a, b;
    std::uint64_t x = 0, y = 0;
};
/// How an obligation's model becomes inputs of the row's operator (nullopt: it does not).
using Lift = std::function<std::optional<Inputs>(const Counterexample&)>;

/// One obligation of a row and its lift (empty for a state obligation the row cannot map).
struct Part {
    Obligation ob;
    Lift lift;
};

/// Combines a row's obligations: proved when all are; a counterexample when an obligation's
/// model, replayed on the composed operator of D, violates it; counterexample_in_part when an
/// obligation failed but its model does not break the composed operator; else error, then
/// timeout.
template <template <class> class D, unsigned N>
[[nodiscard]] Outcome combine(const Operation& op, std::vector<Part> parts) {
    Outcome out;
    out.verdict = Verdict::Proved;
    bool error = false, timeout = false, part_cx = false, confirmed = false;
    for (Part& p : parts) {
        out.seconds += p.ob.seconds;
        if (p.ob.verdict == Verdict::Error) error = true;
        if (p.ob.verdict == Verdict::Timeout) timeout = true;
        if (p.ob.verdict == Verdict::Counterexample ||
            p.ob.verdict == Verdict::PartCounterexample) {
            if (!p.ob.model) {
                part_cx = true;
            } else if (auto in = p.lift ? p.lift(*p.ob.model) : std::nullopt) {
                Counterexample c =
                    replay_values<D, N>(op, std::move(in->a), std::move(in->b), in->x, in->y);
                if (c.confirmed_by_domain && !confirmed) {
                    confirmed = true;
                    out.counterexample = std::move(c);
                } else if (!confirmed) {
                    part_cx = true;
                    if (!out.counterexample) out.counterexample = std::move(c);
                }
            } else {
                part_cx = true;
                if (!confirmed && !out.counterexample) out.counterexample = p.ob.model;
            }
        }
        if (!p.ob.message.empty() && p.ob.verdict != Verdict::Proved)
            out.message += (out.message.empty() ? "" : "; ") + p.ob.name + ": " + p.ob.message;
        out.obligations.push_back(std::move(p.ob));
    }
    if (confirmed)
        out.verdict = Verdict::Counterexample;
    else if (part_cx)
        out.verdict = Verdict::PartCounterexample;
    else if (error)
        out.verdict = Verdict::Error;
    else if (timeout)
        out.verdict = Verdict::Timeout;
    return out;
}

/// The fields of a top tnum and of a top interval product at width N (to complete a
/// component's model into a kernel value).
template <unsigned N>
[[nodiscard]] std::vector<Field> tnum_top_fields() {
    return {{"value", N, 0}, {"mask", N, Bits<N>::kMask}};
}
template <unsigned N>
[[nodiscard]] std::vector<Field> interval_top_fields() {
    constexpr unsigned H = N / 2;
    return {{"umin", N, 0},
            {"umax", N, Bits<N>::kMask},
            {"smin", N, Bits<N>::smin().raw()},
            {"smax", N, Bits<N>::smax().raw()},
            {"u32min", H, 0},
            {"u32max", H, Bits<H>::kMask},
            {"s32min", H, Bits<H>::smin().raw()},
            {"s32max", H, Bits<H>::smax().raw()}};
}

/// The identity lift: the model's inputs are the row domain's.
[[nodiscard]] inline std::optional<Inputs> same_inputs(const Counterexample& c) {
    return Inputs{c.a_fields, c.b_fields, c.x, c.y};
}

/// A state obligation's model (v, w) as inputs of `mov64` (b = v with the fields `wrap` adds,
/// y = w, a = `top`): a step that loses w from v may lose it from mov64's result too, which
/// the replay then decides. Other operations cannot be fed an arbitrary state.
[[nodiscard]] inline Lift state_as_mov(const Operation& op, std::vector<Field> top,
                                       std::function<std::vector<Field>(std::vector<Field>)> wrap) {
    if (op.kind != Kind::Alu || op.alu.op != AluOp::Mov || !op.alu.is64) return {};
    return [top = std::move(top), wrap = std::move(wrap)](const Counterexample& c) {
        return std::optional{Inputs{top, wrap(c.a_fields), 0, c.x}};
    };
}

/// A row of a domain proved whole (tnum): one obligation (shifts by steps).
template <template <class> class D, unsigned N>
[[nodiscard]] Outcome prove_whole_row(const Operation& op, const ProveOptions& options) {
    const std::string name = std::string(D<Bits<8>>::name()) + "." + op.name;
    Obligation ob = cached(key<D>("whole", op.name, N, options),
                           [&] { return whole<D, N>(op, options, name); });
    std::vector<Part> parts;
    parts.push_back({std::move(ob), same_inputs});
    return combine<D, N>(op, std::move(parts));
}

/// An interval-like row: the unreduced transfer, the reduction, and empty bottoms (the
/// transfer assumes non-bottom inputs; a branch replaces a side by bottom).
template <template <class> class D, unsigned N>
[[nodiscard]] Outcome prove_interval_row(const Operation& op, const ProveOptions& options) {
    std::vector<Part> parts;
    const std::string what = op.kind == Kind::Alu      ? "alu_unreduced"
                             : op.kind == Kind::Endian ? "endian_unreduced"
                                                       : "assume_unreduced";
    parts.push_back({cached(key<D>(what, op.name, N, options),
                            [&] {
                                return interval_transfer<D, N>(op, options,
                                                               "interval." + what + "." + op.name);
                            }),
                     same_inputs});
    const auto step = [&](const char* name, auto bad) {
        parts.push_back(
            {cached(key<D>(name, "", N, options), [&] { return state<D, N>(options, name, bad); }),
             state_as_mov(op, interval_top_fields<N>(), [](std::vector<Field> v) { return v; })});
    };
    step("interval.reduce_exchange", StepBad::reduce_exchange);
    step("interval.reduce_to_half", StepBad::reduce_to_half);
    step("interval.reduce_from_half", StepBad::reduce_from_half);
    parts.push_back(
        {cached(
             key<D>("bottom_empty", "", N, options),
             [&] { return state<D, N>(options, "interval.bottom_empty", StepBad::bottom_empty); }),
         {}});
    return combine<D, N>(op, std::move(parts));
}

/// A kernel-product row (K = KernelScalar<·, R>): the tnum's transfer (the tnum row's query),
/// the interval's unreduced transfer, the reduction, the two tnum/bounds steps, empty bottoms.
template <template <class> class K, unsigned N>
[[nodiscard]] Outcome prove_kernel_row(const Operation& op, const ProveOptions& options) {
    static_assert(std::is_same_v<typename K<Bits<8>>::T, TnumCgo2022<Bits<8>>> &&
                  std::is_same_v<typename K<Bits<8>>::I, IntervalDomain<Bits<8>>>);
    std::vector<Part> parts;
    // A component's fields completed by the other component's top: the kernel value whose
    // γ is the component's.
    const auto add_interval_top = [](std::vector<Field> t) {
        for (const Field& f : interval_top_fields<N>()) t.push_back(f);
        return t;
    };
    const auto add_tnum_top = [](std::vector<Field> i) {
        std::vector<Field> out = tnum_top_fields<N>();
        out.insert(out.end(), i.begin(), i.end());
        return out;
    };
    const Lift with_interval_top = [=](const Counterexample& c) {
        return std::optional{
            Inputs{add_interval_top(c.a_fields), add_interval_top(c.b_fields), c.x, c.y}};
    };
    const Lift with_tnum_top = [=](const Counterexample& c) {
        return std::optional{Inputs{add_tnum_top(c.a_fields), add_tnum_top(c.b_fields), c.x, c.y}};
    };
    std::vector<Field> top = tnum_top_fields<N>();
    for (const Field& f : interval_top_fields<N>()) top.push_back(f);
    const auto as_is = [](std::vector<Field> v) { return v; };
    const std::string tnum_name = "tnum." + op.name;
    parts.push_back({cached(key<TnumCgo2022>("whole", op.name, N, options),
                            [&] { return whole<TnumCgo2022, N>(op, options, tnum_name); }),
                     with_interval_top});
    // The interval row's transfer and reduction (its bottom rule is the kernel's below).
    Outcome interval_part = prove_interval_row<IntervalDomain, N>(op, options);
    parts.push_back({std::move(interval_part.obligations.at(0)), with_tnum_top});
    for (std::size_t i = 1; i <= 3; ++i)
        parts.push_back(
            {std::move(interval_part.obligations.at(i)), state_as_mov(op, top, add_tnum_top)});
    parts.push_back({cached(key<K>("bounds_from_tnum", "", N, options),
                            [&] {
                                return state<K, N>(options, "kernel.bounds_from_tnum",
                                                   StepBad::bounds_from_tnum,
                                                   StepBad::bounds_from_tnum_views);
                            }),
                     state_as_mov(op, top, as_is)});
    parts.push_back({cached(key<K>("tnum_from_bounds", "", N, options),
                            [&] {
                                return state<K, N>(options, "kernel.tnum_from_bounds",
                                                   StepBad::tnum_from_bounds);
                            }),
                     state_as_mov(op, top, as_is)});
    parts.push_back(
        {cached(key<K>("bottom_empty", "", N, options),
                [&] { return state<K, N>(options, "kernel.bottom_empty", StepBad::bottom_empty); }),
         {}});
    return combine<K, N>(op, std::move(parts));
}

/// Entries whose rows are proved by the functions above.
template <template <class> class D>
[[nodiscard]] DomainEntry whole_entry(std::string name) {
    return {std::move(name), &prove_whole_row<D, 8>, &prove_whole_row<D, 16>,
            &prove_whole_row<D, 32>, &prove_whole_row<D, 64>};
}
template <template <class> class D>
[[nodiscard]] DomainEntry interval_entry(std::string name) {
    return {std::move(name), &prove_interval_row<D, 8>, &prove_interval_row<D, 16>,
            &prove_interval_row<D, 32>, &prove_interval_row<D, 64>};
}
template <template <class> class K>
[[nodiscard]] DomainEntry kernel_entry(std::string name) {
    return {std::move(name), &prove_kernel_row<K, 8>, &prove_kernel_row<K, 16>,
            &prove_kernel_row<K, 32>, &prove_kernel_row<K, 64>};
}

}  // namespace bpflab::prove::modular
