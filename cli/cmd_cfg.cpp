// SPDX-License-Identifier: Apache-2.0
// `bpflab cfg FILE [--program NAME] [--dot OUT.dot] [--json]`: control-flow graphs, loops, WTOs.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.hpp"
#include "core/asm.hpp"
#include "core/cfg.hpp"
#include "core/load.hpp"

namespace bpflab::cli {
namespace {

struct Analysed {
    const Program* program;
    ProgramCfg cfg;
};

nlohmann::json function_json(const FunctionCfg& f) {
    nlohmann::json blocks = nlohmann::json::array();
    for (std::size_t b = 0; b < f.blocks.size(); ++b) {
        nlohmann::json succ = nlohmann::json::array();
        for (auto [it, end] = boost::out_edges(b, f.graph); it != end; ++it)
            succ.push_back({{"block", boost::target(*it, f.graph)},
                            {"kind", edge_kind_name(f.graph[*it].kind)}});
        blocks.push_back({{"id", b},
                          {"start", f.blocks[b].start_pc},
                          {"end", f.blocks[b].end_pc},
                          {"instructions", f.blocks[b].pcs},
                          {"reachable", f.blocks[b].reachable},
                          {"successors", succ}});
    }
    nlohmann::json back = nlohmann::json::array();
    for (auto [s, t] : f.back_edges) back.push_back({{"source", s}, {"target", t}});
    nlohmann::json loops = nlohmann::json::array();
    for (const Loop& l : f.loops)
        loops.push_back({{"head", l.head},
                         {"blocks", l.blocks},
                         {"back_edges", l.back_edges},
                         {"depth", l.depth}});
    return {{"name", f.name},           {"start", f.start_pc},
            {"end", f.end_pc},          {"called", f.called},
            {"blocks", blocks},         {"back_edges", back},
            {"loops", loops},           {"irreducible", f.irreducible},
            {"wto", f.wto.to_string()}, {"unreachable", f.unreachable}};
}

nlohmann::json to_json(const std::vector<Analysed>& all) {
    nlohmann::json progs = nlohmann::json::array();
    for (const auto& a : all) {
        nlohmann::json funcs = nlohmann::json::array();
        for (const auto& f : a.cfg.functions) funcs.push_back(function_json(f));
        nlohmann::json calls = nlohmann::json::array();
        for (const auto& c : a.cfg.calls)
            calls.push_back({{"caller", a.cfg.functions[c.caller].name},
                             {"callee", a.cfg.functions[c.callee].name},
                             {"pc", c.pc}});
        nlohmann::json recursion = nlohmann::json::array();
        for (const auto& group : a.cfg.recursion) {
            nlohmann::json names = nlohmann::json::array();
            for (std::size_t fi : group) names.push_back(a.cfg.functions[fi].name);
            recursion.push_back(names);
        }
        nlohmann::json notes = nlohmann::json::array();
        for (const auto& n : a.cfg.notes)
            notes.push_back({{"pc", n.insn ? nlohmann::json(*n.insn) : nlohmann::json()},
                             {"message", n.message}});
        progs.push_back({{"name", a.program->name},
                         {"functions", funcs},
                         {"call_graph", calls},
                         {"recursion", recursion},
                         {"notes", notes}});
    }
    return {{"programs", progs}};
}

std::string block_list(const std::vector<std::size_t>& blocks) {
    std::string s;
    for (std::size_t b : blocks) s += (s.empty() ? "B" : " B") + std::to_string(b);
    return s;
}

void print_function(const FunctionCfg& f, std::size_t index, std::ostream& out) {
    out << "  Function " << f.name << " [" << f.start_pc << ", " << f.end_pc << ")"
        << (index == 0 ? " (entry)"
            : f.called ? ""
                       : " (not called from the entry)")
        << "\n";
    for (std::size_t b = 0; b < f.blocks.size(); ++b) {
        const BasicBlock& blk = f.blocks[b];
        std::ostringstream head;
        head << "B" << b << " [" << blk.start_pc << ", " << blk.end_pc << ")";
        out << "    " << std::left << std::setw(18) << head.str();
        if (!blk.reachable) out << " unreachable";
        std::string succ;
        for (auto [it, end] = boost::out_edges(b, f.graph); it != end; ++it) {
            succ += succ.empty() ? " -> " : ", ";
            succ += "B" + std::to_string(boost::target(*it, f.graph)) + " " +
                    std::string(edge_kind_name(f.graph[*it].kind));
            if (f.graph[*it].back) succ += " (back)";
        }
        out << (succ.empty() ? " -> (none)" : succ) << "\n";
    }
    for (const Loop& l : f.loops)
        out << "    Loop at B" << l.head << ": {" << block_list(l.blocks) << "}, depth " << l.depth
            << ", back edges from " << block_list(l.back_edges) << "\n";
    if (f.irreducible) out << "    Irreducible: some cycles have more than one entry\n";
    out << "    WTO: " << f.wto.to_string() << "\n";
    if (!f.unreachable.empty()) {
        out << "    Unreachable pcs:";
        for (std::uint32_t pc : f.unreachable) out << " " << pc;
        out << "\n";
    }
}

void print_text(const std::vector<Analysed>& all, std::ostream& out) {
    bool first = true;
    for (const auto& a : all) {
        if (!first) out << "\n";
        first = false;
        out << "Program " << a.program->name << ": " << a.cfg.functions.size() << " function(s), "
            << a.program->code.slot_count() << " slot(s)\n";
        for (std::size_t fi = 0; fi < a.cfg.functions.size(); ++fi)
            print_function(a.cfg.functions[fi], fi, out);
        if (!a.cfg.calls.empty()) {
            out << "  Call graph:\n";
            for (const auto& c : a.cfg.calls)
                out << "    " << a.cfg.functions[c.caller].name << " -> "
                    << a.cfg.functions[c.callee].name << " at pc " << c.pc << "\n";
        }
        if (!a.cfg.notes.empty()) {
            out << "  Notes:\n";
            for (const auto& n : a.cfg.notes) out << "    " << n.to_string() << "\n";
        }
    }
}

// Graphviz string body: backslashes and quotes escaped, lines left-justified with "\l".
std::string dot_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\l";
            continue;
        }
        out += c;
    }
    return out;
}

const char* edge_style(EdgeKind k) {
    switch (k) {
        case EdgeKind::Fallthrough:
            return "color=black";
        case EdgeKind::Taken:
            return "color=darkgreen, fontcolor=darkgreen";
        case EdgeKind::NotTaken:
            return "color=red3, fontcolor=red3";
        case EdgeKind::Goto:
            return "color=blue, fontcolor=blue";
    }
    return "";
}

std::string node_id(std::size_t p, std::size_t f, std::size_t b) {
    return "p" + std::to_string(p) + "_f" + std::to_string(f) + "_b" + std::to_string(b);
}

std::string block_label(const Program& prog, const FunctionCfg& f, std::size_t b) {
    const BasicBlock& blk = f.blocks[b];
    std::string text = "B" + std::to_string(b) + " [" + std::to_string(blk.start_pc) + ", " +
                       std::to_string(blk.end_pc) + ")\n";
    for (std::uint32_t pc : blk.pcs) {
        const Instruction& insn = prog.code.at_pc(pc);
        text += std::to_string(pc) + ": " + print_instruction(insn, Syntax::Linux);
        if (const std::int64_t t = jump_target(insn, pc); t >= 0)
            text += "  ; -> " + std::to_string(t);
        text += "\n";
        if (std::holds_alternative<Gotox>(insn)) text += "(gotox: successors unknown)\n";
    }
    return dot_escape(text);
}

void write_dot(const std::vector<Analysed>& all, std::ostream& out) {
    out << "digraph cfg {\n"
           "  compound=true;\n"
           "  node [shape=box, fontname=\"monospace\", fontsize=10];\n"
           "  edge [fontname=\"sans-serif\", fontsize=9];\n";
    for (std::size_t p = 0; p < all.size(); ++p) {
        const auto& a = all[p];
        out << "  subgraph cluster_p" << p << " {\n    label=\"program "
            << dot_escape(a.program->name) << "\";\n";
        for (std::size_t fi = 0; fi < a.cfg.functions.size(); ++fi) {
            const FunctionCfg& f = a.cfg.functions[fi];
            out << "    subgraph cluster_p" << p << "_f" << fi << " {\n      label=\""
                << dot_escape(f.name) << " [" << f.start_pc << ", " << f.end_pc << ")"
                << (f.called ? "" : " (not called)") << "\\nWTO: " << f.wto.to_string()
                << "\";\n      style=rounded;\n";
            for (std::size_t b = 0; b < f.blocks.size(); ++b) {
                out << "      " << node_id(p, fi, b) << " [label=\""
                    << block_label(*a.program, f, b) << "\"";
                if (!f.blocks[b].reachable) out << ", style=filled, fillcolor=gray85";
                if (f.wto.is_head(b)) out << ", peripheries=2";
                out << "];\n";
            }
            out << "    }\n";
        }
        out << "  }\n";
        for (std::size_t fi = 0; fi < a.cfg.functions.size(); ++fi) {
            const FunctionCfg& f = a.cfg.functions[fi];
            for (auto [it, end] = boost::edges(f.graph); it != end; ++it) {
                const CfgEdgeInfo& e = f.graph[*it];
                out << "  " << node_id(p, fi, boost::source(*it, f.graph)) << " -> "
                    << node_id(p, fi, boost::target(*it, f.graph)) << " [label=\""
                    << edge_kind_name(e.kind) << (e.back ? " (back)" : "") << "\", "
                    << edge_style(e.kind);
                if (e.back) out << ", penwidth=2.5, color=purple, fontcolor=purple";
                out << "];\n";
            }
        }
        for (const auto& c : a.cfg.calls) {
            const auto b = a.cfg.functions[c.caller].block_of(c.pc);
            if (b < 0) continue;
            out << "  " << node_id(p, c.caller, static_cast<std::size_t>(b)) << " -> "
                << node_id(p, c.callee, 0) << " [label=\"call at " << c.pc
                << "\", style=dashed, color=gray40, fontcolor=gray40, constraint=false];\n";
        }
    }
    out << "}\n";
}

}  // namespace

void register_cfg(CLI::App& app, int& exit_code) {
    struct Opts {
        std::string file;
        std::string program;
        std::string dot;
        bool json = false;
    };
    auto opts = std::make_shared<Opts>();
    auto* cmd = app.add_subcommand(
        "cfg", "Control-flow graph: blocks, calls, loops and weak topological order");
    cmd->add_option("FILE", opts->file, "ELF object (.o), assembly (.s/.asm) or raw bytes (.bin)")
        ->required();
    cmd->add_option("--program", opts->program, "Only the program with this name");
    cmd->add_option("--dot", opts->dot, "Also write the graph in Graphviz DOT to this file");
    cmd->add_flag("--json", opts->json, "Print JSON");
    cmd->callback([opts, &exit_code] {
        auto obj = load_file(opts->file, LoadOptions{std::nullopt, {}, false});
        if (!obj) {
            exit_code = report_input_error(obj.error());
            return;
        }
        std::vector<Analysed> all;
        for (const Program& p : obj->programs)
            if (opts->program.empty() || p.name == opts->program)
                all.push_back(Analysed{&p, build_cfg(p)});
        if (all.empty()) {
            exit_code = report_input_error(
                Diagnostic{"no program named '" + opts->program + "'", std::nullopt, opts->file});
            return;
        }
        if (!opts->dot.empty()) {
            std::ofstream dot(opts->dot);
            if (dot) write_dot(all, dot);
            if (!dot) {
                exit_code = report_input_error(
                    Diagnostic{"cannot write DOT output to '" + opts->dot + "'", std::nullopt, {}});
                return;
            }
        }
        if (opts->json) {
            std::cout << to_json(all).dump(2) << "\n";
        } else {
            print_text(all, std::cout);
        }
        exit_code = kExitOk;
    });
}

}  // namespace bpflab::cli
