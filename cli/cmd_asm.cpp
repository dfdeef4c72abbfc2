// SPDX-License-Identifier: Apache-2.0
// `bpflab asm` (being written).
#include "cli/commands.hpp"

namespace bpflab::cli {
void register_asm(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("asm", "(being written)");
    cmd->callback([&exit_code] { exit_code = kExitInternalError; });
}
}  // namespace bpflab::cli
