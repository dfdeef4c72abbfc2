// SPDX-License-Identifier: Apache-2.0
// `bpflab disasm FILE [--program NAME] [--syntax linux|ubpf] [--json] [--source] [--jit]`.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/disasm.hpp"
#include "core/jit/jit.hpp"
#include "core/vm/maps.hpp"
#include "core/load.hpp"

namespace bpflab::cli {
namespace {

nlohmann::json to_json(const std::vector<Listing>& listings) {
    nlohmann::json progs = nlohmann::json::array();
    for (const Listing& l : listings) {
        nlohmann::json insns = nlohmann::json::array();
        for (const ListingLine& line : l.lines) {
            nlohmann::json j = {{"index", line.index}, {"bytes", line.bytes}, {"text", line.text}};
            if (!line.comment.empty()) j["comment"] = line.comment;
            if (!line.source.empty()) {
                std::string s;
                for (const auto& t : line.source) s += (s.empty() ? "" : "\n") + t;
                j["source"] = s;
            }
            insns.push_back(std::move(j));
        }
        progs.push_back({{"name", l.name},
                         {"section", l.section},
                         {"type", l.type},
                         {"instructions", std::move(insns)}});
    }
    return {{"programs", std::move(progs)}};
}

}  // namespace

void register_disasm(CLI::App& app, int& exit_code) {
    struct Opts {
        std::string file;
        std::string program;
        std::string syntax = "linux";
        bool json = false;
        bool source = false;
        bool jit = false;
    };
    auto opts = std::make_shared<Opts>();
    auto* cmd = app.add_subcommand("disasm", "Print the instructions of a BPF object");
    cmd->add_option("FILE", opts->file, "ELF object (.o), assembly (.s/.asm) or raw bytes (.bin)")
        ->required();
    cmd->add_option("--program", opts->program, "Only the program with this name");
    cmd->add_option("--syntax", opts->syntax, "Output syntax")
        ->check(CLI::IsMember({"linux", "ubpf"}))
        ->capture_default_str();
    cmd->add_flag("--json", opts->json, "Print JSON");
    cmd->add_flag("--source", opts->source, "Interleave C source lines (BTF line info)");
    cmd->add_flag("--jit", opts->jit, "Also print the x86-64 code the JIT generates");
    cmd->callback([opts, &exit_code] {
        const Syntax syntax = syntax_from_name(opts->syntax).value_or(Syntax::Linux);
        auto obj = load_file(opts->file, LoadOptions{std::nullopt, {}, false});
        if (!obj) {
            exit_code = report_input_error(obj.error());
            return;
        }
        std::vector<Listing> listings;
        for (const Program& p : obj->programs)
            if (opts->program.empty() || p.name == opts->program)
                listings.push_back(list_program(p, syntax, opts->source));
        if (listings.empty()) {
            exit_code = report_input_error(
                Diagnostic{"no program named '" + opts->program + "'", std::nullopt, opts->file});
            return;
        }
        if (opts->json) {
            std::cout << to_json(listings).dump(2) << "\n";
        } else {
            bool first = true;
            for (const Listing& l : listings) {
                if (!first) std::cout << "\n";
                first = false;
                std::cout << "Disassembly of program " << l.name;
                if (!l.section.empty()) std::cout << " (section " << l.section << ")";
                if (!l.type.empty()) std::cout << ", type " << l.type;
                std::cout << ":\n" << format_listing(l);
            }
        }
        if (opts->jit && !opts->json) {
            vm::MapSet maps(obj->maps);
            for (std::size_t i = 0; i < obj->programs.size(); ++i) {
                const Program& p = obj->programs[i];
                if (!opts->program.empty() && p.name != opts->program) continue;
                auto jit = jit::JitProgram::compile(*obj, i, maps);
                if (!jit) {
                    exit_code = report_input_error(jit.error());
                    return;
                }
                std::cout << "\nx86-64 code of program " << p.name << " (" << jit->code_size()
                          << " bytes, compiled in " << jit->compile_seconds() * 1e6 << " us):\n"
                          << jit::disassemble_x86(*jit, p);
            }
        }
        exit_code = kExitOk;
    });
}

}  // namespace bpflab::cli
