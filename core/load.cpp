// SPDX-License-Identifier: Apache-2.0
// bpflab: dispatching an input file to the ELF loader, the assembler or the raw decoder.
#include "core/load.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/elf.hpp"

namespace bpflab {
namespace {

Expected<std::vector<std::uint8_t>> read_bytes(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Diagnostic{"no such file", std::nullopt, path};
    if (std::filesystem::is_directory(path, ec))
        return Diagnostic{"is a directory, not a file", std::nullopt, path};
    std::ifstream in(path, std::ios::binary);
    if (!in) return Diagnostic{"cannot open file for reading", std::nullopt, path};
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
    if (in.bad()) return Diagnostic{"read error", std::nullopt, path};
    return bytes;
}

bool has_suffix(const std::string& s, std::string_view suf) {
    return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

}  // namespace

Expected<Object> object_from_slots(std::vector<RawInsn> slots, const std::string& path,
                                   const LoadOptions& opts) {
    auto code = decode(slots);
    if (!code) {
        Diagnostic d = code.error();
        d.file = path;
        return d;
    }
    if (opts.validate) {
        auto problems = validate(*code);
        if (!problems.empty()) {
            Diagnostic d = problems.front();
            d.file = path;
            if (problems.size() > 1)
                d.message += " (and " + std::to_string(problems.size() - 1) + " more problems)";
            return d;
        }
    }
    Program p;
    p.name = std::filesystem::path(path).stem().string();
    p.type = opts.type;
    if (!opts.type.empty()) {
        auto t = prog_type_from_name(opts.type);
        if (!t) return Diagnostic{"unknown program type '" + opts.type + "'", std::nullopt, path};
        p.prog_type = *t;
        p.type = prog_type_name(*t);
    }
    p.functions.push_back(Subprogram{p.name, 0, static_cast<std::uint32_t>(code->slot_count())});
    p.code = std::move(*code);
    Object obj;
    obj.path = path;
    obj.programs.push_back(std::move(p));
    return obj;
}

Expected<Object> load_file(const std::string& path, const LoadOptions& opts) {
    auto bytes = read_bytes(path);
    if (!bytes) return bytes.error();
    const auto& b = *bytes;
    if (b.size() >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F') {
        auto obj = load_elf_memory(b, path);
        if (obj && opts.validate) {
            for (const auto& p : obj->programs) {
                auto problems = validate(p.code);
                if (!problems.empty()) {
                    Diagnostic d = problems.front();
                    d.file = path;
                    d.message = "program '" + p.name + "': " + d.message;
                    return d;
                }
            }
        }
        return obj;
    }
    if (has_suffix(path, ".s") || has_suffix(path, ".asm") || has_suffix(path, ".S")) {
        std::string text(b.begin(), b.end());
        auto unit = assemble_unit(text, opts.syntax, path);
        if (!unit) return unit.error();
        LoadOptions with_type = opts;
        if (with_type.type.empty()) with_type.type = unit->type;  // --type overrides .type
        auto obj = object_from_slots(encode(unit->insns), path, with_type);
        if (!obj) return obj;
        obj->maps = std::move(unit->maps);
        for (const MapRef& r : unit->map_refs) {
            RelocNote note;
            note.pc = r.pc;
            note.kind = r.value ? RelocNote::Kind::MapValue : RelocNote::Kind::Map;
            note.symbol = obj->maps[r.map].name;
            note.map_index = static_cast<std::int64_t>(r.map);
            note.addend = r.offset;
            obj->programs.front().relocations.push_back(std::move(note));
        }
        return obj;
    }
    auto slots = slots_from_bytes(b);
    if (!slots) {
        Diagnostic d = slots.error();
        d.file = path;
        return d;
    }
    return object_from_slots(std::move(*slots), path, opts);
}

}  // namespace bpflab
