// SPDX-License-Identifier: Apache-2.0
// `bpflab asm FILE.s [--syntax linux|ubpf] [-o OUT.bin]`: assembly text to raw instruction bytes.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/commands.hpp"
#include "core/asm.hpp"
#include "core/decode.hpp"

namespace bpflab::cli {

void register_asm(CLI::App& app, int& exit_code) {
    struct Opts {
        std::string file;
        std::string syntax;
        std::string out;
    };
    auto opts = std::make_shared<Opts>();
    auto* cmd = app.add_subcommand("asm", "Assemble text into raw instruction bytes");
    cmd->add_option("FILE", opts->file, "Assembly text (Linux/LLVM or uBPF syntax)")->required();
    cmd->add_option("--syntax", opts->syntax, "Input syntax (detected when absent)")
        ->check(CLI::IsMember({"linux", "ubpf"}));
    cmd->add_option("-o,--output", opts->out, "Write little-endian bytes here instead of hex");
    cmd->callback([opts, &exit_code] {
        std::ifstream in(opts->file, std::ios::binary);
        if (!in) {
            exit_code = report_input_error(
                Diagnostic{"cannot open file for reading", std::nullopt, opts->file});
            return;
        }
        const std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        auto insns = assemble(text, syntax_from_name(opts->syntax), opts->file);
        if (!insns) {
            exit_code = report_input_error(insns.error());
            return;
        }
        const auto bytes = bytes_from_slots(encode(*insns));
        if (!opts->out.empty()) {
            std::ofstream out(opts->out, std::ios::binary | std::ios::trunc);
            out.write(reinterpret_cast<const char*>(bytes.data()),
                      static_cast<std::streamsize>(bytes.size()));
            if (!out) {
                exit_code = report_input_error(
                    Diagnostic{"cannot write output file", std::nullopt, opts->out});
                return;
            }
        } else {
            for (std::size_t i = 0; i < bytes.size(); ++i) {
                char b[4];
                std::snprintf(b, sizeof b, "%02x", bytes[i]);
                std::cout << b << ((i % 8 == 7) ? "\n" : " ");
            }
        }
        exit_code = kExitOk;
    });
}

}  // namespace bpflab::cli
