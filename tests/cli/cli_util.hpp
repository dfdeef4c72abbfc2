// SPDX-License-Identifier: Apache-2.0
// bpflab CLI tests: running the `bpflab` executable and capturing what it prints.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace bpflab::cli_test {

/// What one run of the executable gave.
struct Run {
    int code = -1;
    std::string out;
    std::string err;
};

/// The whole file at `p` (empty when unreadable).
[[nodiscard]] inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// A directory for this test process's scratch files (created once).
[[nodiscard]] inline std::filesystem::path scratch() {
    static const std::filesystem::path dir = [] {
        auto d = std::filesystem::temp_directory_path() /
                 ("bpflab-cli-test-" + std::to_string(getpid()));
        std::filesystem::create_directories(d);
        return d;
    }();
    return dir;
}

/// Runs `bpflab ARGS` through the shell, capturing stdout, stderr and the exit code.
[[nodiscard]] inline Run run_bpflab(const std::string& args) {
    const auto out = scratch() / "stdout";
    const auto err = scratch() / "stderr";
    const std::string cmd = std::string("'") + BPFLAB_EXE + "' " + args + " >'" + out.string() +
                            "' 2>'" + err.string() + "'";
    const int status = std::system(cmd.c_str());  // NOLINT(cert-env33-c)
    Run r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

}  // namespace bpflab::cli_test
