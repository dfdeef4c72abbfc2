// SPDX-License-Identifier: Apache-2.0
// `bpflab cfg` (being written).
#include "cli/commands.hpp"

namespace bpflab::cli {
void register_cfg(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("cfg", "(being written)");
    cmd->callback([&exit_code] { exit_code = kExitInternalError; });
}
}  // namespace bpflab::cli
