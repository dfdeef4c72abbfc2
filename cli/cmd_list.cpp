// SPDX-License-Identifier: Apache-2.0
// `bpflab list FILE [--json]`: the programs, maps and global data of an object.
#include <algorithm>
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
                         {"section_offset", p.section_offset},
                         {"type", p.type},
                         {"prog_type", p.prog_type},
                         {"expected_attach_type", p.expected_attach_type},
                         {"instructions", p.code.slot_count()},
                         {"functions", funcs},
                         {"relocations", p.relocations.size()},
                         {"source_lines", p.lines.size()}});
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
        if (m.inner_map) maps.back()["inner_map"] = obj.maps[*m.inner_map].name;
    }
    return {{"file", obj.path}, {"license", obj.license}, {"programs", progs}, {"maps", maps}};
}

void print_text(const Object& obj) {
    std::cout << obj.path << ": " << obj.programs.size() << " program(s), " << obj.maps.size()
              << " map(s)";
    if (!obj.license.empty()) std::cout << ", license " << obj.license;
    std::cout << "\n";
    // Column widths follow the longest name so that long section names stay aligned.
    std::size_t name_w = 24, sec_w = 28, map_w = 24;
    for (const auto& p : obj.programs) {
        name_w = std::max(name_w, p.name.size() + 2);
        sec_w = std::max(sec_w, p.section.size() + 2);
    }
    for (const auto& m : obj.maps) map_w = std::max(map_w, m.name.size() + 2);
    const auto nw = static_cast<int>(name_w), sw = static_cast<int>(sec_w),
               mw = static_cast<int>(map_w);
    if (!obj.programs.empty()) {
        std::cout << "\nPrograms:\n  " << std::left << std::setw(nw) << "NAME" << std::setw(sw)
                  << "SECTION" << std::setw(20) << "TYPE" << std::setw(8) << "INSNS"
                  << "FUNCTIONS\n";
        for (const auto& p : obj.programs) {
            std::string subs;
            for (std::size_t i = 1; i < p.functions.size(); ++i)
                subs += (i > 1 ? "," : "") + p.functions[i].name;
            std::cout << "  " << std::setw(nw) << p.name << std::setw(sw) << p.section
                      << std::setw(20) << (p.type.empty() ? "-" : p.type) << std::setw(8)
                      << p.code.slot_count() << (subs.empty() ? "-" : subs) << "\n";
        }
    }
    if (!obj.maps.empty()) {
        std::cout << "\nMaps:\n  " << std::setw(mw) << "NAME" << std::setw(20) << "TYPE"
                  << std::setw(8) << "KEY" << std::setw(8) << "VALUE" << std::setw(12)
                  << "MAX_ENTRIES" << std::setw(8) << "FLAGS" << "ORIGIN\n";
        for (const auto& m : obj.maps)
            std::cout << "  " << std::setw(mw) << m.name << std::setw(20) << map_type_name(m.type)
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
