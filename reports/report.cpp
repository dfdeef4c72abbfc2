// SPDX-License-Identifier: Apache-2.0
// bpflab: outcomes of verify reports and the units reports print.
#include "reports/report.hpp"

#include <cstdio>

namespace bpflab::reports {

Outcome outcome(const ProgramReport& r) {
    if (!r.internal_error.empty()) return Outcome::InternalError;
    if (r.soundness && !r.soundness->sound()) return Outcome::Unsound;
    if (r.timed_out) return Outcome::Timeout;
    return r.result.pass ? Outcome::Pass : Outcome::Fail;
}

const char* outcome_name(Outcome o) {
    switch (o) {
        case Outcome::Pass:
            return "PASS";
        case Outcome::Fail:
            return "FAIL";
        case Outcome::Timeout:
            return "TIMEOUT";
        case Outcome::Unsound:
            return "UNSOUND";
        case Outcome::InternalError:
            return "ERROR";
    }
    return "?";
}

namespace {

void attach(verify::Finding& f, const Program& program) {
    if (f.source_file) return;
    const SourceLine* line = program.line_at(f.pc);
    if (line == nullptr) return;
    f.source_file = line->file;
    f.source_line = line->line;
    f.source_text = line->text;
}

}  // namespace

void attach_sources(verify::ProgramResult& result, const Program& program) {
    for (verify::Finding& f : result.errors) attach(f, program);
    for (verify::Finding& f : result.warnings) attach(f, program);
}

std::string format_seconds(double seconds) {
    char buf[32];
    if (seconds < 1e-3)
        std::snprintf(buf, sizeof buf, "%.1f us", seconds * 1e6);
    else if (seconds < 1)
        std::snprintf(buf, sizeof buf, "%.3f ms", seconds * 1e3);
    else
        std::snprintf(buf, sizeof buf, "%.2f s", seconds);
    return buf;
}

std::string format_bytes(std::size_t bytes) {
    char buf[32];
    const double b = static_cast<double>(bytes);
    if (bytes < 1024)
        std::snprintf(buf, sizeof buf, "%zu B", bytes);
    else if (bytes < 1024 * 1024)
        std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024);
    else
        std::snprintf(buf, sizeof buf, "%.1f MiB", b / (1024 * 1024));
    return buf;
}

}  // namespace bpflab::reports
