// SPDX-License-Identifier: Apache-2.0
// `bpflab list FILE [--json]`: the programs, maps and global data of an object.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "core/load.hpp"

namespace bpflab::cli {
namespace {

const char* origin_name(MapOrigin o) {
    switch (o) {
        case MapOrigin::Btf: return "btf";
        case MapOrigin::Legacy: return "legacy";
        case MapOrigin::GlobalData: return "global_data";
    }
    return "?";
}

nlohmann::json to_json(const Object& obj) {
    nlohmann::json progs = nlohmann::json::array();
    for (const auto& p : obj.programs) {
        nlohmann::json funcs = nlohmann::json::array();
        for (const auto& f : p.functions)
            funcs.push_back({{"name", f.name}, {"start", f.start_pc}, {"end", f.end_pc}});
        progs.push_back({{"name", p.name},
                         {"section", p.section},
                         {"type", p.type},
                         {"instructions", p.code.slot_count()},
                         {"functions", funcs}});
    }
    nlohmann::json maps = nlohmann::json::array();
    for (const auto& m : obj.maps) {
        maps.push_back({{"name", m.name},
                        {"type", map_type_name(m.type)},
                        {"key_size", m.key_size},
                        {"value_size", m.value_size},
                        {"max_entries", m.max_entries},
                        {"flags", m.flags},
                        {"origin", origin_name(m.origin)},
                        {"section", m.section},
                        {"read_only", m.read_only()}});
    }
    return {{"file", obj.path}, {"license", obj.license}, {"programs", progs}, {"maps", maps}};
}

void print_text(const Object& obj) {
    std::cout << obj.path << ": " << obj.programs.size() << " program(s), " << obj.maps.size()
              << " map(s)\n";
    if (!obj.programs.empty()) {
        std::cout << "\nPrograms:\n  " << std::left << std::setw(24) << "NAME" << std::setw(28)
                  << "SECTION" << std::setw(20) << "TYPE" << "INSNS\n";
        for (const auto& p : obj.programs)
            std::cout << "  " << std::setw(24) << p.name << std::setw(28) << p.section
                      << std::setw(20) << (p.type.empty() ? "-" : p.type) << p.code.slot_count()
                      << "\n";
    }
    if (!obj.maps.empty()) {
        std::cout << "\nMaps:\n  " << std::setw(24) << "NAME" << std::setw(20) << "TYPE"
                  << std::setw(8) << "KEY" << std::setw(8) << "VALUE" << std::setw(12)
                  << "MAX_ENTRIES" << std::setw(8) << "FLAGS" << "ORIGIN\n";
        for (const auto& m : obj.maps)
            std::cout << "  " << std::setw(24) << m.name << std::setw(20) << map_type_name(m.type)
                      << std::setw(8) << m.key_size << std::setw(8) << m.value_size
                      << std::setw(12) << m.max_entries << std::setw(8)
                      << ("0x" + [&] {
                             std::ostringstream s;
                             s << std::hex << m.flags;
                             return s.str();
                         }())
                      << origin_name(m.origin) << "\n";
    }
}

}  // namespace

void register_list(CLI::App& app, int& exit_code) {
    struct Opts {
        std::string file;
        bool json = false;
    };
    auto opts = std::make_shared<Opts>();
    auto* cmd = app.add_subcommand("list", "List the programs and maps of a BPF object");
    cmd->add_option("FILE", opts->file, "ELF object, assembly or raw instructions")->required();
    cmd->add_flag("--json", opts->json, "Print JSON");
    cmd->callback([opts, &exit_code] {
        auto obj = load_file(opts->file, LoadOptions{std::nullopt, {}, false});
        if (!obj) {
            exit_code = report_input_error(obj.error());
            return;
        }
        if (opts->json) {
            std::cout << to_json(*obj).dump(2) << "\n";
        } else {
            print_text(*obj);
        }
        exit_code = kExitOk;
    });
}

}  // namespace bpflab::cli
