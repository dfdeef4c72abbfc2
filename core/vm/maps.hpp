// SPDX-License-Identifier: Apache-2.0
// bpflab: emulated BPF maps for the interpreter and the JIT (one CPU, deterministic).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/program.hpp"

namespace bpflab::vm {

/// Update flags and errno values, as the kernel's helpers return them (negated).
inline constexpr std::uint64_t kAny = 0, kNoExist = 1, kExist = 2;
inline constexpr std::int64_t kENOENT = 2, kE2BIG = 7, kENOMEM = 12, kEEXIST = 17, kEINVAL = 22;

/// Where a value lives: values of one map share one arena of `capacity` slots of `value_size`
/// bytes, so a pointer can be mapped back to its map and slot in O(1).
struct ValueSlot {
    std::uint32_t slot = 0;
    std::uint32_t offset = 0;  ///< byte offset inside the slot
};

/// One emulated map. Array-like maps have every slot live; hash-like maps allocate slots from
/// a free list (preallocated, like the kernel's default) and free them on delete.
class Map {
public:
    explicit Map(MapDef def);

    [[nodiscard]] const MapDef& def() const { return def_; }
    [[nodiscard]] bool is_array_like() const;  ///< array, per-CPU array, prog array
    [[nodiscard]] bool is_hash_like() const;   ///< hash, per-CPU hash, LRU hash
    [[nodiscard]] bool is_ringbuf() const;

    /// Pointer to the value stored under `key` (key_size bytes), or nullptr.
    [[nodiscard]] std::uint8_t* lookup(const std::uint8_t* key);
    /// Stores `value` under `key`; returns 0 or a negative errno (-EEXIST, -ENOENT, -E2BIG ...).
    std::int64_t update(const std::uint8_t* key, const std::uint8_t* value, std::uint64_t flags);
    /// Removes `key`; 0 or a negative errno (-ENOENT, -EINVAL for arrays).
    std::int64_t erase(const std::uint8_t* key);

    /// The arena that holds every value of this map (empty for ring buffers).
    [[nodiscard]] std::span<std::uint8_t> arena() { return {arena_.get(), arena_size_}; }
    /// Locates `addr` in the arena; nullopt when outside or in a free slot.
    [[nodiscard]] std::optional<ValueSlot> locate(const std::uint8_t* addr) const;

    /// All live entries as (key bytes, value bytes), in slot order.
    [[nodiscard]] std::vector<std::pair<std::vector<std::uint8_t>, std::vector<std::uint8_t>>>
    entries() const;

    // Ring buffer (max_entries is the data size in bytes).
    /// Reserves a record of `size` bytes; nullptr when it does not fit.
    [[nodiscard]] std::uint8_t* ringbuf_reserve(std::uint64_t size);
    /// Commits (submit) or drops (discard) a record returned by ringbuf_reserve; false if unknown.
    bool ringbuf_commit(const std::uint8_t* record, bool submit);
    /// Copies `data` as one submitted record; 0 or -E2BIG / -ENOMEM.
    std::int64_t ringbuf_output(std::span<const std::uint8_t> data);
    /// Submitted records, oldest first.
    [[nodiscard]] const std::deque<std::vector<std::uint8_t>>& ringbuf_records() const {
        return records_;
    }
    /// Locates a reserved, uncommitted record containing `addr`: (record base, record size).
    [[nodiscard]] std::optional<std::pair<std::uint8_t*, std::uint32_t>> ringbuf_locate(
        const std::uint8_t* addr) const;

private:
    [[nodiscard]] std::string key_of(const std::uint8_t* key) const;
    std::optional<std::uint32_t> allocate_slot();
    void touch(std::uint32_t slot);

    MapDef def_;
    std::unique_ptr<std::uint8_t[]> arena_;
    std::size_t arena_size_ = 0;
    std::uint32_t capacity_ = 0;
    std::unordered_map<std::string, std::uint32_t> index_;  ///< hash-like: key -> slot
    std::vector<std::string> slot_key_;                     ///< hash-like: slot -> key
    std::vector<bool> live_;
    std::vector<std::uint32_t> free_;
    std::vector<std::uint64_t> last_use_;  ///< LRU clock per slot
    std::uint64_t clock_ = 0;
    // Ring buffer state.
    std::uint64_t rb_used_ = 0;
    std::vector<std::unique_ptr<std::uint8_t[]>> rb_pending_;
    std::vector<std::uint32_t> rb_pending_size_;
    std::deque<std::vector<std::uint8_t>> records_;
};

/// The maps of one Object, indexed as Object::maps (the index ldimm64 MapFd carries).
class MapSet {
public:
    MapSet() = default;
    explicit MapSet(const std::vector<MapDef>& defs);
    [[nodiscard]] std::size_t size() const { return maps_.size(); }
    [[nodiscard]] Map& at(std::size_t i) { return *maps_.at(i); }
    [[nodiscard]] const Map& at(std::size_t i) const { return *maps_.at(i); }
    /// Index of the map whose name is `name`, if any.
    [[nodiscard]] std::optional<std::size_t> find(const std::string& name) const;
    /// The map and slot holding `addr`, if it lies in a live value.
    [[nodiscard]] std::optional<std::pair<std::size_t, ValueSlot>> locate(
        const std::uint8_t* addr) const;

private:
    std::vector<std::unique_ptr<Map>> maps_;
};

}  // namespace bpflab::vm
