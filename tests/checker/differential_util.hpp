// SPDX-License-Identifier: Apache-2.0
// bpflab: shared by the differential tests — the accepted corpus programs, generated inputs, one
// program on the interpreter and both JIT modes, and the comparisons between engines.
#pragma once

#include <doctest/doctest.h>

#include <linux/bpf.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "checker/kernel.hpp"
#include "core/jit/jit.hpp"
#include "core/load.hpp"
#include "core/platform.hpp"
#include "core/vm/interp.hpp"

namespace bpflab::diff {

using Bytes = std::vector<std::uint8_t>;
using Entries = std::vector<std::pair<Bytes, Bytes>>;

/// Packets that exercise parsers: Ethernet + IPv4/IPv6 (+ options, extension headers, VLAN)
/// + TCP/UDP with random fields and lengths, truncated frames, and random bytes.
[[nodiscard]] inline Bytes generate_packet(std::mt19937_64& rng, int i) {
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

/// A value a tracing argument typically holds: small counts and ids, negative error codes,
/// sizes around powers of two, kernel-pointer-like addresses, or anything.
[[nodiscard]] inline std::uint64_t tracing_word(std::mt19937_64& rng) {
    switch (rng() % 6) {
        case 0:
            return rng() % 16;
        case 1:
            return rng() % 512;
        case 2:
            return static_cast<std::uint64_t>(-static_cast<std::int64_t>(1 + rng() % 150));
        case 3:
            return (1ull << (rng() % 24)) + rng() % 3 - 1;
        case 4:
            return 0xffff888000000000ull | (rng() & 0xffffffff8ull);
        default:
            return rng();
    }
}

/// `words` little-endian 64-bit tracing words (raw_tracepoint arguments, pt_regs, records).
[[nodiscard]] inline Bytes tracing_words(std::mt19937_64& rng, std::size_t words) {
    Bytes out(words * 8);
    for (std::size_t w = 0; w < words; ++w) {
        const std::uint64_t v = tracing_word(rng);
        std::memcpy(out.data() + 8 * w, &v, 8);
    }
    return out;
}

/// The maps whose contents the kernel and bpflab can both state: arrays and hashes (per-CPU
/// maps have one value per possible CPU in the kernel, LRU maps evict by the kernel's clock).
[[nodiscard]] inline bool kernel_comparable(const MapDef& m) {
    return m.type == BPF_MAP_TYPE_ARRAY || m.type == BPF_MAP_TYPE_HASH;
}

/// One program of the corpus the manifest says the kernel accepts.
struct Target {
    std::shared_ptr<const Object> object;
    std::size_t index = 0;
    std::string name;
    [[nodiscard]] const Program& program() const { return object->programs[index]; }
};

/// Every accepted corpus program whose type satisfies `wanted`.
[[nodiscard]] inline std::vector<Target> accepted_programs(
    const std::function<bool(const ProgramTypeInfo&)>& wanted) {
    namespace fs = std::filesystem;
    std::ifstream in(fs::path(BPFLAB_SOURCE_DIR) / "corpus" / "manifest.json");
    const auto manifest = nlohmann::json::parse(in);
    std::vector<Target> out;
    for (const auto& entry : manifest) {
        const auto path =
            fs::path(BPFLAB_BINARY_DIR) / "corpus" / (entry["object"].get<std::string>() + ".o");
        auto obj = load_file(path.string());
        REQUIRE_MESSAGE(obj.has_value(), (obj ? "" : obj.error().to_string()));
        auto shared = std::make_shared<const Object>(std::move(*obj));
        for (std::size_t index = 0; index < shared->programs.size(); ++index) {
            const Program& prog = shared->programs[index];
            const ProgramTypeInfo* type = program_type_info(prog.prog_type);
            if (type == nullptr || !wanted(*type)) continue;
            bool accepted = false;
            for (const auto& p : entry["programs"])
                if (p["name"] == prog.name) accepted = p["verdict"] == "accept";
            if (accepted) out.push_back({shared, index, prog.name});
        }
    }
    return out;
}

/// What the three bpflab engines produced for one input.
struct Runs {
    vm::RunResult interp, trusted, checked;
};

/// One program on the interpreter, the trusted JIT and the checked JIT, each with its own
/// maps (so that their contents can be compared after every run). Not movable.
class Engines {
  public:
    Engines(const Object& object, std::size_t index)
        : object_(object),
          index_(index),
          imaps_(object.maps),
          tmaps_(object.maps),
          cmaps_(object.maps),
          interp_(object, imaps_) {
        auto t = jit::JitProgram::compile(object, index, tmaps_);
        REQUIRE_MESSAGE(t.has_value(), (t ? "" : t.error().to_string()));
        trusted_.emplace(std::move(*t));
        jit::JitOptions opts;
        opts.checked = true;
        auto c = jit::JitProgram::compile(object, index, cmaps_, opts);
        REQUIRE_MESSAGE(c.has_value(), (c ? "" : c.error().to_string()));
        checked_.emplace(std::move(*c));
    }
    Engines(const Engines&) = delete;
    Engines& operator=(const Engines&) = delete;

    /// Runs the interpreter; the JITs only when it did not fault (a fault is a finding the
    /// verifier should have prevented, and the trusted JIT must not meet it).
    [[nodiscard]] Runs run(const vm::RunInput& input) {
        Runs r;
        r.interp = interp_.run(index_, input);
        if (r.interp.fault) return r;
        r.trusted = trusted_->run(input);
        r.checked = checked_->run(input);
        return r;
    }

    [[nodiscard]] vm::MapSet& interp_maps() { return imaps_; }

    /// Fills slot k of every program array with tail_targets(object, index)[k] in the three
    /// engines (they store program index + 1, 0 being an empty slot).
    void fill_program_arrays() {
        const auto targets = tail_targets(object_, index_);
        for (std::size_t m = 0; m < object_.maps.size(); ++m) {
            if (object_.maps[m].type != BPF_MAP_TYPE_PROG_ARRAY) continue;
            for (std::uint32_t k = 0; k < object_.maps[m].max_entries && k < targets.size(); ++k) {
                const auto value = static_cast<std::uint32_t>(targets[k] + 1);
                const auto* key = reinterpret_cast<const std::uint8_t*>(&k);
                const auto* val = reinterpret_cast<const std::uint8_t*>(&value);
                for (vm::MapSet* maps : {&imaps_, &tmaps_, &cmaps_})
                    REQUIRE(maps->at(m).update(key, val, BPF_ANY) == 0);
            }
        }
    }

    /// The programs a tail call from `index` may reach: the object's other programs of the
    /// same type, in order (slot k of a program array holds the k-th).
    [[nodiscard]] static std::vector<std::size_t> tail_targets(const Object& object,
                                                               std::size_t index) {
        std::vector<std::size_t> out;
        for (std::size_t j = 0; j < object.programs.size(); ++j)
            if (j != index && object.programs[j].prog_type == object.programs[index].prog_type)
                out.push_back(j);
        return out;
    }

    /// r0, packet, trace output, redirect and tail calls agree; the checked JIT also counts the
    /// interpreter's instructions.
    static void check_agree(const Runs& r) {
        REQUIRE_MESSAGE(!r.interp.fault, r.interp.fault->to_string());
        for (const vm::RunResult* j : {&r.trusted, &r.checked}) {
            CHECK_MESSAGE(!j->fault, (j->fault ? j->fault->to_string() : ""));
            CHECK(j->r0 == r.interp.r0);
            CHECK(j->packet == r.interp.packet);
            CHECK(j->trace_output == r.interp.trace_output);
            CHECK(j->redirect == r.interp.redirect);
            CHECK(j->tail_calls == r.interp.tail_calls);
        }
        CHECK(r.checked.instructions == r.interp.instructions);
    }

    /// Every map has the same contents in the three engines. Ring buffers: the checked JIT
    /// counts instructions, so its clock and records equal the interpreter's byte for byte;
    /// the uncounted trusted JIT's clock differs, so only the record sizes are compared.
    void check_maps_agree() {
        for (std::size_t m = 0; m < object_.maps.size(); ++m) {
            CAPTURE(object_.maps[m].name);
            if (imaps_.at(m).is_ringbuf()) {
                const auto& i = imaps_.at(m).ringbuf_records();
                const auto& t = tmaps_.at(m).ringbuf_records();
                CHECK(cmaps_.at(m).ringbuf_records() == i);
                REQUIRE(t.size() == i.size());
                for (std::size_t k = 0; k < i.size(); ++k) CHECK(t[k].size() == i[k].size());
                continue;
            }
            const auto i = imaps_.at(m).entries();
            CHECK(tmaps_.at(m).entries() == i);
            CHECK(cmaps_.at(m).entries() == i);
        }
    }

    /// The kernel's arrays and hashes equal the interpreter's.
    void check_kernel_maps(const kernel::Session& session) {
        for (std::size_t m = 0; m < object_.maps.size(); ++m) {
            if (!kernel_comparable(object_.maps[m])) continue;
            CAPTURE(object_.maps[m].name);
            Entries k = session.entries(m);
            Entries o = imaps_.at(m).entries();
            std::sort(k.begin(), k.end());
            std::sort(o.begin(), o.end());
            CHECK(k == o);
        }
    }

  private:
    const Object& object_;
    std::size_t index_;
    vm::MapSet imaps_, tmaps_, cmaps_;
    vm::Interpreter interp_;
    std::optional<jit::JitProgram> trusted_, checked_;
};

/// The kernel side of a differential: a session with the program loaded, or nothing when
/// bpf(2) is not permitted here (`why` then says why).
[[nodiscard]] inline std::optional<kernel::Session> kernel_session(const Target& t,
                                                                   bool permitted) {
    if (!permitted) return std::nullopt;
    auto session = kernel::Session::create(*t.object);
    REQUIRE_MESSAGE(session.has_value(), (session ? "" : session.error().to_string()));
    const auto loaded = session->load(t.index, 0);
    REQUIRE_MESSAGE(loaded.accepted, loaded.error_line);
    // Program arrays: slot k holds the k-th tail target, as Engines::fill_program_arrays.
    const auto targets = Engines::tail_targets(*t.object, t.index);
    for (std::size_t m = 0; m < t.object->maps.size(); ++m) {
        if (t.object->maps[m].type != BPF_MAP_TYPE_PROG_ARRAY) continue;
        for (std::uint32_t k = 0; k < t.object->maps[m].max_entries && k < targets.size(); ++k) {
            const auto target = session->load(targets[k], 0);
            REQUIRE_MESSAGE(target.accepted, target.error_line);
            const auto fd = static_cast<std::uint32_t>(session->program_fd(targets[k]));
            Bytes key(4), value(4);
            std::memcpy(key.data(), &k, 4);
            std::memcpy(value.data(), &fd, 4);
            REQUIRE(session->update(m, key, value));
        }
    }
    return std::move(*session);
}

}  // namespace bpflab::diff
