// SPDX-License-Identifier: Apache-2.0
// corpus/asm: every assembly test program assembles, matches its manifest entry, gets the
// kernel verifier verdict the manifest records, and (when accepted) runs on the interpreter
// without a fault.
#include <doctest/doctest.h>

#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "checker/kernel.hpp"
#include "core/load.hpp"
#include "core/vm/interp.hpp"
#include "tests/corpus/corpus_util.hpp"

namespace bpflab::corpus_test {
namespace {

std::string asm_dir() {
    return source_dir() + "/asm";
}

nlohmann::json read_asm_manifest() {
    return nlohmann::json::parse(read_text(asm_dir() + "/manifest.json"));
}

std::set<std::string> asm_files() {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(asm_dir()))
        if (e.path().extension() == ".s") out.insert(e.path().filename().string());
    return out;
}

/// The kernel's answer for one program, loaded by this process or by a child without
/// CAP_PERFMON and CAP_SYS_ADMIN (a CAP_BPF-level loader).
struct Answer {
    bool ok = false;  ///< the load could be attempted (session created, child ran)
    bool accepted = false;
    std::string log;
    std::string why;  ///< why `ok` is false
};

Answer load_here(const Object& obj) {
    Answer a;
    auto session = kernel::Session::create(obj);
    if (!session) {
        a.why = session.error().message;
        return a;
    }
    const kernel::LoadResult r = session->load(0, 1);
    a.ok = true;
    a.accepted = r.accepted;
    a.log = r.log.empty() ? r.error_line : r.log;
    return a;
}

// Drops CAP_PERFMON and CAP_SYS_ADMIN from the effective set of this (child) process.
bool drop_perfmon() {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    std::array<__user_cap_data_struct, 2> data{};
    if (syscall(SYS_capget, &header, data.data()) != 0) return false;
    constexpr unsigned kDrop[] = {CAP_SYS_ADMIN, CAP_PERFMON};
    for (unsigned cap : kDrop) data[cap / 32].effective &= ~(1u << (cap % 32));
    return syscall(SYS_capset, &header, data.data()) == 0;
}

Answer load_without_perfmon(const Object& obj) {
    Answer a;
    int fds[2];
    if (pipe(fds) != 0) {
        a.why = "pipe failed";
        return a;
    }
    const pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        std::string out = "x";
        if (drop_perfmon()) {
            const Answer child = load_here(obj);
            out = std::string(child.ok ? "1" : "0") + (child.accepted ? "1" : "0") +
                  (child.ok ? child.log : child.why);
        }
        std::size_t done = 0;
        while (done < out.size()) {
            const ssize_t n = write(fds[1], out.data() + done, out.size() - done);
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
        _exit(0);
    }
    close(fds[1]);
    std::string in;
    char buffer[4096];
    for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;)
        in.append(buffer, static_cast<std::size_t>(n));
    close(fds[0]);
    int status = 0;
    if (pid > 0) waitpid(pid, &status, 0);
    if (in.size() < 2) {
        a.why = "could not drop CAP_PERFMON in a child process";
        return a;
    }
    a.ok = in[0] == '1';
    a.accepted = in[1] == '1';
    (a.ok ? a.log : a.why) = in.substr(2);
    return a;
}

std::string tail(const std::string& log, std::size_t n = 1200) {
    return log.size() <= n ? log : "..." + log.substr(log.size() - n);
}

/// A few packets: empty, 1, 14, 64 and 100 bytes of varied content.
std::vector<std::vector<std::uint8_t>> sample_packets() {
    std::vector<std::vector<std::uint8_t>> out;
    for (std::size_t size : {0, 1, 14, 64, 100}) {
        std::vector<std::uint8_t> p(size);
        for (std::size_t i = 0; i < size; ++i) p[i] = static_cast<std::uint8_t>(i * 37 + size);
        out.push_back(std::move(p));
    }
    out.push_back(std::vector<std::uint8_t>(64, 0xff));
    return out;
}

}  // namespace

TEST_CASE("corpus/asm: every file has a manifest entry and every entry a file") {
    const nlohmann::json manifest = read_asm_manifest();
    REQUIRE(manifest.is_array());
    std::set<std::string> listed;
    int accept = 0;
    int reject = 0;
    for (const auto& e : manifest) {
        const std::string file = e.at("file").get<std::string>();
        CAPTURE(file);
        CHECK(listed.insert(file).second);
        const std::string verdict = e.at("verdict").get<std::string>();
        CHECK((verdict == "accept" || verdict == "reject"));
        (verdict == "accept" ? accept : reject) += 1;
        CHECK(!e.at("reason").get<std::string>().empty());
        CHECK(!e.at("description").get<std::string>().empty());
        if (verdict == "reject") CHECK(!e.at("kernel_error").get<std::string>().empty());
        if (e.contains("privileged_verdict")) CHECK(e.at("privileged_verdict") != e.at("verdict"));
    }
    const std::set<std::string> files = asm_files();
    CHECK(listed == files);
    MESSAGE("corpus/asm: " << files.size() << " files, " << accept << " accept, " << reject
                           << " reject (CAP_BPF-level verdicts)");
    CHECK(files.size() >= 36);
    CHECK(accept >= 15);
    CHECK(reject >= 15);
}

TEST_CASE("corpus/asm: every file assembles with its program type and maps") {
    for (const auto& e : read_asm_manifest()) {
        const std::string file = e.at("file").get<std::string>();
        CAPTURE(file);
        auto obj = load_file(asm_dir() + "/" + file);
        REQUIRE_MESSAGE(obj.has_value(), obj.error().message);
        REQUIRE(obj->programs.size() == 1);
        const Program& p = obj->programs.front();
        CHECK(p.type == e.at("type").get<std::string>());
        CHECK(p.prog_type != 0);
        CHECK(p.code.insns.size() <= 48);
        // Every map reference names a defined map.
        for (const RelocNote& r : p.relocations) CHECK(r.map_index < std::ssize(obj->maps));
    }
}

TEST_CASE("corpus/asm: programs accepted at CAP_BPF level run on the interpreter without a fault") {
    const auto packets = sample_packets();
    int runs = 0;
    for (const auto& e : read_asm_manifest()) {
        // Programs only root may load (uninitialised stack reads) would fault here by design.
        if (e.at("verdict") != "accept") continue;
        const std::string file = e.at("file").get<std::string>();
        CAPTURE(file);
        auto obj = load_file(asm_dir() + "/" + file);
        REQUIRE(obj.has_value());
        vm::MapSet maps(obj->maps);
        vm::Interpreter interp(*obj, maps);
        for (std::size_t i = 0; i < packets.size(); ++i) {
            vm::RunInput in;
            in.packet = packets[i];
            in.seed = i + 1;
            const vm::RunResult r = interp.run(0, in);
            CAPTURE(i);
            CHECK_MESSAGE(!r.fault.has_value(), (r.fault ? r.fault->message : std::string{}));
            ++runs;
        }
    }
    MESSAGE("corpus/asm: " << runs << " interpreter runs");
    CHECK(runs > 0);
}

TEST_CASE("corpus/asm: the kernel verifier's verdicts match the manifest") {
    std::string why;
    if (!kernel::available(&why)) {
        MESSAGE("skipped: bpf(2) not permitted: " << why);
        return;
    }
    int root_checked = 0;
    int capbpf_checked = 0;
    for (const auto& e : read_asm_manifest()) {
        const std::string file = e.at("file").get<std::string>();
        CAPTURE(file);
        auto obj = load_file(asm_dir() + "/" + file);
        REQUIRE(obj.has_value());
        const std::string verdict = e.at("verdict").get<std::string>();
        const std::string as_root = e.value("privileged_verdict", verdict);
        const std::string needle = e.value("kernel_error", std::string{});
        CAPTURE(needle);

        const Answer root = load_here(*obj);
        INFO("root: verifier log (tail): " << tail(root.log));
        REQUIRE_MESSAGE(root.ok, root.why);
        CHECK(root.accepted == (as_root == "accept"));
        if (as_root == "reject") CHECK(root.log.find(needle) != std::string::npos);
        ++root_checked;

        if (e.contains("privileged_verdict")) {
            // The manifest's verdict is that of a CAP_BPF-level loader: check it in a child
            // process without CAP_PERFMON and CAP_SYS_ADMIN.
            const Answer bpf_only = load_without_perfmon(*obj);
            INFO("CAP_BPF only: verifier log (tail): " << tail(bpf_only.log));
            if (!bpf_only.ok) {
                MESSAGE("CAP_BPF-level load not checked for " << file << ": " << bpf_only.why);
                continue;
            }
            CHECK(bpf_only.accepted == (verdict == "accept"));
            if (verdict == "reject") CHECK(bpf_only.log.find(needle) != std::string::npos);
            ++capbpf_checked;
        }
    }
    MESSAGE("corpus/asm: kernel verdicts checked: " << root_checked << " as root, "
                                                    << capbpf_checked << " with CAP_BPF only");
    CHECK(root_checked > 0);
}

}  // namespace bpflab::corpus_test
