// SPDX-License-Identifier: Apache-2.0
// Test support: reading the conformance vectors of corpus/conformance/ (docs/conformance.md).
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/asm.hpp"
#include "core/decode.hpp"
#include "core/diagnostic.hpp"

namespace bpflab::conformance {

/// One `NAME.data` vector: uBPF assembly, optional memory, and an expected r0 or fault text.
struct Vector {
    std::string name;
    std::string assembly;
    std::vector<std::uint8_t> memory;
    std::optional<std::uint64_t> result;  ///< expected r0 (all 64 bits)
    std::string error;                    ///< expected fault text, when result is absent
};

/// Every `*.data` file of the project's conformance directory, sorted by name.
inline std::vector<std::filesystem::path> vector_files() {
    std::vector<std::filesystem::path> files;
    const auto dir = std::filesystem::path(BPFLAB_SOURCE_DIR) / "corpus" / "conformance";
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".data") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

/// Parses a vector file: `-- asm`, `-- mem`, `-- result`, `-- error` sections; `#` comments.
inline Expected<Vector> parse_vector(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) return Diagnostic{"cannot read", std::nullopt, path.string()};
    Vector v;
    v.name = path.stem().string();
    std::string section, line, result_text;
    bool has_error = false;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto first = line.find_first_not_of(" \t");
        if (first != std::string::npos && line.compare(first, 2, "--") == 0) {
            std::istringstream words(line.substr(first + 2));
            words >> section;
            if (section != "asm" && section != "mem" && section != "result" && section != "error")
                return Diagnostic{"unknown section '" + section + "'", std::nullopt, path.string()};
            has_error = has_error || section == "error";
            continue;
        }
        if (section == "asm") {
            v.assembly += line + "\n";
            continue;
        }
        const std::string text = line.substr(0, line.find('#'));
        if (text.find_first_not_of(" \t") == std::string::npos) continue;
        if (section == "mem") {
            std::istringstream bytes(text);
            std::string b;
            while (bytes >> b) {
                std::size_t used = 0;
                const unsigned long value = std::stoul(b, &used, 16);
                if (used != b.size() || value > 0xff)
                    return Diagnostic{"bad memory byte '" + b + "'", std::nullopt, path.string()};
                v.memory.push_back(static_cast<std::uint8_t>(value));
            }
        } else if (section == "result") {
            result_text = text;
        } else if (section == "error") {
            v.error = text.substr(text.find_first_not_of(" \t"));
            while (!v.error.empty() && (v.error.back() == ' ' || v.error.back() == '\t'))
                v.error.pop_back();
        }
    }
    if (!result_text.empty()) {
        std::istringstream r(result_text);
        std::string token;
        r >> token;
        std::size_t used = 0;
        const bool hex = token.starts_with("0x") || token.starts_with("0X");
        v.result = std::stoull(hex ? token.substr(2) : token, &used, hex ? 16 : 10);
        if (used != token.size() - (hex ? 2 : 0))
            return Diagnostic{"bad result '" + token + "'", std::nullopt, path.string()};
    }
    if (v.assembly.empty()) return Diagnostic{"no '-- asm' section", std::nullopt, path.string()};
    if (v.result.has_value() == has_error)
        return Diagnostic{"needs exactly one of '-- result' and '-- error'", std::nullopt,
                          path.string()};
    if (has_error && v.error.empty())
        return Diagnostic{"empty '-- error' section", std::nullopt, path.string()};
    return v;
}

/// The vector's program as instruction slots.
inline Expected<std::vector<RawInsn>> assemble_vector(const Vector& v) {
    auto insns = assemble(v.assembly, Syntax::Ubpf, v.name + ".data");
    if (!insns) return insns.error();
    return encode(*insns);
}

}  // namespace bpflab::conformance
