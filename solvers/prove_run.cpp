// SPDX-License-Identifier: Apache-2.0
// bpflab: running proof obligations on worker threads, and their JSON form.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "solvers/prove.hpp"
#include "solvers/prove_report.hpp"

namespace bpflab::prove {

std::vector<Row> run_jobs(const std::vector<Job>& jobs, const ProveOptions& options,
                          unsigned threads, const std::function<void(const Row&)>& on_row) {
    std::vector<Row> rows(jobs.size());
    std::atomic<std::size_t> next{0};
    std::mutex lock;
    const auto worker = [&] {
        for (std::size_t i = next++; i < jobs.size(); i = next++) {
            const Job& job = jobs[i];
            Row row{job.domain->name, job.op.name, job.width, {}};
            if (const ProveFn fn = job.domain->at(job.width)) {
                row.outcome = fn(job.op, options);
            } else {
                row.outcome.message = "width " + std::to_string(job.width) + " is not offered";
            }
            const std::lock_guard<std::mutex> guard(lock);
            rows[i] = row;
            if (on_row) on_row(rows[i]);
        }
    };
    const unsigned n =
        std::max(1U, std::min<unsigned>(threads, static_cast<unsigned>(jobs.size())));
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < n; ++t) pool.emplace_back(worker);
    worker();
    for (std::thread& t : pool) t.join();
    return rows;
}

namespace {

nlohmann::json fields_json(const std::vector<Field>& fields) {
    nlohmann::json out = nlohmann::json::object();
    for (const Field& f : fields) out[f.name] = hex(f.value);
    return out;
}

}  // namespace

nlohmann::json row_json(const Row& row) {
    nlohmann::json j{{"domain", row.domain},
                     {"op", row.op},
                     {"width", row.width},
                     {"result", std::string(verdict_name(row.outcome.verdict))},
                     {"seconds", row.outcome.seconds}};
    if (!row.outcome.message.empty()) j["message"] = row.outcome.message;
    if (!row.outcome.obligations.empty()) {
        nlohmann::json obs = nlohmann::json::array();
        for (const Obligation& ob : row.outcome.obligations) {
            nlohmann::json o{{"name", ob.name},
                             {"result", std::string(verdict_name(ob.verdict))},
                             {"seconds", ob.seconds},
                             {"reused", ob.reused}};
            if (!ob.message.empty() && ob.verdict != Verdict::Proved) o["message"] = ob.message;
            if (const auto& m = ob.model) {
                o["model"] = {{"a_fields", fields_json(m->a_fields)},
                              {"b_fields", fields_json(m->b_fields)},
                              {"x", hex(m->x)},
                              {"y", hex(m->y)}};
                if (!m->a.empty()) o["model"]["a"] = m->a;
            }
            obs.push_back(std::move(o));
        }
        j["obligations"] = std::move(obs);
    }
    if (const auto& c = row.outcome.counterexample) {
        j["abstract_inputs"] = {{"a", c->a},
                                {"b", c->b},
                                {"a_fields", fields_json(c->a_fields)},
                                {"b_fields", fields_json(c->b_fields)}};
        j["concrete_inputs"] = {{"x", hex(c->x)}, {"y", hex(c->y)}};
        j["abstract_result"] = c->abstract_result;
        j["concrete_result"] = c->concrete_result;
        j["confirmed_by_domain"] = c->confirmed_by_domain;
        if (!c->program.empty()) {
            j["program"] = c->program;
            j["input"] = c->input_hex;
        }
        j["confirmed_by_interpreter"] = c->confirmed_by_interpreter
                                            ? nlohmann::json(*c->confirmed_by_interpreter)
                                            : nlohmann::json(nullptr);
        if (!c->replay_note.empty()) j["replay_note"] = c->replay_note;
    }
    return j;
}

nlohmann::json results_json(const std::vector<Row>& rows) {
    nlohmann::json results = nlohmann::json::array();
    for (const Row& r : rows) results.push_back(row_json(r));
    return nlohmann::json{{"results", results}};
}

}  // namespace bpflab::prove
