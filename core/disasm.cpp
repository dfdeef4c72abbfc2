// SPDX-License-Identifier: Apache-2.0
// bpflab: building and formatting program listings for `bpflab disasm`.
#include "core/disasm.hpp"

#include <cstdio>
#include <span>
#include <string>

namespace bpflab {
namespace {

std::string hex_bytes(std::span<const RawInsn> slots) {
    std::string out;
    for (std::uint8_t b : bytes_from_slots(slots)) {
        char buf[4];
        std::snprintf(buf, sizeof buf, "%02x", b);
        if (!out.empty()) out += ' ';
        out += buf;
    }
    return out;
}

std::string with_addend(const std::string& sym, std::int64_t addend) {
    if (addend == 0) return sym;
    return sym + (addend > 0 ? "+" : "-") + std::to_string(addend > 0 ? addend : -addend);
}

std::string source_text(const SourceLine& s) {
    std::string t = s.text;
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.erase(t.begin());
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    std::string where = s.file;
    const auto slash = where.find_last_of('/');
    if (slash != std::string::npos) where = where.substr(slash + 1);
    return t + "  [" + where + ":" + std::to_string(s.line) + "]";
}

const Subprogram* function_at(const Program& p, std::int64_t pc) {
    for (const auto& f : p.functions)
        if (f.start_pc == pc) return &f;
    return nullptr;
}

}  // namespace

std::string relocation_comment(const RelocNote& n) {
    switch (n.kind) {
        case RelocNote::Kind::Map:
            return "map " + n.symbol;
        case RelocNote::Kind::MapValue:
            return with_addend(n.symbol, n.addend);
        case RelocNote::Kind::Subprogram:
            return "call " + n.symbol;
        case RelocNote::Kind::Kfunc:
            return "kfunc " + n.symbol;
        case RelocNote::Kind::Other:
            return with_addend(n.symbol, n.addend);
    }
    return n.symbol;
}

Listing list_program(const Program& p, Syntax syntax, bool with_source) {
    Listing l{p.name, p.section, p.type, {}};
    const Code& code = p.code;
    std::size_t next_line = 0;
    std::string last_source;  // a line repeated by consecutive records is shown once
    for (std::size_t i = 0; i < code.insns.size(); ++i) {
        const std::uint32_t pc = code.pc[i];
        const Instruction& insn = code.insns[i];
        ListingLine line;
        line.index = pc;
        const auto width = static_cast<std::size_t>(slot_width(insn));
        line.bytes = hex_bytes(std::span<const RawInsn>(code.raw).subspan(pc, width));
        line.text = print_instruction(insn, syntax);
        if (const RelocNote* r = p.relocation_at(pc)) {
            line.comment = relocation_comment(*r);
        } else if (const auto* c = std::get_if<Call>(&insn); c && c->kind == CallKind::Local) {
            if (const Subprogram* f = function_at(p, jump_target(insn, pc)))
                line.comment = "call " + f->name;
        }
        if (const Subprogram* f = function_at(p, pc); f && (pc != 0 || f->name != p.name))
            line.function = f->name;
        if (with_source) {
            // Every line-info record that starts inside this instruction's slots.
            while (next_line < p.lines.size() && p.lines[next_line].pc < pc + width) {
                const SourceLine& s = p.lines[next_line++];
                if (s.text.empty()) continue;
                std::string t = source_text(s);
                if (t == last_source) continue;
                last_source = t;
                line.source.push_back(std::move(t));
            }
        }
        l.lines.push_back(std::move(line));
    }
    return l;
}

std::string format_listing(const Listing& l) {
    std::string out;
    for (const ListingLine& line : l.lines) {
        if (!line.function.empty()) out += "\n" + line.function + ":\n";
        for (const auto& s : line.source) out += "; " + s + "\n";
        char idx[16];
        std::snprintf(idx, sizeof idx, "%6u:\t", line.index);
        out += idx + line.bytes + "\t" + line.text;
        if (!line.comment.empty()) out += "  ; " + line.comment;
        out += "\n";
    }
    return out;
}

}  // namespace bpflab
