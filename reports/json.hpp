// SPDX-License-Identifier: Apache-2.0
// bpflab: the versioned JSON document of a `bpflab verify` run (docs/report-schema.md).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "reports/report.hpp"

namespace bpflab::reports {

/// The schema version written as "schema_version"; raised whenever a field changes meaning or
/// is removed (adding a field keeps it).
inline constexpr int kSchemaVersion = 1;

/// One finding: {"code", "pc", "insn", "message", "values", "context", "source"?}.
[[nodiscard]] nlohmann::ordered_json finding_json(const verify::Finding& f);
/// One (program, domain) entry of "programs".
[[nodiscard]] nlohmann::ordered_json program_json(const ProgramReport& r);
/// {"schema_version", "file", "error"?, "programs": [...]} for one input file.
[[nodiscard]] nlohmann::ordered_json file_json(const FileReport& f);
/// The document of a run: one file gives file_json; several give
/// {"schema_version", "files": [file_json without its schema_version, ...]}.
[[nodiscard]] nlohmann::ordered_json run_json(const std::vector<FileReport>& files);

}  // namespace bpflab::reports
