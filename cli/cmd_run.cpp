// SPDX-License-Identifier: Apache-2.0
// `bpflab run FILE [--program NAME] [--type T] [--engine interp|jit|kernel] [--packet FILE |
// --packet-hex HEX] [--ctx JSON] [--maps JSON] [--repeat N] [--json]`.
#include <linux/bpf.h>
#include <linux/ptrace.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <cstddef>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "checker/kernel.hpp"
#include "cli/commands.hpp"
#include "core/jit/jit.hpp"
#include "core/load.hpp"
#include "core/vm/interp.hpp"

namespace bpflab::cli {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::string to_hex(const Bytes& b) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (auto c : b) {
        s += d[c >> 4];
        s += d[c & 15];
    }
    return s;
}

Bytes from_hex(std::string hex, const std::string& what) {
    std::string clean;
    for (char c : hex)
        if (!std::isspace(static_cast<unsigned char>(c))) clean += c;
    if (clean.rfind("0x", 0) == 0) clean = clean.substr(2);
    if (clean.size() % 2 != 0 ||
        clean.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
        throw InputError(Diagnostic{what + ": '" + hex + "' is not a hex byte string", {}, {}});
    Bytes out;
    for (std::size_t i = 0; i < clean.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoul(clean.substr(i, 2), nullptr, 16)));
    return out;
}

Bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(Diagnostic{"cannot open packet file", std::nullopt, path});
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

nlohmann::json parse_json(const std::string& text, const std::string& what) {
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(Diagnostic{what + " is not valid JSON: " + e.what(), {}, {}});
    }
}

/// A JSON key or value: a hex string ("0x0a000001" or "0a000001") or an integer, stored
/// little-endian in `size` bytes.
Bytes encode_value(const nlohmann::json& v, std::uint32_t size, const std::string& what) {
    Bytes out;
    if (v.is_number_integer()) {
        auto x = v.get<std::int64_t>();
        for (std::uint32_t i = 0; i < size; ++i) out.push_back(static_cast<std::uint8_t>(x >> (8 * (i % 8))));
        if (size > 8) std::fill(out.begin() + 8, out.end(), 0);
        return out;
    }
    if (v.is_string()) out = from_hex(v.get<std::string>(), what);
    if (out.size() != size)
        throw InputError(Diagnostic{what + ": expected " + std::to_string(size) +
                                        " bytes, got " + std::to_string(out.size()), {}, {}});
    return out;
}

/// Context: {"hex": "..."} gives the raw bytes; other keys name fields (`mark`, `priority`,
/// pt_regs registers `di`, `si`, ... for kprobes).
Bytes build_context(const nlohmann::json& ctx, const Program& prog) {
    const ProgramTypeInfo* type = program_type_info(prog.prog_type);
    Bytes out(type != nullptr ? type->ctx_size : 0, 0);
    if (ctx.is_null()) return out;
    if (!ctx.is_object()) throw InputError(Diagnostic{"--ctx must be a JSON object", {}, {}});
    if (ctx.contains("hex")) out = from_hex(ctx["hex"].get<std::string>(), "--ctx hex");
    static const std::pair<const char*, std::size_t> kRegs[] = {
        {"r15", offsetof(pt_regs, r15)}, {"r14", offsetof(pt_regs, r14)},
        {"r13", offsetof(pt_regs, r13)}, {"r12", offsetof(pt_regs, r12)},
        {"bp", offsetof(pt_regs, rbp)},  {"bx", offsetof(pt_regs, rbx)},
        {"r11", offsetof(pt_regs, r11)}, {"r10", offsetof(pt_regs, r10)},
        {"r9", offsetof(pt_regs, r9)},   {"r8", offsetof(pt_regs, r8)},
        {"ax", offsetof(pt_regs, rax)},  {"cx", offsetof(pt_regs, rcx)},
        {"dx", offsetof(pt_regs, rdx)},  {"si", offsetof(pt_regs, rsi)},
        {"di", offsetof(pt_regs, rdi)},  {"ip", offsetof(pt_regs, rip)},
        {"sp", offsetof(pt_regs, rsp)},
    };
    for (const auto& [key, value] : ctx.items()) {
        if (key == "hex") continue;
        std::size_t off = SIZE_MAX, size = 0;
        if (type != nullptr)
            for (const auto& f : type->fields)
                if (f.name == key) {
                    off = f.offset;
                    size = f.kind == CtxFieldKind::Scalar ? f.size : 0;
                }
        if (off == SIZE_MAX && prog.prog_type == BPF_PROG_TYPE_KPROBE)
            for (const auto& [name, o] : kRegs)
                if (key == name) {
                    off = o;
                    size = 8;
                }
        if (off == SIZE_MAX || size == 0)
            throw InputError(Diagnostic{"--ctx: '" + key + "' is not a settable field of " +
                                            (prog.type.empty() ? "this program" : prog.type),
                                        {}, {}});
        if (out.size() < off + size) out.resize(off + size, 0);
        const Bytes b = encode_value(value, static_cast<std::uint32_t>(std::min<std::size_t>(size, 8)),
                                     "--ctx " + key);
        std::copy(b.begin(), b.end(), out.begin() + static_cast<std::ptrdiff_t>(off));
    }
    return out;
}

/// Map contents: {"name": [{"key": K, "value": V}, ...]}; a program array's value may name a
/// program of the object.
std::vector<std::tuple<std::size_t, Bytes, Bytes>> parse_maps(const nlohmann::json& maps,
                                                              const Object& obj) {
    std::vector<std::tuple<std::size_t, Bytes, Bytes>> out;
    if (maps.is_null()) return out;
    if (!maps.is_object()) throw InputError(Diagnostic{"--maps must be a JSON object", {}, {}});
    for (const auto& [name, entries] : maps.items()) {
        std::size_t m = obj.maps.size();
        for (std::size_t i = 0; i < obj.maps.size(); ++i)
            if (obj.maps[i].name == name) m = i;
        if (m == obj.maps.size())
            throw InputError(Diagnostic{"--maps: no map named '" + name + "'", {}, obj.path});
        const MapDef& d = obj.maps[m];
        for (const auto& e : entries) {
            Bytes key = encode_value(e.at("key"), d.key_size, "--maps " + name + " key");
            Bytes value;
            if (d.type == BPF_MAP_TYPE_PROG_ARRAY && e.at("value").is_string()) {
                const std::string target = e.at("value");
                std::uint32_t idx = 0;
                for (std::size_t i = 0; i < obj.programs.size(); ++i)
                    if (obj.programs[i].name == target) idx = static_cast<std::uint32_t>(i + 1);
                if (idx == 0)
                    throw InputError(Diagnostic{"--maps: no program named '" + target + "'", {}, obj.path});
                value = encode_value(static_cast<std::int64_t>(idx), 4, "");
            } else {
                value = encode_value(e.at("value"), d.value_size, "--maps " + name + " value");
            }
            out.emplace_back(m, std::move(key), std::move(value));
        }
    }
    return out;
}

nlohmann::json map_dump(const Object& obj,
                        const std::function<std::vector<std::pair<Bytes, Bytes>>(std::size_t)>& get) {
    nlohmann::json maps = nlohmann::json::object();
    for (std::size_t i = 0; i < obj.maps.size(); ++i) {
        nlohmann::json entries = nlohmann::json::array();
        for (const auto& [k, v] : get(i)) {
            if (std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0; })) continue;
            entries.push_back({{"key", to_hex(k)}, {"value", to_hex(v)}});
        }
        if (!entries.empty()) maps[obj.maps[i].name] = entries;
    }
    return maps;
}

}  // namespace

void register_run(CLI::App& app, int& exit_code) {
    struct Opts {
        std::string file, program, type, engine = "interp", packet_file, packet_hex, ctx, maps;
        int repeat = 1;
        bool json = false;
    };
    auto o = std::make_shared<Opts>();
    auto* cmd = app.add_subcommand("run", "Run a program on the interpreter or in the kernel");
    cmd->add_option("FILE", o->file, "ELF object, assembly or raw bytes")->required();
    cmd->add_option("--program", o->program, "Program name (default: the first)");
    cmd->add_option("--type", o->type, "Program type for raw bytes and assembly (xdp, tc, ...)");
    cmd->add_option("--engine", o->engine, "Execution engine")
        ->check(CLI::IsMember({"interp", "jit", "kernel"}))
        ->capture_default_str();
    auto* pf = cmd->add_option("--packet", o->packet_file, "Packet bytes from a file");
    cmd->add_option("--packet-hex", o->packet_hex, "Packet bytes as hex")->excludes(pf);
    cmd->add_option("--ctx", o->ctx, R"(Context as JSON: {"mark": 1} or {"hex": "..."})");
    cmd->add_option("--maps", o->maps, R"(Map contents: {"name": [{"key": 0, "value": "0a00"}]})");
    cmd->add_option("--repeat", o->repeat, "Runs to time")->check(CLI::Range(1, 100000000));
    cmd->add_flag("--json", o->json, "Print JSON");
    cmd->callback([o, &exit_code] {
        auto obj = load_file(o->file, LoadOptions{std::nullopt, o->type, true});
        if (!obj) {
            exit_code = report_input_error(obj.error());
            return;
        }
        std::size_t index = 0;
        if (!o->program.empty()) {
            index = obj->programs.size();
            for (std::size_t i = 0; i < obj->programs.size(); ++i)
                if (obj->programs[i].name == o->program) index = i;
            if (index == obj->programs.size()) {
                exit_code = report_input_error(
                    Diagnostic{"no program named '" + o->program + "'", std::nullopt, o->file});
                return;
            }
        }
        const Program& prog = obj->programs[index];
        const Bytes packet = !o->packet_file.empty()  ? read_file(o->packet_file)
                             : !o->packet_hex.empty() ? from_hex(o->packet_hex, "--packet-hex")
                                                      : Bytes{};
        const Bytes ctx = build_context(o->ctx.empty() ? nlohmann::json() : parse_json(o->ctx, "--ctx"), prog);
        const auto preload = parse_maps(o->maps.empty() ? nlohmann::json() : parse_json(o->maps, "--maps"), *obj);
        const ProgramTypeInfo* type = program_type_info(prog.prog_type);
        const bool packet_type = type != nullptr && type->packet_context;

        nlohmann::json out = {{"program", prog.name}, {"engine", o->engine}, {"repeat", o->repeat}};
        if (o->engine == "kernel") {
            std::string why;
            if (!kernel::available(&why)) {
                std::cerr << "bpflab: bpf(2) is not available: " << why << "\n";
                exit_code = kExitUnavailable;
                return;
            }
            auto session = kernel::Session::create(*obj);
            if (!session) {
                exit_code = report_input_error(session.error());
                return;
            }
            for (std::size_t i = 0; i < obj->programs.size(); ++i) {
                const auto r = session->load(i, i == index ? 1 : 0);
                if (i == index && !r.accepted) {
                    std::cerr << "bpflab: the kernel verifier rejected '" << prog.name
                              << "': " << r.error_line << "\n";
                    exit_code = kExitFail;
                    return;
                }
            }
            for (const auto& [m, k, v] : preload) {
                Bytes value = v;
                if (obj->maps[m].type == BPF_MAP_TYPE_PROG_ARRAY) {
                    std::uint32_t p = 0;
                    std::memcpy(&p, v.data(), 4);
                    const std::int32_t fd = session->program_fd(p - 1);
                    std::memcpy(value.data(), &fd, 4);
                }
                session->update(m, k, value);
            }
            const Bytes kctx = packet_type ? Bytes{} : ctx;
            auto r = session->test_run(index, packet, kctx, o->repeat);
            if (!r) {
                exit_code = report_input_error(r.error());
                return;
            }
            out["r0"] = r->retval;
            out["r0_bits"] = 32;
            out["instructions_executed"] = nullptr;
            out["ns_per_run"] = r->duration_ns;
            if (packet_type && r->data_out != packet) out["packet"] = to_hex(r->data_out);
            out["maps"] = map_dump(*obj, [&](std::size_t m) { return session->entries(m); });
        } else {
            vm::MapSet maps(obj->maps);
            for (const auto& [m, k, v] : preload) maps.at(m).update(k.data(), v.data(), 0);
            vm::RunInput input;
            input.packet = packet;
            input.context = ctx;
            vm::RunResult r;
            std::function<vm::RunResult()> run_once;
            std::optional<vm::Interpreter> interp;
            std::optional<jit::JitProgram> compiled;
            if (o->engine == "jit") {
                auto j = jit::JitProgram::compile(*obj, index, maps);
                if (!j) {
                    exit_code = report_input_error(j.error());
                    return;
                }
                compiled.emplace(std::move(*j));
                out["jit_code_bytes"] = compiled->code_size();
                out["jit_compile_us"] = compiled->compile_seconds() * 1e6;
                run_once = [&] { return compiled->run(input); };
            } else {
                interp.emplace(*obj, maps);
                run_once = [&] { return interp->run(index, input); };
            }
            const auto t0 = std::chrono::steady_clock::now();
            for (int i = 0; i < o->repeat; ++i) r = run_once();
            const double ns = std::chrono::duration<double, std::nano>(
                                  std::chrono::steady_clock::now() - t0)
                                  .count();
            if (r.fault) {
                out["fault"] = {{"kind", vm::fault_kind_name(r.fault->kind)},
                                {"pc", r.fault->pc},
                                {"message", r.fault->message},
                                {"region", vm::region_kind_name(r.fault->region)},
                                {"address", r.fault->addr},
                                {"size", r.fault->size},
                                {"region_size", r.fault->region_size}};
            }
            out["r0"] = r.r0;
            out["instructions_executed"] = o->engine == "jit" ? nlohmann::json() : nlohmann::json(r.instructions);
            out["ns_per_run"] = ns / o->repeat;
            if (packet_type && r.packet != packet) out["packet"] = to_hex(r.packet);
            if (!r.trace_output.empty()) out["trace"] = r.trace_output;
            out["maps"] = map_dump(*obj, [&](std::size_t m) { return maps.at(m).entries(); });
            if (r.fault) exit_code = kExitFail;
        }
        if (o->json) {
            std::cout << out.dump(2) << "\n";
        } else {
            std::cout << prog.name << " on " << o->engine << ": r0 = " << out["r0"].dump();
            if (out.contains("fault"))
                std::cout << "\n  fault at instruction " << out["fault"]["pc"].dump() << ": "
                          << out["fault"]["kind"].get<std::string>() << ": "
                          << out["fault"]["message"].get<std::string>();
            if (!out["instructions_executed"].is_null())
                std::cout << "\n  instructions executed: " << out["instructions_executed"].dump();
            std::cout << "\n  time per run: " << out["ns_per_run"].dump() << " ns";
            if (out.contains("jit_code_bytes"))
                std::cout << "\n  jit code: " << out["jit_code_bytes"].dump() << " bytes, compiled in "
                          << out["jit_compile_us"].dump() << " us";
            if (out.contains("packet"))
                std::cout << "\n  packet: " << out["packet"].get<std::string>();
            for (const auto& [name, entries] : out["maps"].items())
                for (const auto& e : entries)
                    std::cout << "\n  map " << name << "[" << e["key"].get<std::string>()
                              << "] = " << e["value"].get<std::string>();
            if (out.contains("trace"))
                for (const auto& t : out["trace"]) std::cout << "\n  trace: " << t.get<std::string>();
            std::cout << "\n";
        }
    });
}

}  // namespace bpflab::cli
