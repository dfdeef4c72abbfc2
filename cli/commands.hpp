// SPDX-License-Identifier: Apache-2.0
// bpflab command line: each subcommand registers itself on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core/diagnostic.hpp"

namespace bpflab::cli {

/// Subcommand registration: adds the subcommand and sets `exit_code` when it runs.
void register_list(CLI::App& app, int& exit_code);
void register_disasm(CLI::App& app, int& exit_code);
void register_asm(CLI::App& app, int& exit_code);
void register_cfg(CLI::App& app, int& exit_code);
void register_run(CLI::App& app, int& exit_code);
void register_prove(CLI::App& app, int& exit_code);
void register_verify(CLI::App& app, int& exit_code);

/// Prints "bpflab: error: <diagnostic>" to stderr and returns kExitInputError.
int report_input_error(const Diagnostic& d);

}  // namespace bpflab::cli
