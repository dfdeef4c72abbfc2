// SPDX-License-Identifier: Apache-2.0
// Shared by the corpus tests: where the corpus lives, its manifest, opening objects with libbpf.
#pragma once

#include <bpf/libbpf.h>

#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bpflab::corpus_test {

/// corpus/ in the source tree.
[[nodiscard]] inline std::string source_dir() {
    return std::string(BPFLAB_SOURCE_DIR) + "/corpus";
}
/// corpus/ in the build tree, where clang puts <name>.o.
[[nodiscard]] inline std::string object_dir() {
    return std::string(BPFLAB_BINARY_DIR) + "/corpus";
}
/// The compiled object of manifest entry `name`.
[[nodiscard]] inline std::string object_path(const std::string& name) {
    return object_dir() + "/" + name + ".o";
}

/// The whole text of a file, or an empty string when it cannot be read.
[[nodiscard]] inline std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// corpus/manifest.json, parsed (throws nlohmann::json::parse_error when malformed).
[[nodiscard]] inline nlohmann::json read_manifest() {
    return nlohmann::json::parse(read_text(source_dir() + "/manifest.json"));
}

/// One `bpflab_bpf_object(name source cpu)` line of corpus/programs.cmake.
struct ListedObject {
    std::string name;
    std::string source;
    std::string cpu;
};

/// Every object corpus/programs.cmake builds, in file order (comment lines are skipped).
[[nodiscard]] inline std::vector<ListedObject> read_program_list() {
    std::vector<ListedObject> out;
    std::istringstream in(read_text(source_dir() + "/programs.cmake"));
    const std::regex entry(R"(^\s*bpflab_bpf_object\(\s*(\S+)\s+(\S+)\s+(\S+)\s*\))");
    std::string line;
    while (std::getline(in, line)) {
        std::smatch m;
        if (std::regex_search(line, m, entry)) out.push_back({m[1], m[2], m[3]});
    }
    return out;
}

/// Owns a bpf_object opened with libbpf.
struct ObjectCloser {
    void operator()(bpf_object* obj) const { bpf_object__close(obj); }
};
using ObjectPtr = std::unique_ptr<bpf_object, ObjectCloser>;

/// Opens `path` with libbpf (no kernel access); null when libbpf cannot parse it.
[[nodiscard]] inline ObjectPtr open_object(const std::string& path) {
    bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
    if (libbpf_get_error(obj) != 0) return nullptr;
    return ObjectPtr(obj);
}

}  // namespace bpflab::corpus_test
