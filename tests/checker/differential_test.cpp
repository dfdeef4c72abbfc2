// SPDX-License-Identifier: Apache-2.0
// Differential test: every accepted packet program of the corpus runs on the interpreter and in
// the kernel (BPF_PROG_TEST_RUN) over generated packets; r0, the packet and the maps must agree.
#include <doctest/doctest.h>

#include <linux/bpf.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "checker/kernel.hpp"
#include "core/load.hpp"
#include "core/platform.hpp"
#include "core/vm/interp.hpp"

namespace bpflab {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

/// Packets that exercise parsers: Ethernet + IPv4/IPv6 (+ options, extension headers, VLAN)
/// + TCP/UDP with random fields and lengths, truncated frames, and random bytes.
Bytes generate_packet(std::mt19937_64& rng, int i) {
    auto byte = [&] { return static_cast<std::uint8_t>(rng()); };
    Bytes p;
    const int shape = i % 8;
    const std::size_t len = 14 + rng() % 120;
    p.resize(len);
    for (auto& b : p) b = byte();
    if (shape == 7) return p;  // random bytes
    std::size_t off = 12;
    if (shape == 5) {  // a VLAN tag first
        p[off] = 0x81;
        p[off + 1] = 0x00;
        off += 4;
        if (p.size() < off + 2) p.resize(off + 2);
    }
    const bool v6 = shape == 2 || shape == 3;
    p[off] = v6 ? 0x86 : 0x08;
    p[off + 1] = v6 ? 0xdd : 0x00;
    const std::size_t l3 = off + 2;
    if (p.size() < l3 + 60) p.resize(l3 + 40 + rng() % 40, 0x5a);
    if (v6) {
        p[l3] = 0x60;
        p[l3 + 6] = (shape == 3) ? 0 /* hop-by-hop */ : ((rng() & 1) ? 6 : 17);
    } else {
        const unsigned ihl = (shape == 4) ? 5 + rng() % 11 : 5;
        p[l3] = static_cast<std::uint8_t>(0x40 | ihl);
        p[l3 + 9] = (rng() & 1) ? 6 : 17;
        p[l3 + 8] = byte();  // ttl
    }
    if (shape == 6) p.resize(l3 + rng() % 20);  // truncated headers
    return p;
}

bool shared_map(const MapDef& m) {
    return m.type == BPF_MAP_TYPE_ARRAY || m.type == BPF_MAP_TYPE_HASH;
}

}  // namespace

TEST_CASE("interpreter and kernel agree on every accepted packet program over 50 inputs each") {
    std::string why;
    if (!kernel::available(&why)) {
        MESSAGE("skipped: bpf(2) not permitted: " << why);
        return;
    }
    std::ifstream in(fs::path(BPFLAB_SOURCE_DIR) / "corpus" / "manifest.json");
    const auto manifest = nlohmann::json::parse(in);
    int programs = 0, runs = 0, refused = 0;
    std::set<std::string> skipped;
    for (const auto& entry : manifest) {
        const auto path = fs::path(BPFLAB_BINARY_DIR) / "corpus" /
                          (entry["object"].get<std::string>() + ".o");
        auto obj = load_file(path.string());
        REQUIRE(obj.has_value());
        for (std::size_t index = 0; index < obj->programs.size(); ++index) {
            const Program& prog = obj->programs[index];
            const ProgramTypeInfo* type = program_type_info(prog.prog_type);
            if (type == nullptr || !type->packet_context) continue;
            bool accepted = false;
            for (const auto& p : entry["programs"])
                if (p["name"] == prog.name) accepted = p["verdict"] == "accept";
            if (!accepted) continue;
            CAPTURE(prog.name);
            auto session = kernel::Session::create(*obj);
            REQUIRE(session.has_value());
            REQUIRE(session->load(index, 0).accepted);
            vm::MapSet maps(obj->maps);
            vm::Interpreter interp(*obj, maps);
            std::mt19937_64 rng(0x5eed + index);
            bool emulated = true;
            for (int i = 0; i < 50 && emulated; ++i) {
                const Bytes packet = generate_packet(rng, i);
                CAPTURE(i);
                vm::RunInput input;
                input.packet = packet;
                const auto ours = interp.run(index, input);
                if (ours.fault && ours.fault->kind == vm::FaultKind::UnknownHelper) {
                    skipped.insert(prog.name + " (" + ours.fault->message + ")");
                    emulated = false;
                    break;
                }
                REQUIRE_MESSAGE(!ours.fault, ours.fault->to_string());
                auto theirs = session->test_run(index, packet, {}, 1);
                if (!theirs) {  // skb test runs refuse frames whose IP header is cut short
                    ++refused;
                    continue;
                }
                CHECK(static_cast<std::uint32_t>(ours.r0) == theirs->retval);
                const bool l2 = prog.prog_type == BPF_PROG_TYPE_XDP ||
                                prog.prog_type == BPF_PROG_TYPE_SCHED_CLS ||
                                prog.prog_type == BPF_PROG_TYPE_SCHED_ACT;
                if (!l2) continue;  // the kernel returns L3-view skb packets rewritten
                CHECK(ours.packet == theirs->data_out);
                ++runs;
            }
            if (!emulated) continue;
            ++programs;
            for (std::size_t m = 0; m < obj->maps.size(); ++m) {
                if (!shared_map(obj->maps[m])) continue;
                CAPTURE(obj->maps[m].name);
                auto k = session->entries(m);
                auto o = maps.at(m).entries();
                std::sort(k.begin(), k.end());
                std::sort(o.begin(), o.end());
                CHECK(k == o);
            }
        }
    }
    for (const auto& s : skipped) MESSAGE("not compared, helper not emulated: " << s);
    CHECK(programs >= 10);
    MESSAGE(programs << " programs, " << runs << " packet comparisons, " << refused
                     << " inputs refused by BPF_PROG_TEST_RUN");
    CHECK(refused < runs / 4);
}

}  // namespace bpflab
