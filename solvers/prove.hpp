// SPDX-License-Identifier: Apache-2.0
// bpflab: Z3 proofs that the value domains' transfer functions are sound, on the code that runs.
//
// A domain template `D` is instantiated twice: at `smt::SymBits<N>` its arithmetic builds the
// formulas proved here, at `Bits<N>` it is the code the analyser runs. For an operation at width
// N the obligation is: for well-formed, non-bottom abstract inputs a, b and concrete x ∈ γ(a),
// y ∈ γ(b), the concrete result (core/semantics.hpp, what the interpreter runs) lies in γ of the
// abstract result. Z3 answers unsat (proved), sat (a counterexample, decoded and replayed on the
// machine instance and, at width 64, as an eBPF program on the interpreter) or unknown (timeout).
#pragma once

#include <z3++.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/isa.hpp"
#include "core/semantics.hpp"
#include "core/word.hpp"
#include "domains/value.hpp"
#include "solvers/z3_word.hpp"

namespace bpflab::prove {

/// What an obligation is about: an ALU operation, one side of a conditional jump, a byte swap.
enum class Kind : std::uint8_t { Alu, Assume, Endian };

/// One named operation (`add64`, `movsx8_32`, `be16`, `assume_jsgt64`, `assume_not_jset32` …).
struct Operation {
    std::string name;
    Kind kind = Kind::Alu;
    dom::AluSpec alu;
    dom::Branch branch;
    EndianKind endian = EndianKind::ToLe;
    unsigned endian_bits = 64;  ///< at the register scale (16, 32, 64)
};

/// Every operation `prove` knows, in catalogue order (docs/proofs.md lists the names).
[[nodiscard]] const std::vector<Operation>& all_operations();
/// The operations `pattern` names: "all", an exact name, or a name without its width suffix
/// (`and` = and64 and and32; `assume_jgt` = assume_jgt64 and assume_jgt32). Empty if none.
[[nodiscard]] std::vector<Operation> find_operations(std::string_view pattern);

/// Proved: every obligation unsat. Counterexample: a concrete violation of the whole operator
/// (replayed). PartCounterexample: an obligation of a modular proof failed, but its model does
/// not break the composed operator (a gap in the proof, not a demonstrated unsoundness).
enum class Verdict : std::uint8_t { Proved, Counterexample, Timeout, Error, PartCounterexample };
[[nodiscard]] std::string_view verdict_name(Verdict v);

/// One raw word of an abstract input's representation, as the model gave it.
struct Field {
    std::string name;
    unsigned bits = 0;
    std::uint64_t value = 0;
};

/// A counterexample decoded from a model and replayed.
struct Counterexample {
    std::vector<Field> a_fields, b_fields;  ///< the abstract inputs' representations
    std::string a, b;                       ///< the abstract inputs, as the domain prints them
    std::uint64_t x = 0, y = 0;             ///< the concrete inputs (x ∈ γ(a), y ∈ γ(b))
    std::string abstract_result;            ///< the abstract result (both operands for assume)
    std::string concrete_result;            ///< the concrete result (or the branch side taken)
    bool confirmed_by_domain = false;       ///< the machine instance `D<Bits<N>>` agrees
    /// Replay as an eBPF program (width 64 only): assembly text, input memory (x then y,
    /// little-endian u64), and whether the interpreter's r0 confirms the violation.
    std::string program;
    std::string input_hex;
    std::optional<bool> confirmed_by_interpreter;
    std::string replay_note;
};

/// One obligation of a row (solvers/prove_modular.hpp): its own answer and time.
struct Obligation {
    std::string name;  ///< e.g. "interval.transfer", "interval.reduced", "tnum.add64[k=3]"
    Verdict verdict = Verdict::Error;
    double seconds = 0;
    bool reused = false;  ///< answered by an earlier row of the same run (same query)
    std::string message;
    /// The obligation's own model (its inputs; for a state obligation a = the state, x = the
    /// member), when it was sat.
    std::optional<Counterexample> model;
};

/// The answer for one (domain, operation, width).
struct Outcome {
    Verdict verdict = Verdict::Error;
    double seconds = 0;
    std::optional<Counterexample> counterexample;
    std::string message;  ///< why for Error / Timeout
    std::vector<Obligation> obligations;  ///< empty for a monolithic proof
};

struct ProveOptions {
    unsigned timeout_ms = 60'000;  ///< per obligation (Z3's own timeout)
};

/// How to build a value of domain V from named words, and how to print one. Specialise it for
/// each domain (solvers/prove_catalogue.cpp for the real ones, tests for their own):
///   template <class Src> static V make(Src& src);  — calls `src.template word<M>("name")`,
///       which yields an M-bit word of V's family (fresh unknowns when proving, decoded model
///       values when replaying); any representation it builds is then constrained only by
///       `well_formed()` and `!is_bottom()`, so the proof covers every legal value;
///   static std::string describe(const V& v);  — for machine instances (V::Word = Bits<N>).
template <class V>
struct DomainFields;

/// An exact 64-bit register value as the interpreter reports it.
struct Replay {
    std::string program;
    std::string input_hex;
    std::optional<std::uint64_t> r0;  ///< nullopt when the program did not run to exit
    std::string note;
};

/// Builds the eBPF program of a counterexample at width 64 (x, y loaded from the input
/// memory), assembles it and runs it on the interpreter (solvers/prove_program.cpp).
[[nodiscard]] Replay replay_on_interpreter(const Operation& op, std::uint64_t x, std::uint64_t y);

namespace detail {

/// Fresh unknowns for DomainFields::make, remembered for decoding.
struct SymSource {
    std::string prefix;
    std::vector<std::pair<Field, z3::expr>> made;
    template <unsigned M>
    smt::SymBits<M> word(std::string_view name) {
        auto w = smt::SymBits<M>::fresh(prefix + std::string(name));
        made.emplace_back(Field{std::string(name), M, 0}, w.expr());
        return w;
    }
};

/// Decoded model values for DomainFields::make, in the order SymSource made them.
struct ValueSource {
    const std::vector<Field>* fields = nullptr;
    std::size_t next = 0;
    template <unsigned M>
    Bits<M> word(std::string_view /*name*/) {
        return Bits<M>((*fields)[next++].value);
    }
};

[[nodiscard]] inline bool truth(bool b) {
    return b;
}
[[nodiscard]] inline z3::expr truth(const smt::SymBool& b) {
    return b.expr();
}

}  // namespace detail

/// The Boolean that holds when (a, b, x, y) violate `op`'s soundness — the negated obligation,
/// the same for symbolic words (a formula) and machine words (a bool). Assumes x ∈ γ(a),
/// y ∈ γ(b). ALU: op(x, y) ∉ γ(alu(a, b)); endian: swap(x) ∉ γ(endian(a)); assume: the pair
/// takes the branch side but x or y is cut from the refined operands.
template <class V, class W = typename V::Word>
[[nodiscard]] typename V::Bool violation(const Operation& op, const V& a, const V& b, const W& x,
                                         const W& y) {
    switch (op.kind) {
        case Kind::Alu:
            return !V::alu(op.alu, a, b)
                        .contains(
                            sem::alu_reg_word<W>(op.alu.op, op.alu.is64, x, y, op.alu.sx_bits));
        case Kind::Endian:
            return !V::endian(op.endian, op.endian_bits, a)
                        .contains(sem::endian_word<W>(op.endian, op.endian_bits, x));
        case Kind::Assume: {
            const auto [ra, rb] = V::assume(op.branch, a, b);
            const typename V::Bool taken = sem::jump_word<W>(op.branch.cond, op.branch.is32, x, y);
            const typename V::Bool side = op.branch.holds ? taken : !taken;
            return side && !(ra.contains(x) && rb.contains(y));
        }
    }
    return typename V::Bool(false);
}

/// The printed abstract result of `op` on machine values (both refined operands for assume).
template <class V>
[[nodiscard]] std::string describe_result(const Operation& op, const V& a, const V& b) {
    using F = DomainFields<V>;
    switch (op.kind) {
        case Kind::Alu:
            return F::describe(V::alu(op.alu, a, b));
        case Kind::Endian:
            return F::describe(V::endian(op.endian, op.endian_bits, a));
        case Kind::Assume: {
            const auto [ra, rb] = V::assume(op.branch, a, b);
            return "(" + F::describe(ra) + ", " + F::describe(rb) + ")";
        }
    }
    return {};
}

[[nodiscard]] std::string hex(std::uint64_t v);

/// The concrete result of `op` on machine words, printed.
template <unsigned N>
[[nodiscard]] std::string concrete_result(const Operation& op, Bits<N> x, Bits<N> y) {
    switch (op.kind) {
        case Kind::Alu:
            return hex(
                sem::alu_reg_word<Bits<N>>(op.alu.op, op.alu.is64, x, y, op.alu.sx_bits).raw());
        case Kind::Endian:
            return hex(sem::endian_word<Bits<N>>(op.endian, op.endian_bits, x).raw());
        case Kind::Assume:
            return sem::jump_word<Bits<N>>(op.branch.cond, op.branch.is32, x, y) ? "taken"
                                                                                 : "not taken";
    }
    return {};
}

/// Decodes a model into a counterexample and replays it on `D<Bits<N>>` (and at N = 64 on the
/// interpreter).
template <template <class> class D, unsigned N>
[[nodiscard]] Counterexample replay_values(const Operation& op, std::vector<Field> a_fields,
                                           std::vector<Field> b_fields, std::uint64_t x_value,
                                           std::uint64_t y_value);

template <template <class> class D, unsigned N>
[[nodiscard]] Counterexample decode(const Operation& op, const z3::model& model,
                                    detail::SymSource& sa, detail::SymSource& sb,
                                    const smt::SymBits<N>& xs, const smt::SymBits<N>& ys) {
    const auto read = [&](detail::SymSource& src, std::vector<Field>& out) {
        for (auto& [field, term] : src.made) {
            Field f = field;
            const z3::expr v = model.eval(term, true).simplify();
            Z3_get_numeral_uint64(v.ctx(), v, &f.value);
            out.push_back(f);
        }
    };
    std::vector<Field> af, bf;
    read(sa, af);
    read(sb, bf);
    return replay_values<D, N>(op, std::move(af), std::move(bf), smt::evaluate(model, xs),
                               smt::evaluate(model, ys));
}

/// A counterexample from raw representation words and concrete inputs: printed, replayed on
/// `D<Bits<N>>` and (at N = 64) on the interpreter.
template <template <class> class D, unsigned N>
[[nodiscard]] Counterexample replay_values(const Operation& op, std::vector<Field> a_fields,
                                           std::vector<Field> b_fields, std::uint64_t x_value,
                                           std::uint64_t y_value) {
    using M = D<Bits<N>>;
    Counterexample c;
    c.a_fields = std::move(a_fields);
    c.b_fields = std::move(b_fields);
    c.x = x_value & Bits<N>::kMask;
    c.y = y_value & Bits<N>::kMask;
    detail::ValueSource va{&c.a_fields}, vb{&c.b_fields};
    const M a = DomainFields<M>::make(va);
    const M b = DomainFields<M>::make(vb);
    const Bits<N> x(c.x), y(c.y);
    c.a = DomainFields<M>::describe(a);
    c.b = DomainFields<M>::describe(b);
    c.abstract_result = describe_result(op, a, b);
    c.concrete_result = concrete_result<N>(op, x, y);
    c.confirmed_by_domain = a.well_formed() && !a.is_bottom() && a.contains(x) && b.well_formed() &&
                            !b.is_bottom() && b.contains(y) && violation(op, a, b, x, y);
    if constexpr (N == 64) {
        Replay r = replay_on_interpreter(op, c.x, c.y);
        c.program = std::move(r.program);
        c.input_hex = std::move(r.input_hex);
        c.replay_note = std::move(r.note);
        if (r.r0) {
            const Bits<64> z(*r.r0);
            bool confirmed = false;
            switch (op.kind) {
                case Kind::Alu:
                    confirmed = !M::alu(op.alu, a, b).contains(z);
                    break;
                case Kind::Endian:
                    confirmed = !M::endian(op.endian, op.endian_bits, a).contains(z);
                    break;
                case Kind::Assume: {
                    const auto [ra, rb] = M::assume(op.branch, a, b);
                    confirmed =
                        ((z.raw() == 1) == op.branch.holds) && !(ra.contains(x) && rb.contains(y));
                    break;
                }
            }
            c.confirmed_by_interpreter = confirmed;
        }
    } else {
        c.replay_note = "eBPF programs are built for width 64 only";
    }
    return c;
}

/// Proves `op` for domain template D at width N (D<smt::SymBits<N>> builds the formula).
template <template <class> class D, unsigned N>
[[nodiscard]] Outcome prove_operation(const Operation& op, const ProveOptions& options) {
    using W = smt::SymBits<N>;
    using V = D<W>;
    const auto start = std::chrono::steady_clock::now();
    Outcome out;
    try {
        z3::context ctx;
        const smt::ContextScope scope(ctx);
        detail::SymSource sa{"a.", {}}, sb{"b.", {}};
        const V a = DomainFields<V>::make(sa);
        const V b = DomainFields<V>::make(sb);
        const W x = W::fresh("x"), y = W::fresh("y");
        z3::solver solver(ctx, "QF_BV");
        z3::params params(ctx);
        params.set("timeout", options.timeout_ms);
        solver.set(params);
        solver.add(detail::truth(a.well_formed() && !a.is_bottom() && a.contains(x)));
        solver.add(detail::truth(b.well_formed() && !b.is_bottom() && b.contains(y)));
        solver.add(detail::truth(violation(op, a, b, x, y)));
        switch (solver.check()) {
            case z3::unsat:
                out.verdict = Verdict::Proved;
                break;
            case z3::sat:
                out.verdict = Verdict::Counterexample;
                out.counterexample = decode<D, N>(op, solver.get_model(), sa, sb, x, y);
                break;
            case z3::unknown:
                out.verdict = Verdict::Timeout;
                out.message = solver.reason_unknown();
                break;
        }
    } catch (const z3::exception& e) {
        out.verdict = Verdict::Error;
        out.message = e.msg();
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

/// Proves one operation at one width: a `prove_operation<D, N>` instance.
using ProveFn = Outcome (*)(const Operation&, const ProveOptions&);

/// A domain by name, instantiated at the four widths `prove` offers.
struct DomainEntry {
    std::string name;
    ProveFn w8 = nullptr, w16 = nullptr, w32 = nullptr, w64 = nullptr;
    /// The instance for `width` (8, 16, 32, 64); nullptr for any other width.
    [[nodiscard]] ProveFn at(unsigned width) const;
};

/// The entry of domain template D (all four widths).
template <template <class> class D>
[[nodiscard]] DomainEntry make_entry(std::string name) {
    return {std::move(name), &prove_operation<D, 8>, &prove_operation<D, 16>,
            &prove_operation<D, 32>, &prove_operation<D, 64>};
}

/// The domains `bpflab prove` knows by name (solvers/prove_catalogue.cpp).
[[nodiscard]] const std::vector<DomainEntry>& all_domains();

/// One row of a run.
struct Row {
    std::string domain;
    std::string op;
    unsigned width = 64;
    Outcome outcome;
};

/// One obligation to run.
struct Job {
    const DomainEntry* domain = nullptr;
    Operation op;
    unsigned width = 64;
};

/// Runs `jobs` on `threads` worker threads (each obligation in its own Z3 context) and returns
/// the rows in job order; `on_row` (if set) sees each row as it finishes, under a lock.
[[nodiscard]] std::vector<Row> run_jobs(const std::vector<Job>& jobs, const ProveOptions& options,
                                        unsigned threads = 2,
                                        const std::function<void(const Row&)>& on_row = {});

}  // namespace bpflab::prove
