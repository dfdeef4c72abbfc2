// SPDX-License-Identifier: Apache-2.0
// Tests for core/vm/interp.hpp: results, frames, helpers and every fault kind.
#include <doctest/doctest.h>

#include <linux/bpf.h>

#include <cstring>
#include <filesystem>

#include "core/asm.hpp"
#include "core/load.hpp"
#include "core/vm/interp.hpp"

namespace bpflab::vm {
namespace {

Object assemble_object(const std::string& text, const std::string& type = {}) {
    auto insns = assemble(text, Syntax::Linux, "test.s");
    REQUIRE_MESSAGE(insns.has_value(), (insns ? "" : insns.error().to_string()));
    LoadOptions opts;
    opts.type = type;
    auto obj = object_from_slots(encode(*insns), "test.s", opts);
    REQUIRE_MESSAGE(obj.has_value(), (obj ? "" : obj.error().to_string()));
    return std::move(*obj);
}

RunResult run_text(const std::string& text, std::vector<std::uint8_t> memory = {},
                   RunOptions opts = {}) {
    Object obj = assemble_object(text);
    MapSet maps(obj.maps);
    Interpreter vm(obj, maps);
    RunInput in;
    in.memory_in_r1 = true;
    in.memory = std::move(memory);
    return vm.run(0, in, opts);
}

FaultKind fault_of(const RunResult& r) {
    REQUIRE(r.fault.has_value());
    return r.fault->kind;
}

}  // namespace

TEST_CASE("arithmetic, 32-bit zero extension and the defined division cases") {
    auto r = run_text("r0 = 1\nr0 += 2\nexit\n");
    CHECK_FALSE(r.fault);
    CHECK(r.r0 == 3);
    CHECK(r.instructions == 3);
    CHECK(run_text("r0 = -1\nw0 += 1\nexit\n").r0 == 0);
    CHECK(run_text("r0 = 7\nr1 = 0\nr0 /= r1\nexit\n").r0 == 0);
    CHECK(run_text("r0 = 7\nr1 = 0\nr0 %= r1\nexit\n").r0 == 7);
    CHECK(run_text("r0 = 0x8000000000000000 ll\nr1 = -1\nr0 s/= r1\nexit\n").r0 ==
          0x8000000000000000ULL);
    CHECK(run_text("r0 = 1\nr0 <<= 65\nexit\n").r0 == 2);
    CHECK(run_text("r0 = 0x1122334455667788 ll\nr0 = bswap16 r0\nexit\n").r0 == 0x8877);
}

TEST_CASE("memory in r1: loads, stores, atomics, and out-of-bounds faults with the region") {
    std::vector<std::uint8_t> mem(16, 0);
    mem[0] = 0x2a;
    auto r = run_text("r0 = *(u8 *)(r1 + 0)\n*(u64 *)(r1 + 8) = r0\nr2 = 5\n"
                      "lock *(u64 *)(r1 + 8) += r2\nr0 = *(u64 *)(r1 + 8)\nexit\n",
                      mem);
    CHECK_FALSE(r.fault);
    CHECK(r.r0 == 47);
    r = run_text("r0 = *(u64 *)(r1 + 12)\nexit\n", mem);
    CHECK(fault_of(r) == FaultKind::OutOfBounds);
    CHECK(r.fault->pc == 0);
    CHECK(r.fault->region == RegionKind::Memory);
    CHECK(r.fault->region_size == 16);
    CHECK(r.fault->size == 8);
    r = run_text("r1 = 0\nr0 = *(u8 *)(r1 + 0)\nexit\n", mem);
    CHECK(fault_of(r) == FaultKind::InvalidPointer);
    CHECK(r.fault->pc == 1);
}

TEST_CASE("uninitialised registers and stack bytes are faults") {
    auto r = run_text("r0 = r5\nexit\n");
    CHECK(fault_of(r) == FaultKind::UninitRegister);
    r = run_text("exit\n");
    CHECK(fault_of(r) == FaultKind::UninitRegister);
    r = run_text("*(u32 *)(r10 - 8) = 1\nr0 = *(u64 *)(r10 - 8)\nexit\n");
    CHECK(fault_of(r) == FaultKind::UninitStack);
    r = run_text("*(u64 *)(r10 - 8) = 1\nr0 = *(u64 *)(r10 - 8)\nexit\n");
    CHECK_FALSE(r.fault);
    CHECK(r.r0 == 1);
    r = run_text("*(u64 *)(r10 + 0) = 1\nr0 = 0\nexit\n");
    CHECK(fault_of(r) == FaultKind::OutOfBounds);
    CHECK(r.fault->region == RegionKind::Stack);
}

TEST_CASE("spilled pointers keep their provenance; arithmetic on two pointers does not") {
    std::vector<std::uint8_t> mem(8, 9);
    auto r = run_text("*(u64 *)(r10 - 8) = r1\nr2 = *(u64 *)(r10 - 8)\nr0 = *(u8 *)(r2 + 7)\nexit\n",
                      mem);
    CHECK_FALSE(r.fault);
    CHECK(r.r0 == 9);
    r = run_text("*(u32 *)(r10 - 8) = r1\n*(u32 *)(r10 - 4) = 0\nr2 = *(u64 *)(r10 - 8)\n"
                 "r0 = *(u8 *)(r2 + 0)\nexit\n",
                 mem);
    CHECK(fault_of(r) == FaultKind::InvalidPointer);
}

TEST_CASE("local calls get a fresh frame, keep r6-r9, and stop at eight frames") {
    auto r = run_text("r6 = 5\nr1 = 10\ncall f\nr0 += r6\nexit\n"
                      "f:\nr0 = r1\nr0 += 1\nr6 = 100\n*(u64 *)(r10 - 8) = r0\nexit\n");
    CHECK_FALSE(r.fault);
    CHECK(r.r0 == 16);
    r = run_text("r1 = 0\ncall g\nexit\ng:\nr0 = r6\nexit\n");
    CHECK(fault_of(r) == FaultKind::UninitRegister);
    r = run_text("call h\nexit\nh:\ncall h\nr0 = 0\nexit\n");
    CHECK(fault_of(r) == FaultKind::CallDepth);
}

TEST_CASE("the instruction budget stops runaway loops; the trace hook sees every step") {
    RunOptions opts;
    opts.instruction_budget = 1000;
    auto r = run_text("r0 = 0\nl:\nr0 += 1\ngoto l\n", {}, opts);
    CHECK(fault_of(r) == FaultKind::InstructionBudget);
    CHECK(r.instructions == 1000);

    std::vector<std::uint32_t> pcs;
    RunOptions traced;
    traced.hook = [&](const ConcreteState& s) {
        pcs.push_back(s.pc);
        if (s.pc == 2) {
            CHECK(s.is_init(0));
            CHECK(s.regs[0] == 0x1122334455667788ULL);
            CHECK(s.tags[10].kind == RegionKind::Stack);
        }
    };
    r = run_text("r0 = 0x1122334455667788 ll\nexit\n", {}, traced);
    CHECK(pcs == std::vector<std::uint32_t>{0, 2});
}

TEST_CASE("unknown helpers and unsupported instructions stop with a named reason") {
    auto r = run_text("call 35\nr0 = 0\nexit\n");
    CHECK(fault_of(r) == FaultKind::UnknownHelper);
    CHECK(r.fault->message.find("get_current_task") != std::string::npos);
    r = run_text("call 9\nr0 = 0\nexit\n");  // skb_store_bytes needs the context in r1
    CHECK(fault_of(r) == FaultKind::HelperArgument);
    CHECK(r.fault->message.find("skb_store_bytes") != std::string::npos);
    r = run_text("call 100000\nexit\n");
    CHECK(fault_of(r) == FaultKind::UnknownHelper);
}

TEST_CASE("map helpers: lookup, update, null checks, value bounds") {
    Object obj = assemble_object(
        "r1 = 0x0 ll\n"  // patched below into a map reference
        "*(u32 *)(r10 - 4) = 7\n"
        "*(u64 *)(r10 - 16) = 41\n"
        "r2 = r10\nr2 += -4\nr3 = r10\nr3 += -16\nr4 = 0\ncall 2\n"
        "r1 = 0x0 ll\nr2 = r10\nr2 += -4\ncall 1\n"
        "if r0 == 0 goto miss\n"
        "r1 = *(u64 *)(r0 + 0)\nr1 += 1\n*(u64 *)(r0 + 0) = r1\nr0 = r1\nexit\n"
        "miss:\nr0 = 0\nexit\n");
    for (auto& insn : obj.programs[0].code.insns)
        if (auto* l = std::get_if<LdImm64>(&insn)) l->kind = LdImmKind::MapFd;
    MapDef d;
    d.name = "h";
    d.type = BPF_MAP_TYPE_HASH;
    d.key_size = 4;
    d.value_size = 8;
    d.max_entries = 4;
    obj.maps.push_back(d);
    MapSet maps(obj.maps);
    Interpreter vm(obj, maps);
    RunInput in;
    in.memory_in_r1 = true;
    auto r = vm.run(0, in);
    REQUIRE_FALSE(r.fault);
    CHECK(r.r0 == 42);
    std::uint32_t k = 7;
    std::uint64_t v = 0;
    std::memcpy(&v, maps.at(0).lookup(reinterpret_cast<std::uint8_t*>(&k)), 8);
    CHECK(v == 42);
}

TEST_CASE("corpus programs run on packets: XDP parse, socket filter, bpf_loop, tail calls") {
    const std::filesystem::path dir = std::filesystem::path(BPFLAB_BINARY_DIR) / "corpus";
    auto obj = load_file((dir / "xdp_count.o").string());
    REQUIRE(obj.has_value());
    MapSet maps(obj->maps);
    Interpreter vm(*obj, maps);
    RunInput in;
    in.packet.assign(64, 0);
    in.packet[0] = 0x11;
    auto r = vm.run(0, in);
    REQUIRE_MESSAGE(!r.fault, (r.fault ? r.fault->to_string() : ""));
    CHECK(r.r0 == XDP_PASS);
    in.packet.resize(10);
    r = vm.run(0, in);
    REQUIRE_FALSE(r.fault);
    CHECK(r.r0 == XDP_DROP);
    CHECK(r.packet.size() == 10);
}

}  // namespace bpflab::vm

namespace bpflab::vm {

TEST_CASE("writes to read-only data and to read-only context fields are faults") {
    Object obj = assemble_object("r1 = 0x0 ll\nr2 = 5\n*(u8 *)(r1 + 0) = r2\nr0 = 0\nexit\n");
    std::get<LdImm64>(obj.programs[0].code.insns[0]).kind = LdImmKind::MapValue;
    MapDef ro;
    ro.name = ".rodata";
    ro.section = ".rodata";
    ro.type = BPF_MAP_TYPE_ARRAY;
    ro.key_size = 4;
    ro.value_size = 8;
    ro.max_entries = 1;
    ro.origin = MapOrigin::GlobalData;
    obj.maps.push_back(ro);
    MapSet maps(obj.maps);
    Interpreter vm(obj, maps);
    RunInput in;
    in.memory_in_r1 = true;
    auto r = vm.run(0, in);
    CHECK(fault_of(r) == FaultKind::ReadOnly);
    CHECK(r.fault->region == RegionKind::MapValue);

    Object xdp = assemble_object("r2 = 1\n*(u32 *)(r1 + 0) = r2\nr0 = 2\nexit\n", "xdp");
    MapSet none;
    Interpreter vx(xdp, none);
    r = vx.run(0, RunInput{});
    CHECK(fault_of(r) == FaultKind::ContextAccess);
    Object narrow = assemble_object("r0 = *(u16 *)(r1 + 0)\nexit\n", "xdp");
    Interpreter vn(narrow, none);
    CHECK(fault_of(vn.run(0, RunInput{})) == FaultKind::ContextAccess);
    Object past = assemble_object("r0 = *(u32 *)(r1 + 24)\nexit\n", "xdp");
    Interpreter vp(past, none);
    CHECK(fault_of(vp.run(0, RunInput{})) == FaultKind::ContextAccess);
}

TEST_CASE("packet access is bounded by data_end; data_end itself is not dereferenceable") {
    Object obj = assemble_object(
        "r2 = *(u32 *)(r1 + 0)\nr3 = *(u32 *)(r1 + 4)\nr0 = *(u8 *)(r2 + 13)\nexit\n", "xdp");
    MapSet none;
    Interpreter vm(obj, none);
    RunInput in;
    in.packet.assign(14, 7);
    auto r = vm.run(0, in);
    CHECK_FALSE(r.fault);
    CHECK(r.r0 == 7);
    in.packet.resize(13);
    r = vm.run(0, in);
    CHECK(fault_of(r) == FaultKind::OutOfBounds);
    CHECK(r.fault->region == RegionKind::Packet);
    Object end = assemble_object("r3 = *(u32 *)(r1 + 4)\nr0 = *(u8 *)(r3 - 1)\nexit\n", "xdp");
    Interpreter ve(end, none);
    CHECK(fault_of(ve.run(0, in)) == FaultKind::InvalidPointer);
}

TEST_CASE("unsupported instructions are named") {
    auto r = run_text("r1 = 0\ngotox r1\n");
    CHECK(fault_of(r) == FaultKind::Unsupported);
    CHECK(r.fault->message.find("gotox") != std::string::npos);
}

TEST_CASE("tail calls: a program array slot runs the program; the 34th chained call fails") {
    // Program 0 counts its entries in r6 through the stack of a map value and tail-calls itself.
    Object obj = assemble_object(
        "r6 = r1\n"
        "r1 = 0x0 ll\n"  // the counter map
        "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\ncall 1\n"
        "if r0 == 0 goto out\n"
        "r1 = 1\nlock *(u64 *)(r0 + 0) += r1\n"
        "r1 = r6\nr2 = 0x0 ll\nr3 = 0\ncall 12\n"
        "out:\nr0 = 7\nexit\n",
        "xdp");
    auto& insns = obj.programs[0].code.insns;
    std::get<LdImm64>(insns[1]).kind = LdImmKind::MapFd;
    for (std::size_t i = 2; i < insns.size(); ++i)
        if (auto* l = std::get_if<LdImm64>(&insns[i])) {
            l->kind = LdImmKind::MapFd;
            l->imm = 1;
        }
    MapDef counter{"counter", BPF_MAP_TYPE_ARRAY, 4, 8, 1};
    MapDef jumps{"jumps", BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 1};
    obj.maps = {counter, jumps};
    MapSet maps(obj.maps);
    const std::uint32_t zero = 0, self = 1;  // program index + 1
    maps.at(1).update(reinterpret_cast<const std::uint8_t*>(&zero),
                      reinterpret_cast<const std::uint8_t*>(&self), 0);
    Interpreter vm(obj, maps);
    RunInput in;
    in.packet.assign(64, 0);
    auto r = vm.run(0, in);
    REQUIRE_MESSAGE(!r.fault, (r.fault ? r.fault->to_string() : ""));
    CHECK(r.r0 == 7);
    CHECK(r.tail_calls == 33);
    std::uint64_t count = 0;
    std::memcpy(&count, maps.at(0).lookup(reinterpret_cast<const std::uint8_t*>(&zero)), 8);
    CHECK(count == 34);  // the entry run plus 33 tail calls
}

}  // namespace bpflab::vm
