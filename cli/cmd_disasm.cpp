// SPDX-License-Identifier: Apache-2.0
// `bpflab disasm` (being written).
#include "cli/commands.hpp"

namespace bpflab::cli {
void register_disasm(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("disasm", "(being written)");
    cmd->callback([&exit_code] { exit_code = kExitInternalError; });
}
}  // namespace bpflab::cli
