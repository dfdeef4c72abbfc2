// SPDX-License-Identifier: Apache-2.0
// corpus/manifest.json is well formed and agrees with corpus/programs.cmake and the built objects.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "tests/corpus/corpus_util.hpp"

namespace bpflab::corpus_test {

TEST_CASE("the manifest parses and every entry has the documented fields") {
    const nlohmann::json manifest = read_manifest();
    REQUIRE(manifest.is_array());
    CHECK(manifest.size() >= 20);
    std::set<std::string> objects;
    for (const auto& entry : manifest) {
        const std::string object = entry.at("object").get<std::string>();
        CAPTURE(object);
        CHECK(objects.insert(object).second);
        const std::string cpu = entry.at("cpu").get<std::string>();
        CHECK((cpu == "v2" || cpu == "v3" || cpu == "v4"));
        CHECK(!entry.at("description").get<std::string>().empty());
        REQUIRE(entry.at("programs").is_array());
        CHECK(!entry.at("programs").empty());
        for (const auto& program : entry.at("programs")) {
            CAPTURE(program.dump());
            CHECK(!program.at("name").get<std::string>().empty());
            CHECK(!program.at("section").get<std::string>().empty());
            CHECK(!program.at("type").get<std::string>().empty());
            CHECK(!program.at("reason").get<std::string>().empty());
            const std::string verdict = program.at("verdict").get<std::string>();
            CHECK((verdict == "accept" || verdict == "reject"));
            REQUIRE(program.at("safe").is_boolean());
            // The kernel verifier is sound: it never accepts an unsafe program.
            if (verdict == "accept") CHECK(program.at("safe").get<bool>());
            if (verdict == "reject") CHECK(!program.at("kernel_error").get<std::string>().empty());
        }
    }
}

TEST_CASE("programs.cmake and the manifest list the same objects, with the same cpu") {
    const nlohmann::json manifest = read_manifest();
    std::map<std::string, std::string> manifest_cpu;
    for (const auto& entry : manifest)
        manifest_cpu[entry.at("object").get<std::string>()] = entry.at("cpu").get<std::string>();
    const auto listed = read_program_list();
    CHECK(listed.size() >= 20);
    std::set<std::string> listed_names;
    for (const auto& obj : listed) {
        CAPTURE(obj.name);
        listed_names.insert(obj.name);
        REQUIRE(manifest_cpu.count(obj.name) == 1);
        CHECK(manifest_cpu[obj.name] == obj.cpu);
        CHECK(std::filesystem::exists(source_dir() + "/" + obj.source));
    }
    for (const auto& [name, cpu] : manifest_cpu) {
        CAPTURE(name);
        CHECK(listed_names.count(name) == 1);
    }
}

TEST_CASE("every manifest object is built, and libbpf sees exactly its programs") {
    const nlohmann::json manifest = read_manifest();
    int rejects = 0;
    std::set<std::string> cpus;
    for (const auto& entry : manifest) {
        const std::string object = entry.at("object").get<std::string>();
        CAPTURE(object);
        cpus.insert(entry.at("cpu").get<std::string>());
        const std::string path = object_path(object);
        REQUIRE(std::filesystem::exists(path));
        ObjectPtr obj = open_object(path);
        REQUIRE(obj);

        std::map<std::string, bpf_program*> in_object;
        bpf_program* prog = nullptr;
        bpf_object__for_each_program(prog, obj.get()) in_object[bpf_program__name(prog)] = prog;
        CHECK(in_object.size() == entry.at("programs").size());
        for (const auto& program : entry.at("programs")) {
            const std::string name = program.at("name").get<std::string>();
            CAPTURE(name);
            const auto it = in_object.find(name);
            REQUIRE(it != in_object.end());
            CHECK(program.at("section").get<std::string>() ==
                  bpf_program__section_name(it->second));
            const char* type = libbpf_bpf_prog_type_str(bpf_program__type(it->second));
            REQUIRE(type != nullptr);
            CHECK(program.at("type").get<std::string>() == type);
            if (program.at("verdict").get<std::string>() == "reject") ++rejects;
        }
    }
    CHECK(rejects >= 6);
    CHECK(cpus == std::set<std::string>{"v2", "v3", "v4"});
}

}  // namespace bpflab::corpus_test
