// SPDX-License-Identifier: Apache-2.0
// Tests for core/vm/maps.hpp: kernel-compatible results of every emulated map operation.
#include <doctest/doctest.h>

#include <linux/bpf.h>

#include <cstring>

#include "core/vm/maps.hpp"

namespace bpflab::vm {
namespace {

MapDef def(std::uint32_t type, std::uint32_t key, std::uint32_t value, std::uint32_t max) {
    MapDef d;
    d.name = "m";
    d.type = type;
    d.key_size = key;
    d.value_size = value;
    d.max_entries = max;
    return d;
}

const std::uint8_t* k32(std::uint32_t& storage) {
    return reinterpret_cast<const std::uint8_t*>(&storage);
}

}  // namespace

TEST_CASE("array: every index exists, zero-initialised; NOEXIST and delete fail") {
    Map m(def(BPF_MAP_TYPE_ARRAY, 4, 8, 4));
    std::uint32_t k = 3;
    auto* v = m.lookup(k32(k));
    REQUIRE(v != nullptr);
    std::uint64_t x = 0;
    std::memcpy(&x, v, 8);
    CHECK(x == 0);
    std::uint64_t val = 42;
    CHECK(m.update(k32(k), reinterpret_cast<std::uint8_t*>(&val), kAny) == 0);
    CHECK(m.update(k32(k), reinterpret_cast<std::uint8_t*>(&val), kNoExist) == -kEEXIST);
    CHECK(m.erase(k32(k)) == -kEINVAL);
    std::memcpy(&x, m.lookup(k32(k)), 8);
    CHECK(x == 42);
    k = 4;
    CHECK(m.lookup(k32(k)) == nullptr);
    CHECK(m.update(k32(k), reinterpret_cast<std::uint8_t*>(&val), kAny) == -kE2BIG);
    CHECK(m.locate(v + 3)->offset == 3);
    CHECK(m.entries().size() == 4);
}

TEST_CASE("hash: insert, flags, full, delete, use after delete is not a live value") {
    Map m(def(BPF_MAP_TYPE_HASH, 4, 4, 2));
    std::uint32_t k = 7, val = 1;
    auto* vp = reinterpret_cast<std::uint8_t*>(&val);
    CHECK(m.lookup(k32(k)) == nullptr);
    CHECK(m.update(k32(k), vp, kExist) == -kENOENT);
    CHECK(m.update(k32(k), vp, kNoExist) == 0);
    CHECK(m.update(k32(k), vp, kNoExist) == -kEEXIST);
    auto* v = m.lookup(k32(k));
    REQUIRE(v != nullptr);
    CHECK(m.locate(v).has_value());
    std::uint32_t k2 = 8, k3 = 9;
    CHECK(m.update(k32(k2), vp, kAny) == 0);
    CHECK(m.update(k32(k3), vp, kAny) == -kE2BIG);
    CHECK(m.erase(k32(k)) == 0);
    CHECK(m.erase(k32(k)) == -kENOENT);
    CHECK_FALSE(m.locate(v).has_value());
    CHECK(m.update(k32(k3), vp, kAny) == 0);
    CHECK(m.entries().size() == 2);
    CHECK(m.update(k32(k3), vp, 7) == -kEINVAL);
}

TEST_CASE("LRU hash evicts the least recently used entry when full") {
    Map m(def(BPF_MAP_TYPE_LRU_HASH, 4, 4, 2));
    std::uint32_t a = 1, b = 2, c = 3, val = 0;
    auto* vp = reinterpret_cast<std::uint8_t*>(&val);
    CHECK(m.update(k32(a), vp, kAny) == 0);
    CHECK(m.update(k32(b), vp, kAny) == 0);
    CHECK(m.lookup(k32(a)) != nullptr);  // a is now more recent than b
    CHECK(m.update(k32(c), vp, kAny) == 0);
    CHECK(m.lookup(k32(b)) == nullptr);
    CHECK(m.lookup(k32(a)) != nullptr);
    CHECK(m.lookup(k32(c)) != nullptr);
}

TEST_CASE("ring buffer: reserve, submit, discard, output, capacity") {
    Map m(def(BPF_MAP_TYPE_RINGBUF, 0, 0, 64));
    auto* r = m.ringbuf_reserve(10);
    REQUIRE(r != nullptr);
    CHECK(m.ringbuf_locate(r + 9)->second == 10u);
    std::memset(r, 0xab, 10);
    CHECK(m.ringbuf_commit(r, true));
    CHECK_FALSE(m.ringbuf_commit(r, true));
    REQUIRE(m.ringbuf_records().size() == 1);
    CHECK(m.ringbuf_records()[0].size() == 10);
    auto* d = m.ringbuf_reserve(16);
    REQUIRE(d != nullptr);
    CHECK(m.ringbuf_commit(d, false));
    const std::uint8_t data[20] = {};
    CHECK(m.ringbuf_output(data) == 0);
    CHECK(m.ringbuf_reserve(64) == nullptr);  // 24 + 32 used of 64
    CHECK(m.ringbuf_output(std::span<const std::uint8_t>(data, 20)) == -kENOMEM);
}

TEST_CASE("global data maps start with the section's bytes; MapSet finds by name and address") {
    MapDef d = def(BPF_MAP_TYPE_ARRAY, 4, 8, 1);
    d.name = ".rodata";
    d.section = ".rodata";
    d.initial_value = {1, 2, 3, 4, 5, 6, 7, 8};
    MapSet set({def(BPF_MAP_TYPE_HASH, 4, 4, 8), d});
    REQUIRE(set.find(".rodata") == 1u);
    std::uint32_t k = 0;
    auto* v = set.at(1).lookup(k32(k));
    REQUIRE(v != nullptr);
    CHECK(v[7] == 8);
    auto where = set.locate(v + 2);
    REQUIRE(where.has_value());
    CHECK(where->first == 1u);
    CHECK(where->second.offset == 2u);
    CHECK(set.at(1).def().read_only());
}

}  // namespace bpflab::vm
