// SPDX-License-Identifier: Apache-2.0
// bpflab command line entry point.
#include <exception>
#include <iostream>

#include "cli/commands.hpp"

namespace bpflab::cli {

int report_input_error(const Diagnostic& d) {
    std::cerr << "bpflab: error: " << d.to_string() << "\n";
    return kExitInputError;
}

}  // namespace bpflab::cli

int main(int argc, char** argv) {
    using namespace bpflab;  // NOLINT(google-build-using-namespace)
    CLI::App app{"bpflab: a laboratory for verifying eBPF programs"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "bpflab 0.1.0");
    int exit_code = kExitOk;
    cli::register_list(app, exit_code);
    cli::register_disasm(app, exit_code);
    cli::register_asm(app, exit_code);
    cli::register_cfg(app, exit_code);
    cli::register_run(app, exit_code);
    cli::register_prove(app, exit_code);
    cli::register_verify(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? kExitOk : kExitUsage;
    } catch (const InputError& e) {
        return cli::report_input_error(e.diagnostic());
    } catch (const std::exception& e) {
        std::cerr << "bpflab: internal error: " << e.what() << "\n";
        return kExitInternalError;
    }
    return exit_code;
}
