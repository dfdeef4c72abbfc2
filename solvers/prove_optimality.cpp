// SPDX-License-Identifier: Apache-2.0
// bpflab: optimality of tnum add/sub/and/or/xor and interval add/sub, by quantified queries.
#include "solvers/prove_optimality.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "solvers/prove_domains.hpp"

namespace bpflab::prove {
namespace {

using Clock = std::chrono::steady_clock;

/// Runs `solver` and turns its answer into an outcome; `describe` explains a model.
Outcome answer(z3::solver& solver,
               const std::function<Counterexample(const z3::model&)>& describe) {
    Outcome out;
    switch (solver.check()) {
        case z3::unsat:
            out.verdict = Verdict::Proved;
            break;
        case z3::sat:
            out.verdict = Verdict::Counterexample;
            out.counterexample = describe(solver.get_model());
            break;
        case z3::unknown:
            out.verdict = Verdict::Timeout;
            out.message = solver.reason_unknown();
            break;
    }
    return out;
}

std::vector<Field> decode_fields(const z3::model& model, detail::SymSource& src) {
    std::vector<Field> out;
    for (auto& [field, term] : src.made) {
        Field f = field;
        const z3::expr v = model.eval(term, true).simplify();
        Z3_get_numeral_uint64(v.ctx(), v, &f.value);
        out.push_back(f);
    }
    return out;
}

/// Tnum: for each bit k (one query per bit, k structural so that the quantified formula needs
/// no variable shift): ∃ a, b with bit k of the result's mask set, yet bit k of op(x, y) the
/// same for every x ∈ γ(a), y ∈ γ(b). Optimal when every query is unsat.
template <unsigned N>
Outcome tnum_optimal(const Operation& op, const ProveOptions& options) {
    using W = smt::SymBits<N>;
    using V = TnumCgo2022<W>;
    z3::context ctx;
    const smt::ContextScope scope(ctx);
    detail::SymSource sa{"a.", {}}, sb{"b.", {}};
    const V a = DomainFields<V>::make(sa), b = DomainFields<V>::make(sb);
    const W x = W::fresh("x"), y = W::fresh("y");
    const smt::SymBits<1> c = smt::SymBits<1>::fresh("c");
    const V r = V::alu(op.alu, a, b);
    const W z = sem::alu_reg_word<W>(op.alu.op, op.alu.is64, x, y, op.alu.sx_bits);
    const z3::expr members = (a.contains(x) && b.contains(y)).expr();
    const auto start = Clock::now();
    for (unsigned k = 0; k < N; ++k) {
        const z3::expr fixed = z3::forall(x.expr(), y.expr(),
                                          z3::implies(members, z.expr().extract(k, k) == c.expr()));
        z3::solver solver(ctx, "BV");
        z3::params params(ctx);
        const double spent = std::chrono::duration<double>(Clock::now() - start).count();
        const double left = options.timeout_ms - spent * 1000;
        if (left <= 0) return Outcome{Verdict::Timeout, 0, std::nullopt, "timeout"};
        params.set("timeout", static_cast<unsigned>(left));
        solver.set(params);
        solver.add((!a.is_bottom() && !b.is_bottom()).expr());
        solver.add(r.mask.expr().extract(k, k) == ctx.bv_val(1, 1));
        solver.add(fixed);
        Outcome out = answer(solver, [&](const z3::model& m) {
            Counterexample cex;
            cex.a_fields = decode_fields(m, sa);
            cex.b_fields = decode_fields(m, sb);
            detail::ValueSource va{&cex.a_fields}, vb{&cex.b_fields};
            using M = TnumCgo2022<Bits<N>>;
            const M ma = DomainFields<M>::make(va), mb = DomainFields<M>::make(vb);
            cex.a = DomainFields<M>::describe(ma);
            cex.b = DomainFields<M>::describe(mb);
            cex.abstract_result = DomainFields<M>::describe(M::alu(op.alu, ma, mb));
            cex.concrete_result = "bit " + std::to_string(k) + " is always " +
                                  std::to_string(smt::evaluate(m, c)) + " but unknown";
            return cex;
        });
        if (out.verdict != Verdict::Proved) return out;
    }
    return Outcome{Verdict::Proved, 0, std::nullopt, {}};
}

/// Interval: for inputs that are one unsigned (or signed) range each, both bounds of the
/// result's unsigned (signed) view are attained by some op(x, y).
template <unsigned N>
Outcome interval_optimal(const Operation& op, const ProveOptions& options) {
    using W = smt::SymBits<N>;
    using V = IntervalDomain<W>;
    z3::context ctx;
    const smt::ContextScope scope(ctx);
    const W a1 = W::fresh("a.lo"), a2 = W::fresh("a.hi"), b1 = W::fresh("b.lo"),
            b2 = W::fresh("b.hi"), x = W::fresh("x"), y = W::fresh("y");
    Outcome total{Verdict::Proved, 0, std::nullopt, {}};
    for (const bool is_signed : {false, true}) {
        const V a = is_signed ? V::of(typename V::S(a1, a2)) : V::of(typename V::U(a1, a2));
        const V b = is_signed ? V::of(typename V::S(b1, b2)) : V::of(typename V::U(b1, b2));
        const V r = V::alu(op.alu, a, b);
        const W lo = is_signed ? r.s().lo() : r.u().lo();
        const W hi = is_signed ? r.s().hi() : r.u().hi();
        const W z = sem::alu_reg_word<W>(op.alu.op, op.alu.is64, x, y, op.alu.sx_bits);
        const z3::expr members = (a.contains(x) && b.contains(y)).expr();
        const auto unattained = [&](const W& bound) {
            return z3::forall(x.expr(), y.expr(), z3::implies(members, (z != bound).expr()));
        };
        z3::solver solver(ctx, "BV");
        z3::params params(ctx);
        params.set("timeout", options.timeout_ms);
        solver.set(params);
        solver.add((!a.is_bottom() && !b.is_bottom()).expr());
        solver.add(unattained(lo) || unattained(hi));
        Outcome out = answer(solver, [&](const z3::model& m) {
            Counterexample cex;
            const auto v = [&](const W& w) { return Bits<N>(smt::evaluate(m, w)); };
            using M = IntervalDomain<Bits<N>>;
            const M ma =
                is_signed ? M::of(typename M::S(v(a1), v(a2))) : M::of(typename M::U(v(a1), v(a2)));
            const M mb =
                is_signed ? M::of(typename M::S(v(b1), v(b2))) : M::of(typename M::U(v(b1), v(b2)));
            cex.a = DomainFields<M>::describe(ma);
            cex.b = DomainFields<M>::describe(mb);
            cex.abstract_result = DomainFields<M>::describe(M::alu(op.alu, ma, mb));
            cex.concrete_result =
                std::string(is_signed ? "signed" : "unsigned") + " bound not attained";
            return cex;
        });
        if (out.verdict != Verdict::Proved) return out;
    }
    return total;
}

template <unsigned N>
Outcome check(bool tnum, const Operation& op, const ProveOptions& options) {
    try {
        return tnum ? tnum_optimal<N>(op, options) : interval_optimal<N>(op, options);
    } catch (const z3::exception& e) {
        return Outcome{Verdict::Error, 0, std::nullopt, e.msg()};
    }
}

bool is_tnum(const std::string& d) {
    return d == "tnum" || d.starts_with("tnum-");
}

bool covered(const std::string& domain, const Operation& op) {
    if (op.kind != Kind::Alu) return false;
    if (is_tnum(domain))
        return op.alu.op == AluOp::Add || op.alu.op == AluOp::Sub || op.alu.op == AluOp::And ||
               op.alu.op == AluOp::Or || op.alu.op == AluOp::Xor;
    if (domain == "interval")
        return op.alu.is64 && (op.alu.op == AluOp::Add || op.alu.op == AluOp::Sub);
    return false;
}

}  // namespace

std::vector<Row> run_optimality(const std::vector<std::string>& domains,
                                const std::vector<std::string>& ops, unsigned width,
                                const ProveOptions& options, unsigned threads,
                                const std::function<void(const Row&)>& on_row) {
    std::vector<Row> rows;
    std::vector<Operation> what;
    for (const std::string& d : domains) {
        for (const std::string& name : ops) {
            const auto found = find_operations(name);
            if (found.size() != 1 || !covered(d, found.front())) continue;
            rows.push_back(Row{d, name, width, {}});
            what.push_back(found.front());
        }
    }
    std::atomic<std::size_t> next{0};
    std::mutex lock;
    const auto worker = [&] {
        for (std::size_t i = next++; i < rows.size(); i = next++) {
            const bool tnum = is_tnum(rows[i].domain);
            const auto start = Clock::now();
            Outcome out;
            switch (width) {
                case 8:
                    out = check<8>(tnum, what[i], options);
                    break;
                case 16:
                    out = check<16>(tnum, what[i], options);
                    break;
                case 32:
                    out = check<32>(tnum, what[i], options);
                    break;
                default:
                    out = check<64>(tnum, what[i], options);
                    break;
            }
            out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
            const std::lock_guard<std::mutex> guard(lock);
            rows[i].outcome = out;
            if (on_row) on_row(rows[i]);
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads && t < rows.size(); ++t) pool.emplace_back(worker);
    worker();
    for (std::thread& t : pool) t.join();
    return rows;
}

}  // namespace bpflab::prove
