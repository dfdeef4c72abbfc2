// SPDX-License-Identifier: Apache-2.0
// bpflab: the interpreter's checked address space.
#include "core/vm/memory.hpp"

#include <algorithm>
#include <cstring>
#include <sstream>

namespace bpflab::vm {

std::string_view region_kind_name(RegionKind k) {
    switch (k) {
        case RegionKind::None:
            return "scalar";
        case RegionKind::Context:
            return "ctx";
        case RegionKind::Packet:
            return "pkt";
        case RegionKind::PacketMeta:
            return "pkt_meta";
        case RegionKind::PacketEnd:
            return "pkt_end";
        case RegionKind::Stack:
            return "stack";
        case RegionKind::MapValue:
            return "map_value";
        case RegionKind::Ringbuf:
            return "ringbuf_mem";
        case RegionKind::Memory:
            return "mem";
        case RegionKind::Code:
            return "func";
        case RegionKind::MapPtr:
            return "map_ptr";
    }
    return "?";
}

std::string_view fault_kind_name(FaultKind k) {
    switch (k) {
        case FaultKind::OutOfBounds:
            return "out_of_bounds";
        case FaultKind::InvalidPointer:
            return "invalid_pointer";
        case FaultKind::UninitRegister:
            return "uninit_register";
        case FaultKind::UninitStack:
            return "uninit_stack";
        case FaultKind::ReadOnly:
            return "read_only";
        case FaultKind::ContextAccess:
            return "context_access";
        case FaultKind::HelperArgument:
            return "helper_argument";
        case FaultKind::UnknownHelper:
            return "unknown_helper";
        case FaultKind::Unsupported:
            return "unsupported";
        case FaultKind::InstructionBudget:
            return "instruction_budget";
        case FaultKind::CallDepth:
            return "call_depth";
    }
    return "?";
}

std::string Fault::to_string() const {
    std::ostringstream s;
    s << "instruction " << pc << ": " << fault_kind_name(kind) << ": " << message;
    if (region != RegionKind::None) {
        s << " (region " << region_kind_name(region) << " [0x" << std::hex << region_base << ", 0x"
          << region_base + region_size << "), access 0x" << addr << std::dec << " size " << size
          << ")";
    }
    return s.str();
}

AddressSpace::AddressSpace(MapSet& maps, const ProgramTypeInfo* type)
    : maps_(maps),
      type_(type),
      stack_(static_cast<std::size_t>(kStackSize) * kMaxFrames, 0),
      stack_init_(stack_.size(), 0) {
    set_packet(nullptr, 0);
    if (type_ != nullptr && type_->ctx_size > 0) ctx_.assign(type_->ctx_size, 0);
}

void AddressSpace::set_packet(const std::uint8_t* bytes, std::size_t n) {
    const std::size_t need = kPacketHeadroom + n + kPacketTailroom;
    if (packet_buf_.size() < need) packet_buf_.resize(need, 0);
    // Headroom reads as zeros once xdp_adjust_head exposes it; tailroom is zeroed by
    // adjust_tail as it grows, so only the headroom needs clearing here.
    std::memset(packet_buf_.data(), 0, kPacketHeadroom);
    if (n > 0) std::memcpy(packet_buf_.data() + kPacketHeadroom, bytes, n);
    data_ = packet_buf_.data() + kPacketHeadroom;
    meta_ = data_;
    data_end_ = data_ + n;
    buf_end_ = data_end_ + kPacketTailroom;
}

bool AddressSpace::adjust_head(std::int64_t delta) {
    // As the kernel: the new start stays in the buffer and leaves at least an Ethernet header.
    const std::int64_t lo = packet_buf_.data() - data_;
    const std::int64_t hi = (data_end_ - data_) - 14;
    if (delta < lo || delta > hi) return false;
    data_ += delta;
    meta_ = data_;
    return true;
}

bool AddressSpace::adjust_meta(std::int64_t delta) {
    std::uint8_t* nm = meta_ + delta;
    if (nm < packet_buf_.data() || nm > data_ || data_ - nm > 32) return false;
    meta_ = nm;
    return true;
}

bool AddressSpace::adjust_tail(std::int64_t delta) {
    std::uint8_t* ne = data_end_ + delta;
    if (ne < data_ + 14 || ne > buf_end_) return false;
    if (delta > 0) std::memset(data_end_, 0, static_cast<std::size_t>(delta));
    data_end_ = ne;
    return true;
}

std::vector<std::uint8_t> AddressSpace::packet_bytes() const {
    return {data_, data_end_};
}

void AddressSpace::set_context(const std::vector<std::uint8_t>& bytes) {
    ctx_.assign(bytes.begin(), bytes.end());
    if (type_ != nullptr && type_->ctx_size > 0) ctx_.resize(type_->ctx_size, 0);
}

void AddressSpace::set_memory(const std::vector<std::uint8_t>& bytes) {
    mem_.assign(bytes.begin(), bytes.end());
}

void AddressSpace::reset_frame(std::uint32_t f) {
    Dirty& d = dirty_[f];
    if (d.lo < d.hi) std::fill(stack_init_.begin() + d.lo, stack_init_.begin() + d.hi, 0);
    d = Dirty{};
}

Tag AddressSpace::stack_tag(std::uint32_t f) {
    return Tag{RegionKind::Stack, true, stack_.data() + static_cast<std::size_t>(f) * kStackSize,
               kStackSize, 0};
}

Tag AddressSpace::context_tag() {
    return Tag{RegionKind::Context, true, ctx_.data(), ctx_.size()};
}

Tag AddressSpace::packet_tag() const {
    return Tag{RegionKind::Packet, true, data_, static_cast<std::uint64_t>(data_end_ - data_)};
}

Tag AddressSpace::packet_meta_tag() const {
    return Tag{RegionKind::PacketMeta, true, meta_, static_cast<std::uint64_t>(data_ - meta_)};
}

Tag AddressSpace::packet_end_tag() const {
    return Tag{RegionKind::PacketEnd, false, data_end_, 0};
}

Tag AddressSpace::memory_tag() {
    return Tag{RegionKind::Memory, true, mem_.data(), mem_.size()};
}

std::uint8_t* AddressSpace::check(const Tag& tag, std::uint64_t addr, std::uint32_t size,
                                  bool write, Fault& fault) const {
    const auto* base = tag.base;
    std::uint64_t len = tag.size;
    if (tag.kind == RegionKind::Packet) {
        base = data_;
        len = static_cast<std::uint64_t>(data_end_ - data_);
    } else if (tag.kind == RegionKind::PacketMeta) {
        base = meta_;
        len = static_cast<std::uint64_t>(data_ - meta_);
    }
    fault.addr = addr;
    fault.size = size;
    fault.region = tag.kind;
    fault.region_base = reinterpret_cast<std::uintptr_t>(base);
    fault.region_size = len;
    if (tag.kind == RegionKind::None || tag.kind == RegionKind::PacketEnd ||
        tag.kind == RegionKind::Code || tag.kind == RegionKind::MapPtr) {
        fault.kind = FaultKind::InvalidPointer;
        fault.message = addr == 0 ? "dereference of NULL"
                                  : std::string("dereference of a ") +
                                        std::string(region_kind_name(tag.kind)) + " value";
        return nullptr;
    }
    const auto start = reinterpret_cast<std::uintptr_t>(base);
    if (addr < start || addr - start > len || len - (addr - start) < size) {
        fault.kind = FaultKind::OutOfBounds;
        std::ostringstream m;
        m << (write ? "write" : "read") << " of " << size << " bytes at offset "
          << static_cast<std::int64_t>(addr - start) << " of a " << len << "-byte "
          << region_kind_name(tag.kind) << " region";
        fault.message = m.str();
        return nullptr;
    }
    if (write && !tag.writable) {
        fault.kind = FaultKind::ReadOnly;
        fault.message = "write to read-only " + std::string(region_kind_name(tag.kind));
        return nullptr;
    }
    return reinterpret_cast<std::uint8_t*>(addr);
}

}  // namespace bpflab::vm
