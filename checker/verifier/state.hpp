// SPDX-License-Identifier: Apache-2.0
// bpflab: the verifier's abstract state — the memory model of verifier/model.hpp over any
// numeric state domain S (domains/state.hpp), and the variables S sees.
#pragma once

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdint>
#include <map>
#include <span>
#include <utility>
#include <vector>

#include "checker/verifier/model.hpp"
#include "domains/state.hpp"

namespace bpflab::verify {

inline constexpr int kStackBytes = 512;
inline constexpr int kSlots = kStackBytes / 8;
inline constexpr int kRegs = 11;
inline constexpr std::uint64_t kDownCounterStart = std::uint64_t{1} << 62;

/// Which numeric variable stands for what (one per program, fixed before the analysis):
/// r0..r10 of each frame, the packet's size (data_end - data) and metadata size, two scratch
/// variables, two counters per loop (one up, one down), and the 8-byte stack slots the program
/// spills to.
class Layout {
  public:
    Layout() = default;
    Layout(int frames, int loops, const std::vector<std::pair<int, int>>& spill_slots);

    [[nodiscard]] dom::Var reg(int frame, int r) const {
        return static_cast<dom::Var>(frame * kRegs + r);
    }
    [[nodiscard]] dom::Var packet_size() const { return base_; }
    [[nodiscard]] dom::Var meta_size() const { return base_ + 1; }
    [[nodiscard]] dom::Var scratch(int i) const { return base_ + 2 + static_cast<dom::Var>(i); }
    /// The iterations of `loop` so far, counted up from 0 on entry ...
    [[nodiscard]] dom::Var loop_counter(int loop) const {
        return base_ + 4 + static_cast<dom::Var>(loop);
    }
    /// ... and down from kDownCounterStart (far from wrapping either way): a relational domain
    /// relates it to a variable the loop decrements (`i - down` is a difference, `i + up` not).
    [[nodiscard]] dom::Var loop_down_counter(int loop) const {
        return base_ + 4 + loops_ + static_cast<dom::Var>(loop);
    }
    /// The variable of stack slot `slot` (byte offset slot * 8 from the frame's bottom) of
    /// `frame`, or -1 when the program never spills there with a constant offset.
    [[nodiscard]] std::int64_t slot(int frame, int slot) const {
        const auto it = slots_.find({frame, slot});
        return it == slots_.end() ? std::int64_t{-1} : static_cast<std::int64_t>(it->second);
    }
    [[nodiscard]] std::size_t var_count() const { return count_; }

  private:
    dom::Var base_ = 0;
    dom::Var loops_ = 0;
    std::map<std::pair<int, int>, dom::Var> slots_;
    std::size_t count_ = 0;
};

/// A packet pointer's checked range (the kernel's `r=`): every pointer with checked-range id
/// `id` satisfies base + range <= data_end, where base is the pointer's offset minus its
/// constant part `off`.
struct CheckedRange {
    std::uint32_t id = 0;
    std::int64_t range = 0;
    friend bool operator==(const CheckedRange&, const CheckedRange&) = default;
};

/// One call frame: its registers' types, its 512 stack bytes (which are surely written), and
/// the type of each 8-byte slot (a spilled register, or `Scalar` for other bytes).
struct Frame {
    std::array<RegType, kRegs> regs{};
    std::bitset<kStackBytes> init;
    std::array<RegType, kSlots> slots{};
    /// Per slot: how many bytes the slot's variable holds (zero-extended), from byte `at` of
    /// the slot: 8 (at 0) for a spilled register, 1-4 after a narrower store, 0 for none.
    std::array<std::uint8_t, kSlots> valid{};
    std::array<std::uint8_t, kSlots> at{};  ///< 0 whenever valid is 0
    friend bool operator==(const Frame&, const Frame&) = default;
};

/// The abstract state before (or after) an instruction: frames 0..depth, packet ranges, and
/// the numbers in S. Lattice operations are componentwise: types join (verifier/model.hpp),
/// initialised stack bytes intersect, checked ranges take the minimum, numbers use S.
/// `top()` is the state the engine falls back to when it gives up: every check fails on it.
template <dom::NumericState S>
class AbsState {
  public:
    using Bool = bool;

    AbsState() : top_(true) {}
    [[nodiscard]] static AbsState top() { return AbsState(); }
    [[nodiscard]] static AbsState bottom() {
        AbsState s;
        s.top_ = false;
        s.bottom_ = true;
        return s;
    }
    /// The state at program entry: `depth` frames of uninitialised registers, r10 of frame 0
    /// pointing at its frame's top, numbers from `num`.
    [[nodiscard]] static AbsState entry(S num) {
        AbsState s;
        s.top_ = false;
        s.frames.resize(1);
        s.num = std::move(num);
        return s;
    }

    [[nodiscard]] bool is_top() const { return top_; }
    [[nodiscard]] bool is_bottom() const { return bottom_ || (!top_ && num.is_bottom()); }
    void set_bottom() { *this = bottom(); }

    [[nodiscard]] bool leq(const AbsState& b) const {
        if (is_bottom() || b.top_) return true;
        if (top_ || b.is_bottom()) return false;
        if (frames.size() != b.frames.size()) return false;
        for (std::size_t f = 0; f < frames.size(); ++f) {
            const Frame &x = frames[f], &y = b.frames[f];
            for (int r = 0; r < kRegs; ++r)
                if (!x.regs[r].leq(y.regs[r])) return false;
            if ((y.init & ~x.init).any()) return false;
            for (int k = 0; k < kSlots; ++k)
                if (!x.slots[k].leq(y.slots[k]) || x.valid[k] < y.valid[k] ||
                    (y.valid[k] != 0 && x.at[k] != y.at[k]))
                    return false;
        }
        for (const CheckedRange& r : b.ranges)
            if (range_of(r.id) < r.range) return false;
        for (const std::uint32_t id : refs)
            if (std::find(b.refs.begin(), b.refs.end(), id) == b.refs.end()) return false;
        return num.leq(b.num);
    }

    [[nodiscard]] AbsState join(const AbsState& b) const { return combine(b, Op::Join); }
    [[nodiscard]] AbsState meet(const AbsState& b) const {
        // Used only by the lattice laws; a sound over-approximation of the intersection.
        if (is_bottom() || b.is_bottom()) return bottom();
        if (top_) return b;
        if (b.top_) return *this;
        return leq(b) ? *this : b.leq(*this) ? b : combine(b, Op::Meet);
    }
    [[nodiscard]] AbsState widen(const AbsState& b) const { return combine(b, Op::Widen); }
    /// Widening that stops growing bounds at the given values first (sorted ascending), for
    /// numeric domains that support thresholds (zones); plain widening for the others.
    [[nodiscard]] AbsState widen(const AbsState& b,
                                 std::span<const std::int64_t> thresholds) const {
        return combine(b, Op::Widen, thresholds);
    }
    [[nodiscard]] AbsState narrow(const AbsState& b) const { return combine(b, Op::Narrow); }
    void join_with(const AbsState& b) { *this = join(b); }
    void join_with(AbsState&& b) {
        if (is_bottom())
            *this = std::move(b);
        else
            *this = join(b);
    }
    void meet_with(const AbsState& b) { *this = meet(b); }
    void widen_with(const AbsState& b) { *this = widen(b); }
    void narrow_with(const AbsState& b) { *this = narrow(b); }

    /// The checked range of packet id `id` (0 when none is recorded).
    [[nodiscard]] std::int64_t range_of(std::uint32_t id) const {
        for (const CheckedRange& r : ranges)
            if (r.id == id) return r.range;
        return 0;
    }
    /// Raises the checked range of `id` to at least `range`.
    void raise_range(std::uint32_t id, std::int64_t range) {
        for (CheckedRange& r : ranges)
            if (r.id == id) {
                r.range = std::max(r.range, range);
                return;
            }
        ranges.push_back({id, range});
        std::sort(ranges.begin(), ranges.end(), [](auto& a, auto& c) { return a.id < c.id; });
    }
    void drop_range(std::uint32_t id) {
        std::erase_if(ranges, [&](const CheckedRange& r) { return r.id == id; });
    }

    std::vector<Frame> frames;
    std::vector<CheckedRange> ranges;  ///< sorted by id
    /// Ids of references (ringbuf records) that may still be held and must be released.
    std::vector<std::uint32_t> refs;
    S num;

  private:
    enum class Op { Join, Meet, Widen, Narrow };

    [[nodiscard]] AbsState combine(const AbsState& b, Op op,
                                   std::span<const std::int64_t> thresholds = {}) const {
        if (op == Op::Narrow) {
            if (b.is_bottom() || top_) return b;
        }
        if (is_bottom()) return b;
        if (b.is_bottom()) return *this;
        if (top_ || b.top_) return top();
        if (frames.size() != b.frames.size()) return top();
        AbsState r;
        r.top_ = false;
        if (op == Op::Narrow) {
            r.frames = b.frames;
            r.ranges = b.ranges;
            r.refs = b.refs;
            r.num = num.narrow(b.num);
            return r;
        }
        r.frames.resize(frames.size());
        for (std::size_t f = 0; f < frames.size(); ++f) {
            const Frame &x = frames[f], &y = b.frames[f];
            Frame& z = r.frames[f];
            for (int k = 0; k < kRegs; ++k) z.regs[k] = x.regs[k].join(y.regs[k]);
            z.init = x.init & y.init;
            for (int k = 0; k < kSlots; ++k) {
                z.slots[k] = x.slots[k].join(y.slots[k]);
                const bool same = x.at[k] == y.at[k];
                z.valid[k] = same ? std::min(x.valid[k], y.valid[k]) : std::uint8_t{0};
                z.at[k] = z.valid[k] != 0 ? x.at[k] : std::uint8_t{0};
            }
        }
        for (const CheckedRange& c : ranges) {
            const std::int64_t o = b.range_of(c.id);
            if (o > 0) r.ranges.push_back({c.id, std::min(c.range, o)});
        }
        r.refs = refs;
        for (const std::uint32_t id : b.refs)
            if (std::find(r.refs.begin(), r.refs.end(), id) == r.refs.end()) r.refs.push_back(id);
        std::sort(r.refs.begin(), r.refs.end());
        switch (op) {
            case Op::Join:
                r.num = num.join(b.num);
                break;
            case Op::Meet:
                r.num = num.meet(b.num);
                break;
            default:
                if constexpr (requires { num.widen(b.num, thresholds); })
                    r.num = num.widen(b.num, thresholds);
                else
                    r.num = num.widen(b.num);
                break;
        }
        return r;
    }

    bool top_ = false;
    bool bottom_ = false;
};

}  // namespace bpflab::verify
