// SPDX-License-Identifier: Apache-2.0
// bpflab: the verifier driver — dispatch by domain name, and the spill-slot pre-scan.
#include "checker/verifier/verify.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "checker/verifier/verify_impl.hpp"
#include "domains/registry.hpp"

namespace bpflab::verify {

ProgramResult verify_nonrelational(const Object& object, const Program& program,
                                   const VerifyOptions& options);
ProgramResult verify_relational(const Object& object, const Program& program,
                                const VerifyOptions& options);

namespace detail {

std::vector<std::pair<int, int>> spill_slots(const Program& program, const Graph& graph) {
    std::vector<std::pair<int, int>> out;
    for (std::size_t v = 0; v < graph.vertices.size(); ++v) {
        const Vertex& vx = graph.vertices[v];
        for (std::uint32_t i = vx.first; i <= vx.last; ++i) {
            const auto* s = std::get_if<Store>(&program.code.insns[i]);
            if (s == nullptr || s->dst != kFramePointer) continue;
            const int at = kStackBytes + s->off;
            if (at < 0 || at + bytes(s->size) > kStackBytes || at % 8 + bytes(s->size) > 8)
                continue;
            out.emplace_back(graph.frame_of(v), at / 8);
        }
    }
    return out;
}

namespace {

std::set<std::int64_t> boundaries() {
    return {0,
            1,
            255,
            256,
            65535,
            65536,
            (std::int64_t{1} << 31) - 1,
            std::int64_t{1} << 31,
            (std::int64_t{1} << 32) - 1,
            std::int64_t{1} << 32,
            INT64_MAX - 1};
}

void add_neighbours(std::set<std::int64_t>& t, std::int64_t k) {
    if (k < -(std::int64_t{1} << 32) || k > (std::int64_t{1} << 32)) return;
    for (std::int64_t d = -1; d <= 1; ++d) t.insert(k + d);
}

}  // namespace

std::vector<std::int64_t> widening_thresholds(const Program& program) {
    std::set<std::int64_t> t = boundaries();
    const auto add = [&](std::int64_t k) { add_neighbours(t, k); };
    for (const Instruction& insn : program.code.insns) {
        if (const auto* j = std::get_if<Jmp>(&insn); j != nullptr && !j->src.is_reg)
            add(j->src.imm);
        if (const auto* a = std::get_if<Alu>(&insn); a != nullptr && !a->src.is_reg)
            add(a->src.imm);
    }
    return {t.begin(), t.end()};
}

Thresholds loop_thresholds(const Program& program, const Graph& graph) {
    Thresholds out;
    out.lists.push_back(widening_thresholds(program));
    out.of_vertex.assign(graph.vertices.size(), 0);
    for (const LoopHead& loop : graph.loops) {
        const std::vector<char> in = graph.loop_body(loop);
        std::set<std::int64_t> t = boundaries();
        for (std::size_t v = 0; v < graph.vertices.size(); ++v) {
            if (!in[v]) continue;
            for (std::uint32_t i = graph.vertices[v].first; i <= graph.vertices[v].last; ++i)
                if (const auto* j = std::get_if<Jmp>(&program.code.insns[i]);
                    j != nullptr && !j->src.is_reg)
                    add_neighbours(t, j->src.imm);
        }
        out.of_vertex[loop.head] = static_cast<std::uint32_t>(out.lists.size());
        out.lists.emplace_back(t.begin(), t.end());
    }
    return out;
}

}  // namespace detail

ProgramResult verify_program(const Object& object, const Program& program,
                             const VerifyOptions& options) {
    const dom::DomainInfo* d = dom::find_domain(options.domain);
    if (d == nullptr)
        throw std::invalid_argument("unknown domain: " + options.domain +
                                    " (known: " + dom::domain_names() + ")");
    if (d->relational) return verify_relational(object, program, options);
    ProgramResult r = verify_nonrelational(object, program, options);
    // Termination needs a relation between a loop's counter and its exit condition, which a
    // non-relational domain cannot keep: loops it cannot bound are proved (or not) by the
    // zone+tnum analysis of the same program.
    const auto loops_left = [](const ProgramResult& x) {
        return std::any_of(x.errors.begin(), x.errors.end(),
                           [](const Finding& f) { return f.code == Check::MayNotTerminate; });
    };
    if (r.timed_out || !loops_left(r)) return r;
    VerifyOptions rel = options;
    rel.domain = "zone+tnum";
    rel.record_facts = false;
    rel.record_states = false;
    const ProgramResult z = verify_relational(object, program, rel);
    r.seconds += z.seconds;
    if (z.timed_out) {
        r.timed_out = true;
        r.pass = false;
        return r;
    }
    std::erase_if(r.errors, [&](const Finding& f) {
        if (f.code != Check::MayNotTerminate) return false;
        return std::none_of(z.errors.begin(), z.errors.end(), [&](const Finding& g) {
            return g.code == Check::MayNotTerminate && g.pc == f.pc && g.context == f.context;
        });
    });
    r.termination_by = "zone+tnum";
    r.pass = r.errors.empty();
    return r;
}

std::vector<std::string> verifier_domains() {
    std::vector<std::string> out;
    for (const dom::DomainInfo& d : dom::kDomains) out.emplace_back(d.name);
    return out;
}

}  // namespace bpflab::verify
