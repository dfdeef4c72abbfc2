// SPDX-License-Identifier: Apache-2.0
// bpflab: emulated BPF maps — arrays, hashes, LRU, program arrays and ring buffers.
#include "core/vm/maps.hpp"

#include <linux/bpf.h>

#include <algorithm>
#include <cstring>

namespace bpflab::vm {
namespace {

constexpr std::uint64_t kRingbufHeader = 8;

std::uint64_t round8(std::uint64_t n) { return (n + 7) & ~std::uint64_t{7}; }

}  // namespace

Map::Map(MapDef def) : def_(std::move(def)) {
    if (is_ringbuf()) return;
    capacity_ = def_.max_entries;
    arena_size_ = static_cast<std::size_t>(capacity_) * def_.value_size;
    arena_ = std::make_unique<std::uint8_t[]>(std::max<std::size_t>(arena_size_, 1));
    std::memset(arena_.get(), 0, std::max<std::size_t>(arena_size_, 1));
    live_.assign(capacity_, is_array_like());
    if (is_hash_like()) {
        slot_key_.assign(capacity_, {});
        last_use_.assign(capacity_, 0);
        free_.reserve(capacity_);
        for (std::uint32_t s = capacity_; s > 0; --s) free_.push_back(s - 1);
    }
    if (!def_.initial_value.empty() && capacity_ > 0)
        std::memcpy(arena_.get(), def_.initial_value.data(),
                    std::min<std::size_t>(def_.initial_value.size(), def_.value_size));
}

bool Map::is_array_like() const {
    return def_.type == BPF_MAP_TYPE_ARRAY || def_.type == BPF_MAP_TYPE_PERCPU_ARRAY ||
           def_.type == BPF_MAP_TYPE_PROG_ARRAY;
}

bool Map::is_hash_like() const {
    return def_.type == BPF_MAP_TYPE_HASH || def_.type == BPF_MAP_TYPE_PERCPU_HASH ||
           def_.type == BPF_MAP_TYPE_LRU_HASH || def_.type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

bool Map::is_ringbuf() const { return def_.type == BPF_MAP_TYPE_RINGBUF; }

std::string Map::key_of(const std::uint8_t* key) const {
    return {reinterpret_cast<const char*>(key), def_.key_size};
}

void Map::touch(std::uint32_t slot) {
    if (!last_use_.empty()) last_use_[slot] = ++clock_;
}

std::uint8_t* Map::lookup(const std::uint8_t* key) {
    if (is_array_like()) {
        std::uint32_t idx = 0;
        std::memcpy(&idx, key, sizeof idx);
        if (idx >= capacity_) return nullptr;
        return arena_.get() + static_cast<std::size_t>(idx) * def_.value_size;
    }
    if (!is_hash_like()) return nullptr;
    auto it = index_.find(key_of(key));
    if (it == index_.end()) return nullptr;
    touch(it->second);
    return arena_.get() + static_cast<std::size_t>(it->second) * def_.value_size;
}

std::optional<std::uint32_t> Map::allocate_slot() {
    if (!free_.empty()) {
        const std::uint32_t s = free_.back();
        free_.pop_back();
        return s;
    }
    const bool lru = def_.type == BPF_MAP_TYPE_LRU_HASH ||
                     def_.type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
    if (!lru || capacity_ == 0) return std::nullopt;
    const auto victim = static_cast<std::uint32_t>(
        std::min_element(last_use_.begin(), last_use_.end()) - last_use_.begin());
    index_.erase(slot_key_[victim]);
    return victim;
}

std::int64_t Map::update(const std::uint8_t* key, const std::uint8_t* value,
                         std::uint64_t flags) {
    if (flags > kExist) return -kEINVAL;
    if (is_array_like()) {
        std::uint32_t idx = 0;
        std::memcpy(&idx, key, sizeof idx);
        if (idx >= capacity_) return -kE2BIG;
        if (flags == kNoExist) return -kEEXIST;
        std::memcpy(arena_.get() + static_cast<std::size_t>(idx) * def_.value_size, value,
                    def_.value_size);
        return 0;
    }
    if (!is_hash_like()) return -kEINVAL;
    const std::string k = key_of(key);
    auto it = index_.find(k);
    if (it != index_.end()) {
        if (flags == kNoExist) return -kEEXIST;
        std::memcpy(arena_.get() + static_cast<std::size_t>(it->second) * def_.value_size, value,
                    def_.value_size);
        touch(it->second);
        return 0;
    }
    if (flags == kExist) return -kENOENT;
    auto slot = allocate_slot();
    if (!slot) return -kE2BIG;
    index_[k] = *slot;
    slot_key_[*slot] = k;
    live_[*slot] = true;
    std::memcpy(arena_.get() + static_cast<std::size_t>(*slot) * def_.value_size, value,
                def_.value_size);
    touch(*slot);
    return 0;
}

std::int64_t Map::erase(const std::uint8_t* key) {
    if (!is_hash_like()) return -kEINVAL;
    auto it = index_.find(key_of(key));
    if (it == index_.end()) return -kENOENT;
    const std::uint32_t s = it->second;
    index_.erase(it);
    live_[s] = false;
    slot_key_[s].clear();
    last_use_[s] = 0;
    free_.push_back(s);
    return 0;
}

std::optional<ValueSlot> Map::locate(const std::uint8_t* addr) const {
    if (arena_size_ == 0 || def_.value_size == 0) return std::nullopt;
    const auto* base = arena_.get();
    if (addr < base || addr >= base + arena_size_) return std::nullopt;
    const auto off = static_cast<std::size_t>(addr - base);
    const auto slot = static_cast<std::uint32_t>(off / def_.value_size);
    if (!live_[slot]) return std::nullopt;
    return ValueSlot{slot, static_cast<std::uint32_t>(off % def_.value_size)};
}

std::vector<std::pair<std::vector<std::uint8_t>, std::vector<std::uint8_t>>> Map::entries()
    const {
    std::vector<std::pair<std::vector<std::uint8_t>, std::vector<std::uint8_t>>> out;
    for (std::uint32_t s = 0; s < capacity_; ++s) {
        if (!live_[s]) continue;
        std::vector<std::uint8_t> key;
        if (is_hash_like()) {
            key.assign(slot_key_[s].begin(), slot_key_[s].end());
        } else {
            key.resize(4);
            std::memcpy(key.data(), &s, 4);
        }
        const auto* v = arena_.get() + static_cast<std::size_t>(s) * def_.value_size;
        out.emplace_back(std::move(key), std::vector<std::uint8_t>(v, v + def_.value_size));
    }
    return out;
}

std::uint8_t* Map::ringbuf_reserve(std::uint64_t size) {
    if (!is_ringbuf() || size == 0 || size > def_.max_entries) return nullptr;
    const std::uint64_t need = round8(size) + kRingbufHeader;
    if (rb_used_ + need > def_.max_entries) return nullptr;
    rb_used_ += need;
    rb_pending_.push_back(std::make_unique<std::uint8_t[]>(size));
    std::memset(rb_pending_.back().get(), 0, size);
    rb_pending_size_.push_back(static_cast<std::uint32_t>(size));
    return rb_pending_.back().get();
}

bool Map::ringbuf_commit(const std::uint8_t* record, bool submit) {
    for (std::size_t i = 0; i < rb_pending_.size(); ++i) {
        if (rb_pending_[i].get() != record) continue;
        const std::uint32_t n = rb_pending_size_[i];
        if (submit) {
            records_.emplace_back(record, record + n);
        } else {
            rb_used_ -= round8(n) + kRingbufHeader;
        }
        rb_pending_.erase(rb_pending_.begin() + static_cast<std::ptrdiff_t>(i));
        rb_pending_size_.erase(rb_pending_size_.begin() + static_cast<std::ptrdiff_t>(i));
        return true;
    }
    return false;
}

std::int64_t Map::ringbuf_output(std::span<const std::uint8_t> data) {
    if (!is_ringbuf()) return -kEINVAL;
    const std::uint64_t need = round8(data.size()) + kRingbufHeader;
    if (data.size() > def_.max_entries) return -kE2BIG;
    if (rb_used_ + need > def_.max_entries) return -kENOMEM;
    rb_used_ += need;
    records_.emplace_back(data.begin(), data.end());
    return 0;
}

std::optional<std::pair<std::uint8_t*, std::uint32_t>> Map::ringbuf_locate(
    const std::uint8_t* addr) const {
    for (std::size_t i = 0; i < rb_pending_.size(); ++i) {
        std::uint8_t* b = rb_pending_[i].get();
        if (addr >= b && addr < b + rb_pending_size_[i]) return std::pair{b, rb_pending_size_[i]};
    }
    return std::nullopt;
}

MapSet::MapSet(const std::vector<MapDef>& defs) {
    maps_.reserve(defs.size());
    for (const auto& d : defs) maps_.push_back(std::make_unique<Map>(d));
}

std::optional<std::size_t> MapSet::find(const std::string& name) const {
    for (std::size_t i = 0; i < maps_.size(); ++i)
        if (maps_[i]->def().name == name) return i;
    return std::nullopt;
}

std::optional<std::pair<std::size_t, ValueSlot>> MapSet::locate(const std::uint8_t* addr) const {
    for (std::size_t i = 0; i < maps_.size(); ++i)
        if (auto s = maps_[i]->locate(addr)) return std::pair{i, *s};
    return std::nullopt;
}

}  // namespace bpflab::vm
