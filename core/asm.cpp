// SPDX-License-Identifier: Apache-2.0
// bpflab: the assembler driver (comments, labels, two passes) and dialect selection.
#include "core/asm.hpp"

#include <bpf/libbpf.h>

#include <map>

#include "core/asm_text.hpp"

namespace bpflab {
namespace {

using asm_text::Parsed;
using asm_text::ParseError;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::string_view strip_comment(std::string_view s) {
    std::size_t cut = s.size();
    for (std::string_view mark : {";", "#", "//"}) cut = std::min(cut, s.find(mark));
    return s.substr(0, cut);
}

bool is_label_char(char c, bool first) {
    const bool alpha =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == '$';
    return alpha || (!first && c >= '0' && c <= '9');
}

// Splits a leading `name:` off `s`; returns the label name or an empty string.
std::string take_label(std::string_view& s) {
    std::size_t i = 0;
    while (i < s.size() && is_label_char(s[i], i == 0)) ++i;
    if (i == 0 || i >= s.size() || s[i] != ':') return {};
    std::string name(s.substr(0, i));
    s = trim(s.substr(i + 1));
    return name;
}

struct Line {
    std::size_t number = 0;
    std::string_view text;  ///< the statement, without label or comment
};

// Statements of a text, with the labels defined before each (label -> statement index).
struct Split {
    std::vector<Line> statements;
    std::vector<std::pair<std::string, std::size_t>> labels;  ///< name, statement index
    std::vector<std::size_t> label_lines;
    std::vector<Line> directives;  ///< statements starting with '.', in file order
};

Split split(std::string_view text) {
    Split out;
    std::size_t number = 0;
    while (!text.empty() || number == 0) {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        ++number;
        std::string_view s = trim(strip_comment(line));
        for (std::string name = take_label(s); !name.empty(); name = take_label(s)) {
            out.labels.emplace_back(std::move(name), out.statements.size());
            out.label_lines.push_back(number);
        }
        if (!s.empty() && s.front() == '.') {
            out.directives.push_back(Line{number, s});
        } else if (!s.empty()) {
            out.statements.push_back(Line{number, s});
        }
        if (text.empty()) break;
    }
    return out;
}

std::optional<Syntax> detect_line(std::string_view s) {
    auto starts = [&](std::string_view p) { return s.substr(0, p.size()) == p; };
    if (s.find('=') != std::string_view::npos) return Syntax::Linux;
    for (std::string_view p : {"if ", "goto ", "gotol ", "*(", "lock *", "call pc", "call kfunc",
                               "ld_pseudo", "store_release"})
        if (starts(p)) return Syntax::Linux;
    if (starts("call local") || starts("call helper") || starts("call runtime"))
        return Syntax::Ubpf;
    const std::size_t sp = s.find_first_of(" \t");
    if (sp == std::string_view::npos) return std::nullopt;  // exit, or a lone word
    const std::string_view word = s.substr(0, sp);
    if (word == "call" || word == "may_goto" || word == "gotox") return std::nullopt;
    return Syntax::Ubpf;
}

std::optional<std::uint32_t> map_type_from_name(std::string_view name) {
    for (std::uint32_t t = 0; t < 64; ++t) {
        const char* s = libbpf_bpf_map_type_str(static_cast<bpf_map_type>(t));
        if (s != nullptr && name == s) return t;
    }
    return std::nullopt;
}

// `.type NAME` or `.map NAME TYPE key=K value=V entries=N flags=F` into `unit`.
std::optional<std::string> parse_directive(std::string_view stmt, AssembledUnit& unit) {
    asm_text::Cursor c(stmt);
    if (c.accept_word(".type")) {
        const std::string name = c.ident();
        if (name.empty() || !c.done()) return "'.type' takes one program type name";
        if (!prog_type_from_name(name)) return "unknown program type '" + name + "'";
        if (!unit.type.empty()) return "'.type' is given twice";
        unit.type = name;
        return std::nullopt;
    }
    if (!c.accept_word(".map")) return "unknown directive '" + c.rest() + "'";
    MapDef m;
    m.name = c.ident();
    if (m.name.empty()) return "'.map' needs a name";
    for (const MapDef& other : unit.maps)
        if (other.name == m.name) return "map '" + m.name + "' is defined twice";
    const std::string type = c.ident();
    const auto t = map_type_from_name(type);
    if (!t) return "unknown map type '" + type + "'";
    m.type = *t;
    m.origin = MapOrigin::Legacy;
    m.section = ".maps";
    while (!c.done()) {
        const std::string key = c.ident();
        std::uint32_t* field = key == "key"       ? &m.key_size
                               : key == "value"   ? &m.value_size
                               : key == "entries" ? &m.max_entries
                               : key == "flags"   ? &m.flags
                                                  : nullptr;
        if (field == nullptr || !c.accept("=")) return "expected key=, value=, entries= or flags=";
        const auto v = c.number();
        if (!v || *v < 0 || *v > 0xffffffffLL)
            return "'" + key + "=' needs a 32-bit unsigned number";
        *field = static_cast<std::uint32_t>(*v);
    }
    unit.maps.push_back(std::move(m));
    return std::nullopt;
}

// A map reference statement: `rN = map[NAME] ll`, `rN = map_value[NAME] + OFF ll` (Linux) or
// `lddw rN, map[NAME]`, `lddw rN, map_value[NAME] + OFF` (uBPF). nullopt when `stmt` is not one.
std::optional<std::variant<Parsed, ParseError>> parse_map_ref(std::string_view stmt, Syntax syn,
                                                              const std::vector<MapDef>& maps) {
    asm_text::Cursor c(stmt);
    if (syn == Syntax::Ubpf && !c.accept_word("lddw")) return std::nullopt;
    const auto dst = c.reg();
    if (!dst || !c.accept(syn == Syntax::Linux ? "=" : ",")) return std::nullopt;
    LdImm64 l;
    l.dst = *dst;
    if (c.accept_word("map_value")) {
        l.kind = LdImmKind::MapValue;
    } else if (c.accept_word("map")) {
        l.kind = LdImmKind::MapFd;
    } else {
        return std::nullopt;
    }
    if (!c.accept("[")) return std::nullopt;
    const std::string name = c.ident();
    if (!c.accept("]")) return ParseError{"expected ']' after the map name"};
    std::size_t index = maps.size();
    for (std::size_t i = 0; i < maps.size(); ++i)
        if (maps[i].name == name) index = i;
    if (index == maps.size()) return ParseError{"no '.map' named '" + name + "'"};
    l.imm = static_cast<std::int32_t>(index);
    if (l.kind == LdImmKind::MapValue && (c.peek() == '+' || c.peek() == '-')) {
        const auto off = c.number();
        if (!off) return ParseError{"expected a number after the map value"};
        if (auto bad = asm_text::check_imm32(*off, "map value offset")) return ParseError{*bad};
        l.next_imm = asm_text::to_imm32(*off);
    }
    if (syn == Syntax::Linux && !c.accept_word("ll")) return ParseError{"expected 'll'"};
    if (!c.done()) return ParseError{"unexpected '" + c.rest() + "'"};
    return Parsed{l, std::nullopt};
}

std::int32_t first_exit(const std::vector<Parsed>& parsed, const std::vector<std::uint32_t>& pcs) {
    for (std::size_t i = 0; i < parsed.size(); ++i)
        if (std::holds_alternative<Exit>(parsed[i].insn)) return static_cast<std::int32_t>(pcs[i]);
    return -1;
}

}  // namespace

std::optional<Syntax> syntax_from_name(std::string_view n) {
    if (n == "linux") return Syntax::Linux;
    if (n == "ubpf") return Syntax::Ubpf;
    return std::nullopt;
}

std::string_view syntax_name(Syntax s) {
    return s == Syntax::Linux ? "linux" : "ubpf";
}

std::string print_instruction(const Instruction& insn, Syntax syntax) {
    return syntax == Syntax::Linux ? asm_text::print_linux(insn) : asm_text::print_ubpf(insn);
}

std::optional<Syntax> detect_syntax(std::string_view text) {
    for (const Line& l : split(text).statements)
        if (auto s = detect_line(l.text)) return s;
    return std::nullopt;
}

Expected<std::vector<Instruction>> assemble(std::string_view text, std::optional<Syntax> syntax,
                                            const std::string& file) {
    auto unit = assemble_unit(text, syntax, file);
    if (!unit) return unit.error();
    return std::move(unit->insns);
}

Expected<AssembledUnit> assemble_unit(std::string_view text, std::optional<Syntax> syntax,
                                      const std::string& file) {
    const Split sp = split(text);
    const Syntax syn = syntax ? *syntax : detect_syntax(text).value_or(Syntax::Linux);
    auto error = [&](std::size_t line, const std::string& why) {
        return Diagnostic{"line " + std::to_string(line) + ": " + why, std::nullopt, file};
    };
    AssembledUnit unit;
    for (const Line& l : sp.directives)
        if (auto bad = parse_directive(l.text, unit)) return error(l.number, *bad);
    std::vector<Parsed> parsed;
    std::vector<std::uint32_t> pcs;
    std::uint32_t pc = 0;
    for (const Line& l : sp.statements) {
        auto ref = unit.maps.empty() ? std::nullopt : parse_map_ref(l.text, syn, unit.maps);
        auto r = ref                    ? std::move(*ref)
                 : syn == Syntax::Linux ? asm_text::parse_linux(l.text)
                                        : asm_text::parse_ubpf(l.text);
        if (ref) {
            if (const auto* p = std::get_if<Parsed>(&r)) {
                const auto& l64 = std::get<LdImm64>(p->insn);
                unit.map_refs.push_back(MapRef{pc, static_cast<std::size_t>(l64.imm), l64.next_imm,
                                               l64.kind == LdImmKind::MapValue});
            }
        }
        if (auto* e = std::get_if<ParseError>(&r)) return error(l.number, e->why);
        pcs.push_back(pc);
        pc += static_cast<std::uint32_t>(slot_width(std::get<Parsed>(r).insn));
        parsed.push_back(std::get<Parsed>(std::move(r)));
    }
    std::map<std::string, std::uint32_t> labels;
    for (std::size_t i = 0; i < sp.labels.size(); ++i) {
        const auto& [name, index] = sp.labels[i];
        const std::uint32_t at = index < pcs.size() ? pcs[index] : pc;
        if (!labels.emplace(name, at).second)
            return error(sp.label_lines[i], "label '" + name + "' is defined twice");
    }
    std::vector<Instruction>& out = unit.insns;
    out.reserve(parsed.size());
    for (std::size_t i = 0; i < parsed.size(); ++i) {
        Parsed& p = parsed[i];
        if (p.label) {
            std::int64_t target = -1;
            if (auto it = labels.find(p.label->name); it != labels.end()) {
                target = it->second;
            } else if (p.label->name == "exit" && syn == Syntax::Ubpf) {
                target = first_exit(parsed, pcs);  // bpf_conformance's implicit label
            }
            if (target < 0)
                return error(sp.statements[i].number, "undefined label '" + p.label->name + "'");
            const std::int64_t delta = target - (static_cast<std::int64_t>(pcs[i]) + 1);
            auto bad = p.label->wide ? asm_text::check_imm32(delta, "offset to label")
                                     : asm_text::check_off16(delta, "offset to label");
            if (bad) return error(sp.statements[i].number, *bad);
            std::visit(Overloaded{
                           [&](Jmp& j) { j.offset = static_cast<std::int16_t>(delta); },
                           [&](Ja& j) { j.offset = static_cast<std::int32_t>(delta); },
                           [&](MayGoto& m) { m.offset = static_cast<std::int16_t>(delta); },
                           [&](Call& c) { c.imm = static_cast<std::int32_t>(delta); },
                           [](auto&) {},
                       },
                       p.insn);
        }
        out.push_back(std::move(p.insn));
    }
    return unit;
}

}  // namespace bpflab
