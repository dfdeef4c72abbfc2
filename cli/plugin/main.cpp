// SPDX-License-Identifier: Apache-2.0
// bpflab-plugin: the bpf_conformance plugin protocol on bpflab's engines (docs/conformance.md).
//
// The program arrives on standard input as hex bytes (raw instructions, or an ELF object with
// --elf); the memory is the first argument, as hex bytes, when the runner has any. r1 points
// at the memory and r2 holds its length. r0 is printed in hex on standard output; a fault is
// reported on standard error with a non-zero exit code.
#include <cctype>
#include <cstdint>
#include <iostream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decode.hpp"
#include "core/diagnostic.hpp"
#include "core/elf.hpp"
#include "core/jit/jit.hpp"
#include "core/load.hpp"
#include "core/vm/interp.hpp"

namespace bpflab {
namespace {

constexpr std::string_view kUsage =
    "usage: bpflab-plugin [MEMORY_HEX] [--engine interp|jit] [--elf] < PROGRAM_HEX\n"
    "Runs one eBPF program the way the bpf_conformance runner expects: the program's bytes in\n"
    "hex on standard input (an ELF object with --elf), the memory in hex as the first\n"
    "argument (r1 = its address, r2 = its length); prints r0 in hex. A fault goes to standard\n"
    "error with exit code 1. The JIT runs in checked mode.\n";

/// Decodes hex bytes: pairs of hex digits, whitespace anywhere (`"01 ab"`, `"01ab"`).
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text) {
    std::vector<std::uint8_t> out;
    int high = -1;
    for (const char c : text) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
        const int digit = std::isdigit(static_cast<unsigned char>(c))
                              ? c - '0'
                              : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
        if (high < 0) {
            high = digit;
        } else {
            out.push_back(static_cast<std::uint8_t>(high * 16 + digit));
            high = -1;
        }
    }
    if (high >= 0) return std::nullopt;
    return out;
}

/// An engine's answer for one run: r0, or the text of a fault.
struct Outcome {
    std::uint64_t r0 = 0;
    std::optional<std::string> fault;
};

Outcome run_interpreter(const Object& object, const std::vector<std::uint8_t>& memory) {
    vm::MapSet maps(object.maps);
    vm::Interpreter interp(object, maps);
    vm::RunInput input;
    input.memory_in_r1 = true;
    input.memory = memory;
    const auto r = interp.run(0, input);
    if (r.fault) return {r.r0, r.fault->to_string()};
    return {r.r0, std::nullopt};
}

/// The x86-64 JIT in checked mode: out-of-bounds accesses fault instead of crashing the
/// plugin. It keeps no instruction budget: an endless program does not stop.
Outcome run_jit(const Object& object, const std::vector<std::uint8_t>& memory) {
    vm::MapSet maps(object.maps);
    auto jit = jit::JitProgram::compile(object, 0, maps, jit::JitOptions{.checked = true});
    if (!jit) return {0, "cannot compile: " + jit.error().to_string()};
    vm::RunInput input;
    input.memory_in_r1 = true;
    input.memory = memory;
    const auto r = jit->run(input);
    if (r.fault) return {r.r0, r.fault->to_string()};
    return {r.r0, std::nullopt};
}

using EngineFn = Outcome (*)(const Object&, const std::vector<std::uint8_t>&);

/// The engines by name; nullptr for a known engine that is not built (the one place to
/// change when an engine is added).
std::optional<EngineFn> engine_by_name(std::string_view name) {
    if (name == "interp") return run_interpreter;
    if (name == "jit") return run_jit;
    return std::nullopt;
}

int fail(int code, const std::string& message) {
    std::cerr << "bpflab-plugin: " << message << "\n";
    return code;
}

int plugin_main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    std::vector<std::uint8_t> memory;
    std::size_t i = 0;
    if (i < args.size() && !args[i].starts_with("--")) {  // the memory comes first, when given
        auto m = from_hex(args[i]);
        if (!m) return fail(kExitUsage, "memory argument is not hex bytes");
        memory = std::move(*m);
        ++i;
    }
    std::string engine_name = "interp";
    bool elf = false;
    for (; i < args.size(); ++i) {
        if (args[i] == "--help" || args[i] == "-h") {
            std::cout << kUsage;
            return kExitOk;
        }
        if (args[i] == "--elf") {
            elf = true;
        } else if (args[i] == "--engine" && i + 1 < args.size()) {
            engine_name = args[++i];
        } else if (args[i].starts_with("--engine=")) {
            engine_name = args[i].substr(9);
        } else if (!args[i].empty()) {  // the runner may pass an empty options argument
            return fail(kExitUsage,
                        "unknown argument '" + std::string(args[i]) + "'\n" + std::string(kUsage));
        }
    }
    const auto engine = engine_by_name(engine_name);
    if (!engine) return fail(kExitUsage, "unknown engine '" + engine_name + "' (interp, jit)");
    if (*engine == nullptr)
        return fail(kExitUnavailable, "the " + engine_name + " engine is not built");

    const std::string text{std::istreambuf_iterator<char>(std::cin), {}};
    auto bytes = from_hex(text);
    if (!bytes) return fail(kExitInputError, "standard input is not hex bytes");
    Expected<Object> object = Diagnostic{"no program", std::nullopt, "stdin"};
    if (elf) {
        object = load_elf_memory(*bytes, "stdin");
    } else {
        auto slots = slots_from_bytes(*bytes);
        if (!slots) return fail(kExitInputError, slots.error().to_string());
        object = object_from_slots(std::move(*slots), "stdin", LoadOptions{});
    }
    if (!object) return fail(kExitInputError, object.error().to_string());
    if (object->programs.empty()) return fail(kExitInputError, "the input holds no program");
    const Outcome out = (**engine)(*object, memory);
    if (out.fault) {
        std::cerr << *out.fault << "\n";
        return kExitFail;
    }
    std::cout << std::hex << out.r0 << "\n";
    return kExitOk;
}

}  // namespace
}  // namespace bpflab

int main(int argc, char** argv) {
    try {
        return bpflab::plugin_main(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "bpflab-plugin: internal error: " << e.what() << "\n";
        return bpflab::kExitInternalError;
    }
}
