// SPDX-License-Identifier: Apache-2.0
// bpflab: emulated helper functions and their argument contracts (deterministic, one CPU).
#include <linux/bpf.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "core/vm/engine.hpp"
#include "core/vm/helper_math.hpp"

namespace bpflab::vm {
namespace {

constexpr std::int64_t kEFAULT = 14;
constexpr std::uint64_t kMaxLoops = 1u << 23;  // bpf_loop's limit

bool is_pointer(const Tag& t) {
    return t.kind != RegionKind::None;
}

void put_u32(std::uint8_t* ctx, std::size_t off, std::uint32_t v) {
    std::memcpy(ctx + off, &v, 4);
}

std::uint32_t get_u32(const std::uint8_t* ctx, std::size_t off) {
    std::uint32_t v = 0;
    std::memcpy(&v, ctx + off, 4);
    return v;
}

}  // namespace

void fill_packet_context(AddressSpace& mem, const ProgramTypeInfo& type,
                         const std::vector<std::uint8_t>& packet) {
    std::uint8_t* ctx = mem.context();
    auto fill = [&](std::size_t off, std::uint32_t v) {
        if (get_u32(ctx, off) == 0) put_u32(ctx, off, v);
    };
    if (type.prog_type == BPF_PROG_TYPE_XDP) {
        fill(offsetof(struct xdp_md, ingress_ifindex), 1);
        return;
    }
    const auto len = static_cast<std::uint32_t>(mem.data_end() - mem.data());
    put_u32(ctx, offsetof(struct __sk_buff, len), len);
    if (packet.size() >= 14) {
        std::uint16_t proto = 0;
        std::memcpy(&proto, packet.data() + 12, 2);  // network order, as the kernel stores it
        fill(offsetof(struct __sk_buff, protocol), proto);
    }
    fill(offsetof(struct __sk_buff, ifindex), 1);
    fill(offsetof(struct __sk_buff, ingress_ifindex), 1);
    fill(offsetof(struct __sk_buff, wire_len), len);
}

std::uint8_t* Engine::helper_mem(int r, std::uint64_t size, bool write, const char* what) {
    const Tag& t = tags_[r];
    if (size == 0) return reinterpret_cast<std::uint8_t*>(regs_[r]);
    if (size > (1u << 30)) {
        fail(FaultKind::HelperArgument, std::string(what) + ": size " + std::to_string(size) +
                                            " in r" + std::to_string(r + 1) + " is too large");
        return nullptr;
    }
    if (t.kind == RegionKind::Context) {
        fail(FaultKind::HelperArgument,
             std::string(what) + ": r" + std::to_string(r) + " points to the context");
        return nullptr;
    }
    std::uint8_t* p = mem_->check(t, regs_[r], static_cast<std::uint32_t>(size), write, fault_);
    if (p == nullptr) {
        fault_.kind = FaultKind::HelperArgument;
        fault_.message = std::string(what) + ": r" + std::to_string(r) + ": " + fault_.message;
        raise();
        return nullptr;
    }
    if (t.kind == RegionKind::Stack) {
        if (write) {
            mem_->mark_stack_init(p, static_cast<std::uint32_t>(size));
            const auto rel = static_cast<std::size_t>(p - mem_->stack_base());
            for (std::size_t s = rel / 8; s <= (rel + size - 1) / 8; ++s) spills_[s] = Tag{};
        } else if (!mem_->stack_init(p, static_cast<std::uint32_t>(size))) {
            fail(FaultKind::HelperArgument, std::string(what) + ": r" + std::to_string(r) +
                                                " points to uninitialised stack bytes");
            return nullptr;
        }
    }
    return p;
}

bool Engine::call_helper(const Op& op) {
    const std::int32_t id = op.imm;
    const HelperProto* proto = helper_proto(id);
    const auto name = helper_name(id);
    const std::string label = name ? std::string(*name) : "#" + std::to_string(id);
    if (proto == nullptr)
        return fail(FaultKind::UnknownHelper,
                    "helper " + label + " (" + std::to_string(id) + ") is not emulated");
    // Generic contract: every argument register is initialised, maps are maps, ctx is ctx.
    int map_arg = -1;
    for (int i = 0; i < 5; ++i) {
        const ArgKind k = proto->args[i];
        if (k == ArgKind::None) break;
        const int r = i + 1;
        if (!((init_ >> r) & 1u))
            return fail(FaultKind::HelperArgument,
                        label + ": argument r" + std::to_string(r) + " is not initialised");
        const Tag& t = tags_[r];
        auto bad = [&](const char* want) {
            return fail(FaultKind::HelperArgument, label + ": r" + std::to_string(r) + " must be " +
                                                       want + ", not " +
                                                       std::string(region_kind_name(t.kind)));
        };
        switch (k) {
            case ArgKind::ConstMapPtr:
                if (t.kind != RegionKind::MapPtr) return bad("a map");
                map_arg = r;
                break;
            case ArgKind::Ctx:
                if (t.kind != RegionKind::Context) return bad("the context");
                break;
            case ArgKind::RingbufRecord:
                if (t.kind != RegionKind::Ringbuf) return bad("a ring buffer record");
                break;
            case ArgKind::Func:
                if (t.kind != RegionKind::Code) return bad("a callback function");
                break;
            case ArgKind::Scalar:
            case ArgKind::Size:
            case ArgKind::SizeOrZero:
            case ArgKind::AllocSize:
                if (is_pointer(t)) return bad("a scalar");
                break;
            default:
                break;
        }
    }
    const std::uint64_t a1 = regs_[1], a2 = regs_[2], a3 = regs_[3], a4 = regs_[4];
    Map* map = map_arg > 0 ? &maps_.at(tags_[map_arg].map) : nullptr;
    std::uint64_t r0 = 0;
    Tag r0_tag;
    bool packet_changed = false;

    switch (id) {
        case BPF_FUNC_map_lookup_elem:
        case BPF_FUNC_map_update_elem:
        case BPF_FUNC_map_delete_elem: {
            if (map->is_ringbuf() || map->def().type == BPF_MAP_TYPE_PROG_ARRAY)
                return fail(FaultKind::HelperArgument,
                            label + " on a " + map_type_name(map->def().type) + " map");
            const std::uint8_t* key = helper_mem(2, map->def().key_size, false, label.c_str());
            if (key == nullptr) return false;
            if (id == BPF_FUNC_map_lookup_elem) {
                std::uint8_t* v = map->lookup(key);
                r0 = reinterpret_cast<std::uintptr_t>(v);
                if (v != nullptr)
                    r0_tag = Tag{RegionKind::MapValue, !map->def().read_only(), v,
                                 map->def().value_size, tags_[1].map};
            } else if (id == BPF_FUNC_map_update_elem) {
                const std::uint8_t* val =
                    helper_mem(3, map->def().value_size, false, label.c_str());
                if (val == nullptr) return false;
                r0 = static_cast<std::uint64_t>(map->update(key, val, a4));
            } else {
                r0 = static_cast<std::uint64_t>(map->erase(key));
            }
            break;
        }
        case BPF_FUNC_ktime_get_ns:
        case BPF_FUNC_ktime_get_boot_ns:
        case BPF_FUNC_ktime_get_coarse_ns:
        case BPF_FUNC_ktime_get_tai_ns:
            r0 = input_->ktime_ns + (options_->instruction_budget + 1 - budget_);
            break;
        case BPF_FUNC_jiffies64:
            r0 = input_->ktime_ns / 4'000'000;
            break;
        case BPF_FUNC_get_prandom_u32:
            r0 = static_cast<std::uint32_t>(splitmix(rng_));
            break;
        case BPF_FUNC_get_smp_processor_id:
        case BPF_FUNC_get_numa_node_id:
            r0 = 0;
            break;
        case BPF_FUNC_get_current_pid_tgid:
            r0 = input_->pid_tgid;
            break;
        case BPF_FUNC_get_current_uid_gid:
            r0 = input_->uid_gid;
            break;
        case BPF_FUNC_get_current_comm: {
            std::uint8_t* buf = helper_mem(1, a2, true, label.c_str());
            if (buf == nullptr && a2 != 0) return false;
            std::memset(buf, 0, a2);
            std::memcpy(buf, input_->comm.data(),
                        std::min<std::size_t>(input_->comm.size(), a2 - 1));
            r0 = 0;
            break;
        }
        case BPF_FUNC_trace_printk: {
            const std::uint8_t* fmt = helper_mem(1, a2, false, label.c_str());
            if (fmt == nullptr) return false;
            std::string f(reinterpret_cast<const char*>(fmt), a2);
            f = f.substr(0, f.find('\0'));
            const std::uint64_t args[3] = {a3, a4, regs_[5]};
            result_->trace_output.push_back(format_trace(f, args, 3));
            r0 = result_->trace_output.back().size();
            break;
        }
        case BPF_FUNC_probe_read:
        case BPF_FUNC_probe_read_kernel:
        case BPF_FUNC_probe_read_user:
        case BPF_FUNC_probe_read_str:
        case BPF_FUNC_probe_read_kernel_str:
        case BPF_FUNC_probe_read_user_str: {
            std::uint8_t* dst = helper_mem(1, a2, true, label.c_str());
            if (dst == nullptr && a2 != 0) return false;
            const bool str = id == BPF_FUNC_probe_read_str ||
                             id == BPF_FUNC_probe_read_kernel_str ||
                             id == BPF_FUNC_probe_read_user_str;
            const auto& img = input_->probe_memory;
            const std::uint64_t base = input_->probe_base;
            if (a2 == 0) {
                r0 = 0;
                break;
            }
            if (a3 < base || a3 - base >= img.size() || (!str && img.size() - (a3 - base) < a2)) {
                std::memset(dst, 0, a2);
                r0 = static_cast<std::uint64_t>(-kEFAULT);
                break;
            }
            const std::uint8_t* src = img.data() + (a3 - base);
            const std::size_t avail = img.size() - (a3 - base);
            if (!str) {
                std::memcpy(dst, src, a2);
                r0 = 0;
            } else {
                std::size_t n = 0;
                while (n + 1 < a2 && n < avail && src[n] != 0) ++n;
                std::memcpy(dst, src, n);
                dst[n] = 0;
                r0 = n + 1;
            }
            break;
        }
        case BPF_FUNC_ringbuf_reserve: {
            if (!map->is_ringbuf())
                return fail(FaultKind::HelperArgument, label + " on a non-ringbuf map");
            if (a3 != 0) {
                r0 = 0;
                break;
            }
            std::uint8_t* rec = map->ringbuf_reserve(a2);
            r0 = reinterpret_cast<std::uintptr_t>(rec);
            if (rec != nullptr) r0_tag = Tag{RegionKind::Ringbuf, true, rec, a2, tags_[1].map};
            break;
        }
        case BPF_FUNC_ringbuf_submit:
        case BPF_FUNC_ringbuf_discard: {
            Map& m = maps_.at(tags_[1].map);
            if (!m.ringbuf_commit(tags_[1].base, id == BPF_FUNC_ringbuf_submit) ||
                regs_[1] != reinterpret_cast<std::uintptr_t>(tags_[1].base))
                return fail(FaultKind::HelperArgument, label + ": r1 is not a reserved record");
            for (auto& t : tags_)
                if (t.kind == RegionKind::Ringbuf && t.base == tags_[1].base) t = Tag{};
            r0 = 0;
            break;
        }
        case BPF_FUNC_ringbuf_output: {
            if (!map->is_ringbuf())
                return fail(FaultKind::HelperArgument, label + " on a non-ringbuf map");
            const std::uint8_t* data = helper_mem(2, a3, false, label.c_str());
            if (data == nullptr && a3 != 0) return false;
            r0 = static_cast<std::uint64_t>(map->ringbuf_output({data, a3}));
            break;
        }
        case BPF_FUNC_ringbuf_query:
            r0 = map->ringbuf_records().size();
            break;
        case BPF_FUNC_skb_load_bytes: {
            std::uint8_t* to = helper_mem(3, a4, true, label.c_str());
            if (to == nullptr) return false;
            const auto len = static_cast<std::uint64_t>(mem_->data_end() - mem_->data());
            if (a2 > len || len - a2 < a4) {
                std::memset(to, 0, a4);
                r0 = static_cast<std::uint64_t>(-kEFAULT);
            } else {
                std::memcpy(to, mem_->data() + a2, a4);
                r0 = 0;
            }
            break;
        }
        case BPF_FUNC_skb_store_bytes: {
            const std::uint8_t* from = helper_mem(3, a4, false, label.c_str());
            if (from == nullptr) return false;
            const auto len = static_cast<std::uint64_t>(mem_->data_end() - mem_->data());
            if ((regs_[5] & ~std::uint64_t{BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH}) != 0) {
                r0 = static_cast<std::uint64_t>(-kEINVAL);
            } else if (a2 > len || len - a2 < a4) {
                r0 = static_cast<std::uint64_t>(-kEFAULT);
            } else {
                std::memmove(mem_->data() + a2, from, a4);
                r0 = 0;
            }
            packet_changed = true;
            break;
        }
        case BPF_FUNC_l3_csum_replace:
        case BPF_FUNC_l4_csum_replace: {
            const std::uint64_t flags = regs_[5];
            const bool l4 = id == BPF_FUNC_l4_csum_replace;
            const std::uint64_t allowed =
                BPF_F_HDR_FIELD_MASK |
                (l4 ? std::uint64_t{BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE}
                    : 0);
            const auto len = static_cast<std::uint64_t>(mem_->data_end() - mem_->data());
            if ((flags & ~allowed) != 0) {
                r0 = static_cast<std::uint64_t>(-kEINVAL);
            } else if (a2 > 0xffff || (!l4 && (a2 & 1)) || a2 + 2 > len) {
                r0 = static_cast<std::uint64_t>(-kEFAULT);
            } else {
                std::uint8_t* ptr = mem_->data() + a2;
                std::uint16_t sum = 0;
                std::memcpy(&sum, ptr, 2);
                const bool mangled0 = l4 && (flags & BPF_F_MARK_MANGLED_0) != 0;
                r0 = 0;
                if (!(mangled0 && sum == 0)) {
                    switch (flags & BPF_F_HDR_FIELD_MASK) {
                        case 0:
                            if (a3 != 0)
                                r0 = static_cast<std::uint64_t>(-kEINVAL);
                            else
                                sum = csum_fold(
                                    csum_add(static_cast<std::uint32_t>(a4), ~std::uint32_t{sum}));
                            break;
                        case 2:
                            sum = csum_replace2(sum, static_cast<std::uint16_t>(a3),
                                                static_cast<std::uint16_t>(a4));
                            break;
                        case 4:
                            sum = csum_replace4(sum, static_cast<std::uint32_t>(a3),
                                                static_cast<std::uint32_t>(a4));
                            break;
                        default:
                            r0 = static_cast<std::uint64_t>(-kEINVAL);
                            break;
                    }
                    if (mangled0 && sum == 0) sum = 0xffff;
                    if (r0 == 0) std::memcpy(ptr, &sum, 2);
                }
            }
            packet_changed = true;
            break;
        }
        case BPF_FUNC_xdp_adjust_head:
        case BPF_FUNC_xdp_adjust_meta:
        case BPF_FUNC_xdp_adjust_tail: {
            const auto delta = static_cast<std::int64_t>(static_cast<std::int32_t>(a2));
            const bool ok = id == BPF_FUNC_xdp_adjust_head   ? mem_->adjust_head(delta)
                            : id == BPF_FUNC_xdp_adjust_meta ? mem_->adjust_meta(delta)
                                                             : mem_->adjust_tail(delta);
            r0 = ok ? 0 : static_cast<std::uint64_t>(-kEINVAL);
            packet_changed = true;
            break;
        }
        case BPF_FUNC_redirect:
            result_->redirect = a1;
            r0 = mem_->type() != nullptr && mem_->type()->prog_type == BPF_PROG_TYPE_XDP
                     ? XDP_REDIRECT
                     : 7;  // TC_ACT_REDIRECT
            break;
        case BPF_FUNC_redirect_map:
            result_->redirect = a2;
            r0 = XDP_REDIRECT;
            break;
        case BPF_FUNC_tail_call: {
            if (map->def().type != BPF_MAP_TYPE_PROG_ARRAY)
                return fail(FaultKind::HelperArgument, "tail_call: r2 is not a program array");
            const auto idx = static_cast<std::uint32_t>(a3);
            r0 = static_cast<std::uint64_t>(-kENOENT);
            if (idx >= map->def().max_entries || tail_calls_ >= 33) break;
            std::uint8_t* v = map->lookup(reinterpret_cast<const std::uint8_t*>(&idx));
            std::uint32_t prog = 0;
            if (v != nullptr) std::memcpy(&prog, v, 4);
            if (prog == 0 || prog > object_.programs.size()) break;
            ++tail_calls_;
            pending_tail_call_ = prog - 1;
            break;
        }
        case BPF_FUNC_loop: {
            if (a1 > kMaxLoops) {
                r0 = static_cast<std::uint64_t>(-kE2BIG);
                break;
            }
            if (a4 != 0) {
                r0 = static_cast<std::uint64_t>(-kEINVAL);
                break;
            }
            const std::uint32_t target = tags_[2].map;
            const Tag ctx_tag = tags_[3];
            std::uint64_t i = 0;
            while (i < a1) {
                regs_[1] = i;
                tags_[1] = Tag{};
                regs_[2] = a3;
                tags_[2] = ctx_tag;
                init_ = static_cast<std::uint16_t>((init_ & ~0x3eu) | 0x6u);
                if (!call_callback(target)) return false;
                ++i;
                if (regs_[0] != 0) break;
            }
            r0 = i;
            break;
        }
        default:
            return fail(FaultKind::UnknownHelper,
                        "helper " + label + " (" + std::to_string(id) + ") is not emulated");
    }
    regs_[0] = r0;
    tags_[0] = r0_tag;
    init_ = static_cast<std::uint16_t>((init_ & ~0x3fu) | 1u);
    for (int r = 1; r <= 5; ++r) tags_[r] = Tag{};
    if (packet_changed) {
        auto scrub = [](Tag& t) {
            if (t.kind == RegionKind::Packet || t.kind == RegionKind::PacketEnd ||
                t.kind == RegionKind::PacketMeta)
                t = Tag{};
        };
        for (auto& t : tags_) scrub(t);
        for (auto& t : spills_) scrub(t);
    }
    return true;
}

}  // namespace bpflab::vm
