// SPDX-License-Identifier: Apache-2.0
// bpflab: the versioned JSON document of a `bpflab verify` run.
#include "reports/json.hpp"

#include <string>

namespace bpflab::reports {

using Json = nlohmann::ordered_json;

Json finding_json(const verify::Finding& f) {
    Json values = Json::object();
    for (const auto& [name, value] : f.values) values[name] = value;
    Json j = {{"code", std::string(verify::code_name(f.code))},
              {"pc", f.pc},
              {"insn", f.insn},
              {"message", f.message},
              {"values", std::move(values)},
              {"context", f.context}};
    if (f.source_file)
        j["source"] = {{"file", *f.source_file}, {"line", f.source_line}, {"text", f.source_text}};
    return j;
}

namespace {

Json findings_json(const std::vector<verify::Finding>& fs) {
    Json out = Json::array();
    for (const verify::Finding& f : fs) out.push_back(finding_json(f));
    return out;
}

Json states_json(const ProgramReport& r) {
    Json out = Json::array();
    for (const verify::InsnState& s : r.result.states) {
        Json j = {{"pc", s.pc}, {"context", s.context}};
        if (s.iteration != 0) {
            j["iteration"] = s.iteration;
            j["and_later"] = s.and_later;
        }
        if (r.program != nullptr && s.pc < r.program->code.index_of_pc.size() &&
            r.program->code.index_of_pc[s.pc] >= 0)
            j["insn"] = print_instruction(r.program->code.at_pc(s.pc), Syntax::Linux);
        j["state"] = s.text;
        out.push_back(std::move(j));
    }
    return out;
}

Json file_body(const FileReport& f) {
    Json j = {{"file", f.file}};
    if (!f.error.empty()) j["error"] = f.error;
    Json programs = Json::array();
    for (const ProgramReport& r : f.programs) programs.push_back(program_json(r));
    j["programs"] = std::move(programs);
    return j;
}

Json unrolled_json(const std::vector<verify::UnrolledReport>& loops) {
    Json out = Json::array();
    for (const verify::UnrolledReport& u : loops)
        out.push_back({{"pc", u.pc},
                       {"context", u.context},
                       {"copies", u.copies},
                       {"reached", u.reached},
                       {"later_reached", u.later_reached}});
    return out;
}

Json heads_json(const std::vector<verify::HeadIterations>& heads) {
    Json out = Json::array();
    for (const verify::HeadIterations& h : heads)
        out.push_back({{"pc", h.pc}, {"context", h.context}, {"iterations", h.iterations}});
    return out;
}

}  // namespace

Json program_json(const ProgramReport& r) {
    const verify::ProgramResult& p = r.result;
    Json j = {{"name", p.name},
              {"section", p.section},
              {"type", p.type},
              {"domain", p.domain},
              {"verdict", p.pass ? "pass" : "fail"},
              {"outcome", outcome_name(outcome(r))},
              {"errors", findings_json(p.errors)},
              {"warnings", findings_json(p.warnings)},
              {"seconds", p.seconds},
              {"peak_memory_bytes", p.peak_memory_bytes},
              {"iterations", p.iterations},
              {"widenings", p.widenings},
              {"loop_heads", heads_json(p.heads)},
              {"unrolled_loops", unrolled_json(p.unrolled)},
              {"vertices", p.vertices},
              {"contexts", p.contexts},
              {"instructions", p.instructions},
              {"variables", p.variables},
              {"gave_up", p.gave_up},
              {"timed_out", r.timed_out}};
    if (!r.internal_error.empty()) j["internal_error"] = r.internal_error;
    if (r.kernel)
        j["kernel"] = {{"verdict", r.kernel->accepted ? "pass" : "fail"},
                       {"error", r.kernel->error},
                       {"processed_insns", r.kernel->processed_insns},
                       {"verification_seconds", r.kernel->seconds}};
    if (r.soundness) {
        Json v = Json::array();
        for (const std::string& text : r.soundness->violations) v.push_back(text);
        const SoundnessSummary& s = *r.soundness;
        j["soundness"] = {{"verdict", s.sound() ? "sound" : "violation"},
                          {"runs", s.runs},
                          {"checked_states", s.checked_states},
                          {"skipped_states", s.skipped_states},
                          {"faults", s.faults},
                          {"jit_runs", s.jit_runs},
                          {"jit_mismatches", s.jit_mismatches},
                          {"invariant_points", s.invariant_points},
                          {"reached_points", s.reached_points},
                          {"jit_notes", s.jit_notes},
                          {"violation_count", s.violation_count},
                          {"violations", std::move(v)}};
        if (!s.jit_error.empty()) j["soundness"]["jit_error"] = s.jit_error;
    }
    if (!p.states.empty()) j["states"] = states_json(r);
    return j;
}

Json file_json(const FileReport& f) {
    Json j = {{"schema_version", kSchemaVersion}};
    j.update(file_body(f));
    return j;
}

Json run_json(const std::vector<FileReport>& files) {
    if (files.size() == 1) return file_json(files.front());
    Json list = Json::array();
    for (const FileReport& f : files) list.push_back(file_body(f));
    return Json{{"schema_version", kSchemaVersion}, {"files", std::move(list)}};
}

}  // namespace bpflab::reports
