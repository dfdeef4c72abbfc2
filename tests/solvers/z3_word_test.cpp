// SPDX-License-Identifier: Apache-2.0
// bpflab: SymBits<N> agrees with Bits<N> — every operation on every 8-bit pair, evaluated by Z3.
#include <doctest/doctest.h>
#include <z3++.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/semantics.hpp"
#include "core/word.hpp"
#include "solvers/z3_word.hpp"

namespace bpflab {
namespace {

using smt::SymBits;
using smt::SymBool;

/// The constant value of a closed term (simplification folds every bit-vector operator).
template <unsigned N>
std::uint64_t fold(const SymBits<N>& w) {
    const z3::expr v = w.expr().simplify();
    std::uint64_t out = 0;
    REQUIRE(Z3_get_numeral_uint64(v.ctx(), v, &out));
    return out;
}

bool fold(const SymBool& b) {
    const z3::expr v = b.expr().simplify();
    REQUIRE((v.is_true() || v.is_false()));
    return v.is_true();
}

/// A binary operation written once over the word algebra, named for failure messages.
struct BinaryOp {
    std::string name;
    bool smt_lib = false;  ///< an SMT-LIB operator Bits<N> copies: checked on every pair
    std::function<Bits<8>(Bits<8>, Bits<8>)> machine;
    std::function<SymBits<8>(const SymBits<8>&, const SymBits<8>&)> symbolic;
};

#define BPFLAB_BINARY(NAME, EXPR)                          \
    BinaryOp {                                             \
        NAME, false,                                       \
            [](Bits<8> a, Bits<8> b) {                     \
                (void)a;                                   \
                (void)b;                                   \
                return EXPR;                               \
            },                                             \
            [](const SymBits<8>& a, const SymBits<8>& b) { \
                (void)a;                                   \
                (void)b;                                   \
                return EXPR;                               \
            }                                              \
    }

#define BPFLAB_SMTLIB(NAME, EXPR)                                         \
    BinaryOp {                                                            \
        NAME, true, [](Bits<8> a, Bits<8> b) { return EXPR; },            \
            [](const SymBits<8>& a, const SymBits<8>& b) { return EXPR; } \
    }

#define BPFLAB_PREDICATE(NAME, EXPR)                                               \
    PredicateOp {                                                                  \
        NAME, [](Bits<8> a, Bits<8> b) { return static_cast<bool>(EXPR); },        \
            [](const SymBits<8>& a, const SymBits<8>& b) { return SymBool(EXPR); } \
    }

struct PredicateOp {
    std::string name;
    std::function<bool(Bits<8>, Bits<8>)> machine;
    std::function<SymBool(const SymBits<8>&, const SymBits<8>&)> symbolic;
};

}  // namespace

TEST_CASE("SymBits<8> and Bits<8> agree: SMT-LIB operators on every pair, the rest sampled") {
    z3::context ctx;
    const smt::ContextScope scope(ctx);
    const std::vector<BinaryOp> ops{
        BPFLAB_BINARY("add", a + b),
        BPFLAB_BINARY("sub", a - b),
        BPFLAB_BINARY("mul", a * b),
        BPFLAB_BINARY("and", a & b),
        BPFLAB_BINARY("or", a | b),
        BPFLAB_BINARY("xor", a ^ b),
        BPFLAB_BINARY("not", ~a),
        BPFLAB_BINARY("neg", -a),
        BPFLAB_SMTLIB("shl", shl(a, b)),
        BPFLAB_SMTLIB("lshr", lshr(a, b)),
        BPFLAB_SMTLIB("ashr", ashr(a, b)),
        BPFLAB_SMTLIB("udiv", udiv(a, b)),
        BPFLAB_SMTLIB("urem", urem(a, b)),
        BPFLAB_SMTLIB("sdiv", sdiv(a, b)),
        BPFLAB_SMTLIB("srem", srem(a, b)),
        BPFLAB_BINARY("select", select(a < b, a, b)),
        BPFLAB_BINARY("shl3", a << 3),
        BPFLAB_BINARY("shr5", a >> 5),
        BPFLAB_BINARY("trunc-zext", zext<8>(trunc<4>(a))),
        BPFLAB_BINARY("trunc-sext", sext<8>(trunc<3>(b))),
        BPFLAB_BINARY("smear", smear_right(a)),
        BPFLAB_BINARY("umin", umin(a, b)),
        BPFLAB_BINARY("smax", smax(a, b)),
    };
    const std::vector<PredicateOp> predicates{
        BPFLAB_PREDICATE("eq", a == b),
        BPFLAB_PREDICATE("ne", a != b),
        BPFLAB_PREDICATE("ult", a < b),
        BPFLAB_PREDICATE("ule", a <= b),
        BPFLAB_PREDICATE("ugt", a > b),
        BPFLAB_PREDICATE("uge", a >= b),
        BPFLAB_PREDICATE("slt", slt(a, b)),
        BPFLAB_PREDICATE("sle", sle(a, b)),
        BPFLAB_PREDICATE("sgt", sgt(a, b)),
        BPFLAB_PREDICATE("sge", sge(a, b)),
        BPFLAB_PREDICATE("and-or", (a < b && b != a) || !(a == b)),
    };
    std::size_t mismatches = 0;
    for (unsigned i = 0; i < 256; ++i) {
        for (unsigned j = 0; j < 256; ++j) {
            const Bits<8> a(i), b(j);
            const SymBits<8> sa(i), sb(j);
            // SMT-LIB operators on every pair, the rest (Z3 builtins too) on a 1-in-5 sample.
            const bool sampled = (i * 256 + j) % 5 == 0;
            for (const BinaryOp& op : ops) {
                if (!op.smt_lib && !sampled) continue;
                if (op.machine(a, b).raw() != fold(op.symbolic(sa, sb))) {
                    if (++mismatches < 10) FAIL_CHECK(op.name << " " << i << " " << j);
                }
            }
            for (const PredicateOp& p : predicates) {
                if (!sampled) continue;
                if (p.machine(a, b) != fold(p.symbolic(sa, sb))) {
                    if (++mismatches < 10) FAIL_CHECK(p.name << " " << i << " " << j);
                }
            }
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("the ISA's semantics agree at 8 bits on machine and symbolic words") {
    z3::context ctx;
    const smt::ContextScope scope(ctx);
    const AluOp ops[] = {AluOp::Add, AluOp::Sub,  AluOp::Mul,  AluOp::Div, AluOp::SDiv,
                         AluOp::Mod, AluOp::SMod, AluOp::Or,   AluOp::And, AluOp::Xor,
                         AluOp::Lsh, AluOp::Rsh,  AluOp::Arsh, AluOp::Neg, AluOp::Mov};
    std::size_t mismatches = 0;
    for (unsigned i = 0; i < 256; i += 7) {
        for (unsigned j = 0; j < 256; j += 3) {
            for (const AluOp op : ops) {
                for (const bool is64 : {true, false}) {
                    const auto m = sem::alu_reg_word<Bits<8>>(op, is64, Bits<8>(i), Bits<8>(j));
                    const auto s =
                        sem::alu_reg_word<SymBits<8>>(op, is64, SymBits<8>(i), SymBits<8>(j));
                    if (m.raw() != fold(s) && ++mismatches < 10)
                        FAIL_CHECK(static_cast<int>(op) << " " << is64 << " " << i << " " << j);
                }
            }
        }
    }
    CHECK(mismatches == 0);
}

TEST_CASE("symbolic words build solvable formulas") {
    z3::context ctx;
    const smt::ContextScope scope(ctx);
    const auto x = SymBits<16>::fresh("x");
    z3::solver s(ctx);
    // x * 3 == 0x1234 has the solution 0x1234 * 3^-1 mod 2^16; the model must satisfy it.
    s.add((x * SymBits<16>(3) == SymBits<16>(0x1234)).expr());
    REQUIRE(s.check() == z3::sat);
    const std::uint64_t v = smt::evaluate(s.get_model(), x);
    CHECK(((v * 3) & 0xffff) == 0x1234);
    CHECK(SymBits<8>().expr().simplify().get_numeral_uint64() == 0);
    CHECK(SymBits<8>::ones().expr().simplify().get_numeral_uint64() == 0xff);
    CHECK(fold(implies(SymBool(false), SymBool(false))));
}

}  // namespace bpflab
