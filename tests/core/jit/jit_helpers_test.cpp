// SPDX-License-Identifier: Apache-2.0
// Tests for the JIT's helper bridge: it provides exactly the helpers the interpreter emulates
// (found by running each prototype's helper on the interpreter), and the checksum and
// trace_printk bridges give the interpreter's results.
#include <doctest/doctest.h>

#include <linux/bpf.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/jit/runtime.hpp"
#include "core/platform.hpp"
#include "tests/core/jit/jit_util.hpp"

namespace bpflab::jit::test {
namespace {

Instruction mov_imm(Reg r, std::int32_t v) {
    return Alu{AluOp::Mov, true, r, Operand{false, 0, v}};
}
Instruction mov_reg(Reg d, Reg s) {
    return Alu{AluOp::Mov, true, d, Operand{true, s, 0}};
}
Instruction ld64(Reg r, std::uint64_t v) {
    return LdImm64{LdImmKind::Imm64, r, static_cast<std::int32_t>(v),
                   static_cast<std::int32_t>(v >> 32)};
}

MapDef map_def(const char* name, std::uint32_t type, std::uint32_t key, std::uint32_t value,
               std::uint32_t entries) {
    MapDef m;
    m.name = name;
    m.type = type;
    m.key_size = key;
    m.value_size = value;
    m.max_entries = entries;
    return m;
}

/// An XDP program that calls helper `proto` once with arguments of the kinds its prototype
/// asks for: the context, map 0 (array), 1 (ring buffer) or 2 (program array) by the helper's
/// family, a reserved ring buffer record, a callback, 64 initialised stack bytes, size 8,
/// scalars 0. Then returns the helper's r0.
Object helper_program(const HelperProto& proto) {
    const std::string name(proto.name);
    const std::int32_t map = name.rfind("ringbuf", 0) == 0 ? 1 : name == "tail_call" ? 2 : 0;
    Insns p = {mov_reg(6, 1)};
    for (std::int16_t off = -64; off < 0; off += 8)
        p.push_back(Store{Size::DW, 10, off, Operand{false, 0, 0}});
    // r7 = a ring buffer record (8 bytes) for RingbufRecord arguments.
    p.push_back(LdImm64{LdImmKind::MapFd, 1, 1, 0});
    p.push_back(mov_imm(2, 8));
    p.push_back(mov_imm(3, 0));
    p.push_back(Call{CallKind::Helper, BPF_FUNC_ringbuf_reserve, 0});
    p.push_back(mov_reg(7, 0));
    std::size_t code_addr = 0;  // index of the callback ldimm64, patched below
    for (int i = 0; i < 5; ++i) {
        const auto r = static_cast<Reg>(i + 1);
        switch (proto.args[i]) {
            case ArgKind::None:
                break;
            case ArgKind::Ctx:
                p.push_back(mov_reg(r, 6));
                break;
            case ArgKind::ConstMapPtr:
                p.push_back(LdImm64{LdImmKind::MapFd, r, map, 0});
                break;
            case ArgKind::RingbufRecord:
                p.push_back(mov_reg(r, 7));
                break;
            case ArgKind::Func:
                code_addr = p.size();
                p.push_back(LdImm64{LdImmKind::CodeAddr, r, 0, 0});
                break;
            case ArgKind::MapKey:
            case ArgKind::MapValue:
            case ArgKind::Mem:
            case ArgKind::MemOrNull:
            case ArgKind::UninitMem:
            case ArgKind::StackOrNull:
                p.push_back(mov_reg(r, 10));
                p.push_back(Alu{AluOp::Add, true, r, Operand{false, 0, -64}});
                break;
            case ArgKind::Size:
            case ArgKind::SizeOrZero:
            case ArgKind::AllocSize:
                p.push_back(mov_imm(r, 8));
                break;
            case ArgKind::Anything:
            case ArgKind::Scalar:
                p.push_back(mov_imm(r, 0));
                break;
        }
    }
    p.push_back(Call{CallKind::Helper, proto.id, 0});
    p.push_back(Exit{});
    // The callback: return 1 (stop after one iteration).
    const std::size_t callback = p.size();
    p.push_back(mov_imm(0, 1));
    p.push_back(Exit{});
    if (code_addr != 0) {
        // Slots: every instruction is one slot except ldimm64 (two).
        auto slot = [&](std::size_t index) {
            std::int32_t s = 0;
            for (std::size_t i = 0; i < index; ++i)
                s += std::holds_alternative<LdImm64>(p[i]) ? 2 : 1;
            return s;
        };
        std::get<LdImm64>(p[code_addr]).imm = slot(callback) - slot(code_addr) - 1;
    }
    Object obj = make_object(p, "xdp");
    obj.maps = {map_def("array", BPF_MAP_TYPE_ARRAY, 4, 8, 4),
                map_def("events", BPF_MAP_TYPE_RINGBUF, 0, 0, 4096),
                map_def("jumps", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4)};
    return obj;
}

vm::RunInput packet_input(std::size_t len) {
    vm::RunInput in;
    for (std::size_t i = 0; i < len; ++i)
        in.packet.push_back(static_cast<std::uint8_t>(i * 37 + 5));
    return in;
}

}  // namespace

TEST_CASE("jit: bridges exactly the helpers the interpreter emulates") {
    std::set<std::int32_t> emulated;
    int compared = 0;
    for (const HelperProto& proto : helper_protos()) {
        CAPTURE(proto.name);
        const Object obj = helper_program(proto);
        vm::MapSet maps(obj.maps);
        vm::Interpreter interp(obj, maps);
        const auto a = interp.run(0, packet_input(64));
        if (a.fault && a.fault->kind == vm::FaultKind::UnknownHelper) {
            CHECK_FALSE(static_cast<bool>(find_helper(proto.id)));
            continue;
        }
        emulated.insert(proto.id);
        CHECK(static_cast<bool>(find_helper(proto.id)));
        const bool pointer =
            proto.ret == RetKind::MapValueOrNull || proto.ret == RetKind::RingbufRecordOrNull;
        for (bool checked : {false, true}) {
            vm::MapSet jmaps(obj.maps);
            JitOptions opts;
            opts.checked = checked;
            opts.count_instructions = true;  // the clock helpers then read the interpreter's clock
            auto jit = JitProgram::compile(obj, 0, jmaps, opts);
            REQUIRE_MESSAGE(jit.has_value(), (jit ? "" : jit.error().to_string()));
            if (a.fault) continue;  // an argument the interpreter refuses: the JIT trusts it
            const auto b = jit->run(packet_input(64));
            CHECK_FALSE(b.fault);
            // Pointers into each engine's own maps differ; whether they are NULL may not.
            if (pointer)
                CHECK((b.r0 == 0) == (a.r0 == 0));
            else
                CHECK(b.r0 == a.r0);
            CHECK(b.packet == a.packet);
            CHECK(b.trace_output == a.trace_output);
            ++compared;
        }
    }
    // Every helper the JIT bridges is one the interpreter emulates, and there is no other.
    int bridged = 0;
    for (std::int32_t id = 0; id < 512; ++id)
        if (find_helper(id) != nullptr) {
            CAPTURE(id);
            CHECK(emulated.count(id) == 1);
            ++bridged;
        }
    CHECK(bridged == static_cast<int>(emulated.size()));
    CHECK(emulated.count(BPF_FUNC_l4_csum_replace) == 1);
    CHECK(emulated.size() >= 35);
    MESSAGE(emulated.size() << " helpers emulated and bridged; " << compared
                            << " helper runs compared with the interpreter");
}

TEST_CASE("jit: l3_csum_replace and l4_csum_replace equal the interpreter for every flag form") {
    std::mt19937_64 rng(0xc5c5);
    const std::uint64_t flag_forms[] = {0,
                                        2,
                                        4,
                                        1,
                                        3,
                                        8,
                                        BPF_F_PSEUDO_HDR | 4,
                                        BPF_F_MARK_MANGLED_0 | 2,
                                        BPF_F_MARK_MANGLED_0 | 4,
                                        BPF_F_MARK_ENFORCE | 2,
                                        BPF_F_MARK_MANGLED_0 | BPF_F_PSEUDO_HDR | 0,
                                        0x80 | 2,
                                        1ull << 40};
    const std::uint64_t offsets[] = {0, 1, 12, 13, 24, 62, 63, 64, 0x10000, ~0ull};
    int runs = 0;
    for (std::int32_t helper : {BPF_FUNC_l3_csum_replace, BPF_FUNC_l4_csum_replace})
        for (std::uint64_t flags : flag_forms)
            for (std::uint64_t off : offsets)
                for (int k = 0; k < 3; ++k) {
                    // k = 0: from = 0 (the "difference" form); k = 2: a zero checksum in place.
                    const std::uint64_t from = k == 0 ? 0 : rng();
                    const std::uint64_t to = rng();
                    const Insns p = {ld64(2, off),
                                     ld64(3, from),
                                     ld64(4, to),
                                     ld64(5, flags),
                                     Call{CallKind::Helper, helper, 0},
                                     Exit{}};
                    const Object obj = make_object(p, "tc");
                    vm::RunInput in = packet_input(64);
                    if (k == 2 && off <= 62) in.packet[off] = in.packet[off + 1] = 0;
                    CAPTURE(helper);
                    CAPTURE(flags);
                    CAPTURE(off);
                    vm::MapSet maps(obj.maps);
                    vm::Interpreter interp(obj, maps);
                    const auto a = interp.run(0, in);
                    REQUIRE_FALSE(a.fault);
                    for (bool checked : {false, true}) {
                        JitOptions opts;
                        opts.checked = checked;
                        JitProgram jit = compile_ok(obj, maps, opts);
                        const auto b = jit.run(in);
                        CHECK_FALSE(b.fault);
                        CHECK(b.r0 == a.r0);
                        CHECK(b.packet == a.packet);
                        ++runs;
                    }
                }
    MESSAGE(runs << " checksum-helper runs compared");
}

TEST_CASE("jit: trace_printk formats every conversion like the interpreter") {
    const std::string fmt = "d=%d i=%i u=%u x=%x ld=%ld lx=%lx llu=%llu p=%p c=%c %% q=%q end";
    std::vector<std::uint8_t> mem(fmt.begin(), fmt.end());
    mem.push_back(0);
    for (const std::uint64_t v : {0ull, 1ull, 0xffffffffull, 0x8000000000000041ull, ~0ull}) {
        const Insns p = {ld64(3, v), ld64(4, v * 3), ld64(5, v ^ 0x41),
                         Call{CallKind::Helper, BPF_FUNC_trace_printk, 0}, Exit{}};
        const Object obj = make_object(p);
        vm::MapSet maps(obj.maps);
        vm::Interpreter interp(obj, maps);
        const auto a = interp.run(0, memory_input(mem));
        REQUIRE_FALSE(a.fault);
        REQUIRE(a.trace_output.size() == 1);
        JitProgram jit = compile_ok(obj, maps);
        const auto b = jit.run(memory_input(mem));
        CHECK(b.trace_output == a.trace_output);
        CHECK(b.r0 == a.r0);
    }
}

}  // namespace bpflab::jit::test
