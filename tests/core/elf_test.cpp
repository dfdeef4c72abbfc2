// SPDX-License-Identifier: Apache-2.0
// Tests for core/elf.hpp: real clang objects (corpus and fixtures) and corrupted variants.
#include <doctest/doctest.h>
#include <elf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <random>

#include "core/elf.hpp"
#include "core/load.hpp"

namespace bpflab {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::string corpus(const std::string& name) {
    return BPFLAB_BINARY_DIR "/corpus/" + name;
}
std::string fixture(const std::string& cpu) {
    return BPFLAB_BINARY_DIR "/tests/fixtures/elf_features_" + cpu + ".o";
}

Bytes read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "missing test input " << path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Object load_ok(const std::string& path) {
    auto obj = load_elf(path);
    REQUIRE_MESSAGE(obj.has_value(), obj.error().to_string());
    return std::move(*obj);
}

const Program& program(const Object& obj, const std::string& name) {
    auto it = std::find_if(obj.programs.begin(), obj.programs.end(),
                           [&](const Program& p) { return p.name == name; });
    REQUIRE_MESSAGE(it != obj.programs.end(), "no program " << name);
    return *it;
}

std::int64_t map_index(const Object& obj, const std::string& name) {
    for (std::size_t i = 0; i < obj.maps.size(); ++i)
        if (obj.maps[i].name == name) return static_cast<std::int64_t>(i);
    FAIL("no map " << name);
    return -1;
}

/// The first relocation note of `p` whose symbol is `symbol`.
const RelocNote& note(const Program& p, const std::string& symbol) {
    auto it = std::find_if(p.relocations.begin(), p.relocations.end(),
                           [&](const RelocNote& r) { return r.symbol == symbol; });
    REQUIRE_MESSAGE(it != p.relocations.end(), "no relocation against " << symbol);
    return *it;
}

const LdImm64& ldimm_at(const Program& p, std::uint32_t pc) {
    REQUIRE(pc < p.code.slot_count());
    REQUIRE(p.code.index_of_pc[pc] >= 0);
    const auto* l = std::get_if<LdImm64>(&p.code.at_pc(pc));
    REQUIRE(l != nullptr);
    return *l;
}

/// Checks invariants every loaded program must satisfy, whatever the source.
void check_program_invariants(const Object& obj, const Program& p) {
    INFO(obj.path << " program " << p.name);
    CHECK(validate(p.code).empty());
    REQUIRE_FALSE(p.functions.empty());
    CHECK(p.functions.front().name == p.name);
    CHECK(p.functions.front().start_pc == 0);
    CHECK(p.functions.back().end_pc == p.code.slot_count());
    CHECK(std::is_sorted(p.relocations.begin(), p.relocations.end(),
                         [](const RelocNote& a, const RelocNote& b) { return a.pc < b.pc; }));
    CHECK(std::is_sorted(p.lines.begin(), p.lines.end(),
                         [](const SourceLine& a, const SourceLine& b) { return a.pc < b.pc; }));
    for (const auto& l : p.lines) CHECK(l.pc < p.code.slot_count());
    auto starts_function = [&](std::int64_t pc) {
        return std::any_of(p.functions.begin(), p.functions.end(),
                           [&](const Subprogram& f) { return f.start_pc == pc; });
    };
    for (std::size_t i = 0; i < p.code.insns.size(); ++i) {
        const std::uint32_t pc = p.code.pc[i];
        const Instruction& insn = p.code.insns[i];
        if (const auto* l = std::get_if<LdImm64>(&insn)) {
            if (l->kind == LdImmKind::MapFd || l->kind == LdImmKind::MapValue) {
                CHECK(l->imm >= 0);
                CHECK(static_cast<std::size_t>(l->imm) < obj.maps.size());
                const RelocNote* r = p.relocation_at(pc);
                REQUIRE(r != nullptr);
                CHECK(r->map_index == l->imm);
            }
            if (l->kind == LdImmKind::CodeAddr) CHECK(starts_function(pc + 1 + l->imm));
        }
        if (const auto* c = std::get_if<Call>(&insn); c && c->kind == CallKind::Local) {
            CHECK(starts_function(jump_target(insn, pc)));
            REQUIRE(p.relocation_at(pc) != nullptr);
            CHECK(p.relocation_at(pc)->kind == RelocNote::Kind::Subprogram);
        }
    }
}

}  // namespace

TEST_CASE("xdp_count.o: program, maps, relocations and line info") {
    const Object obj = load_ok(corpus("xdp_count.o"));
    CHECK(obj.license == "GPL");
    REQUIRE(obj.programs.size() == 1);
    const Program& p = obj.programs[0];
    CHECK(p.name == "xdp_count");
    CHECK(p.section == "xdp");
    CHECK(p.type == "xdp");
    CHECK(p.prog_type == BPF_PROG_TYPE_XDP);
    CHECK(p.license == "GPL");
    check_program_invariants(obj, p);

    REQUIRE(obj.maps.size() == 2);
    const MapDef& counts = obj.maps[0];
    CHECK(counts.name == "counts");
    CHECK(counts.type == BPF_MAP_TYPE_HASH);
    CHECK(counts.key_size == 4);
    CHECK(counts.value_size == 8);
    CHECK(counts.max_entries == 256);
    CHECK(counts.origin == MapOrigin::Btf);
    const MapDef& ro = obj.maps[1];
    CHECK(ro.name == ".rodata");
    CHECK(ro.type == BPF_MAP_TYPE_ARRAY);
    CHECK(ro.key_size == 4);
    CHECK(ro.value_size == 4);
    CHECK(ro.max_entries == 1);
    CHECK(ro.flags == (BPF_F_RDONLY_PROG | BPF_F_MMAPABLE));
    CHECK(ro.origin == MapOrigin::GlobalData);
    CHECK(ro.read_only());
    CHECK(ro.initial_value == Bytes{XDP_PASS, 0, 0, 0});

    REQUIRE(p.relocations.size() == 2);
    const RelocNote& m = p.relocations[0];
    CHECK(m.kind == RelocNote::Kind::Map);
    CHECK(m.symbol == "counts");
    CHECK(m.map_index == 0);
    CHECK(ldimm_at(p, m.pc).kind == LdImmKind::MapFd);
    CHECK(ldimm_at(p, m.pc).imm == 0);
    const RelocNote& v = p.relocations[1];
    CHECK(v.kind == RelocNote::Kind::MapValue);
    CHECK(v.symbol == "verdict_on_hit");
    CHECK(v.map_index == 1);
    CHECK(v.addend == 0);
    CHECK(ldimm_at(p, v.pc).kind == LdImmKind::MapValue);
    CHECK(ldimm_at(p, v.pc).imm == 1);
    CHECK(ldimm_at(p, v.pc).next_imm == 0);

    REQUIRE_FALSE(p.lines.empty());
    const SourceLine* l = p.line_at(m.pc);
    REQUIRE(l != nullptr);
    CHECK(l->text.find("bpf_map_lookup_elem(&counts") != std::string::npos);
    CHECK(l->file.find("xdp_count.c") != std::string::npos);
    CHECK(l->line > 0);
}

TEST_CASE("fixture objects: several programs per section, subprograms, every kind of map") {
    for (const char* cpu : {"v2", "v3", "v4"}) {
        CAPTURE(cpu);
        const Object obj = load_ok(fixture(cpu));
        CHECK(obj.license == "Dual BSD/GPL");
        for (const Program& p : obj.programs) check_program_invariants(obj, p);

        // Programs: two in "xdp", one each in "tc" and a kprobe section, in section order.
        REQUIRE(obj.programs.size() == 5);
        const Program& x1 = program(obj, "xdp_first");
        const Program& x2 = program(obj, "xdp_second");
        CHECK(x1.section == "xdp");
        CHECK(x2.section == "xdp");
        CHECK(x1.section_offset == 0);
        CHECK(x2.section_offset > 0);
        CHECK(x1.type == "xdp");
        CHECK(program(obj, "tc_log").type == "sched_cls");
        CHECK(program(obj, "tc_log").prog_type == BPF_PROG_TYPE_SCHED_CLS);
        CHECK(program(obj, "kprobe_loop").type == "kprobe");
        CHECK(program(obj, "kprobe_loop").section == "kprobe/do_nanosleep");

        // Maps: legacy first, then BTF-defined in DATASEC order, then global data.
        const MapDef& lc = obj.maps[static_cast<std::size_t>(map_index(obj, "legacy_counts"))];
        CHECK(lc.origin == MapOrigin::Legacy);
        CHECK(lc.type == BPF_MAP_TYPE_ARRAY);
        CHECK(lc.key_size == 4);
        CHECK(lc.value_size == 8);
        CHECK(lc.max_entries == 16);
        const MapDef& lh = obj.maps[static_cast<std::size_t>(map_index(obj, "legacy_hash"))];
        CHECK(lh.type == BPF_MAP_TYPE_HASH);
        CHECK(lh.key_size == 8);
        CHECK(lh.value_size == 16);
        CHECK(lh.max_entries == 128);
        CHECK(lh.flags == BPF_F_NO_PREALLOC);
        CHECK(map_index(obj, "legacy_counts") < map_index(obj, "stats_map"));
        const MapDef& st = obj.maps[static_cast<std::size_t>(map_index(obj, "stats_map"))];
        CHECK(st.origin == MapOrigin::Btf);
        CHECK(st.value_size == 16);
        CHECK(st.max_entries == 4);
        const MapDef& rb = obj.maps[static_cast<std::size_t>(map_index(obj, "events"))];
        CHECK(rb.type == BPF_MAP_TYPE_RINGBUF);
        CHECK(rb.max_entries == 4096);
        const MapDef& outer = obj.maps[static_cast<std::size_t>(map_index(obj, "outer"))];
        CHECK(outer.type == BPF_MAP_TYPE_ARRAY_OF_MAPS);
        REQUIRE(outer.inner_map.has_value());
        CHECK(obj.maps[*outer.inner_map].name == "outer.inner");
        CHECK(obj.maps[*outer.inner_map].value_size == 8);
        const MapDef& data = obj.maps[static_cast<std::size_t>(map_index(obj, ".data"))];
        CHECK(data.initial_value == Bytes{7, 0, 0, 0, 0, 0, 0, 0});
        CHECK(data.flags == BPF_F_MMAPABLE);
        CHECK_FALSE(data.read_only());
        const MapDef& bss = obj.maps[static_cast<std::size_t>(map_index(obj, ".bss"))];
        CHECK(bss.value_size == 8);
        CHECK(bss.initial_value.empty());
        const MapDef& ro = obj.maps[static_cast<std::size_t>(map_index(obj, ".rodata"))];
        CHECK(ro.value_size == 8);
        CHECK(ro.initial_value == Bytes{100, 0, 0, 0, 200, 0, 0, 0});
        const MapDef& str = obj.maps[static_cast<std::size_t>(map_index(obj, ".rodata.str1.1"))];
        CHECK(str.read_only());
        CHECK(std::string(str.initial_value.begin(), str.initial_value.end())
                  .find("tc packet of some length") != std::string::npos);

        // xdp_first: legacy map, a .rodata value, and .text subprograms linked transitively.
        REQUIRE(x1.functions.size() == 3);
        CHECK(x1.functions[1].name == "bump_both");
        CHECK(x1.functions[2].name == "bump");
        const RelocNote& legacy = note(x1, "legacy_counts");
        CHECK(legacy.kind == RelocNote::Kind::Map);
        CHECK(legacy.map_index == map_index(obj, "legacy_counts"));
        CHECK(ldimm_at(x1, legacy.pc).kind == LdImmKind::MapFd);
        CHECK(ldimm_at(x1, legacy.pc).imm == map_index(obj, "legacy_counts"));
        const RelocNote& call = note(x1, "bump_both");
        CHECK(call.kind == RelocNote::Kind::Subprogram);
        CHECK(jump_target(x1.code.at_pc(call.pc), call.pc) == x1.functions[1].start_pc);
        const RelocNote& bss_ref = note(x1, "packets_total");
        CHECK(bss_ref.kind == RelocNote::Kind::MapValue);
        CHECK(bss_ref.map_index == map_index(obj, ".bss"));
        CHECK(bss_ref.pc >= x1.functions[1].start_pc);  // inside the appended subprogram

        // Line info: the C line that names the map covers its relocated load.
        const SourceLine* l = x1.line_at(legacy.pc);
        REQUIRE(l != nullptr);
        CHECK(l->text.find("bpf_map_lookup_elem(&legacy_counts, &key)") != std::string::npos);
        CHECK(l->file.find("elf_features.c") != std::string::npos);

        // xdp_second: a global .text function reached through a symbol relocation; its
        // .rodata access has addend 4 (limit2) and its lines are shifted to where it landed.
        REQUIRE(x2.functions.size() == 2);
        CHECK(x2.functions[1].name == "clamp_len");
        const RelocNote& lim2 = note(x2, "limit2");
        CHECK(lim2.kind == RelocNote::Kind::MapValue);
        CHECK(lim2.addend == 4);
        CHECK(ldimm_at(x2, lim2.pc).kind == LdImmKind::MapValue);
        CHECK(ldimm_at(x2, lim2.pc).next_imm == 4);
        CHECK(lim2.pc >= x2.functions[1].start_pc);
        const SourceLine* l2 = x2.line_at(lim2.pc);
        REQUIRE(l2 != nullptr);
        CHECK(l2->pc >= x2.functions[1].start_pc);
        CHECK(l2->text.find("limit2") != std::string::npos);
        CHECK(note(x2, "stats_map").map_index == map_index(obj, "stats_map"));

        // tc_log: a string literal in .rodata.str1.1 through the section symbol.
        const Program& tc = program(obj, "tc_log");
        const RelocNote& s = note(tc, ".rodata.str1.1");
        CHECK(s.kind == RelocNote::Kind::MapValue);
        CHECK(s.map_index == map_index(obj, ".rodata.str1.1"));
        CHECK(note(tc, "legacy_hash").map_index == map_index(obj, "legacy_hash"));

        // kprobe_loop: a callback address (ldimm64 src 4) to a static .text function.
        const Program& kp = program(obj, "kprobe_loop");
        REQUIRE(kp.functions.size() == 2);
        CHECK(kp.functions[1].name == "loop_body");
        const RelocNote& cb = note(kp, "loop_body");
        CHECK(ldimm_at(kp, cb.pc).kind == LdImmKind::CodeAddr);
        CHECK(cb.pc + 1 + ldimm_at(kp, cb.pc).imm == kp.functions[1].start_pc);
        CHECK(note(kp, "outer").map_index == map_index(obj, "outer"));
        CHECK(note(kp, "events").map_index == map_index(obj, "events"));

        // tp_externs: kfunc calls become src 2 calls; a __kconfig extern stays an imm64.
        const Program& tp = program(obj, "tp_externs");
        CHECK(tp.type == "tracepoint");
        const RelocNote& kf = note(tp, "bpf_rcu_read_lock");
        CHECK(kf.kind == RelocNote::Kind::Kfunc);
        const auto* kcall = std::get_if<Call>(&tp.code.at_pc(kf.pc));
        REQUIRE(kcall != nullptr);
        CHECK(kcall->kind == CallKind::Kfunc);
        CHECK(note(tp, "bpf_rcu_read_unlock").kind == RelocNote::Kind::Kfunc);
        const RelocNote& kc = note(tp, "LINUX_KERNEL_VERSION");
        CHECK(kc.kind == RelocNote::Kind::Other);
        CHECK(ldimm_at(tp, kc.pc).kind == LdImmKind::Imm64);
    }
}

TEST_CASE("every corpus object loads, validates and has consistent relocations") {
    const std::filesystem::path dir = BPFLAB_BINARY_DIR "/corpus";
    int seen = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        if (e.path().extension() != ".o") continue;
        ++seen;
        CAPTURE(e.path().string());
        auto obj = load_file(e.path().string());
        REQUIRE_MESSAGE(obj.has_value(), obj.error().to_string());
        CHECK_FALSE(obj->programs.empty());
        for (const Program& p : obj->programs) {
            check_program_invariants(*obj, p);
            CHECK_FALSE(p.type.empty());
            CHECK_FALSE(p.lines.empty());
        }
    }
    CHECK(seen >= 1);
}

TEST_CASE("load_elf reports unreadable files") {
    auto missing = load_elf("/nonexistent/dir/x.o");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().file == "/nonexistent/dir/x.o");
}

// ---- corruption -------------------------------------------------------------------------------

namespace {

template <class T>
T get(const Bytes& b, std::size_t off) {
    T v{};
    REQUIRE(off + sizeof(T) <= b.size());
    std::memcpy(&v, b.data() + off, sizeof(T));
    return v;
}

template <class T>
void put(Bytes& b, std::size_t off, const T& v) {
    REQUIRE(off + sizeof(T) <= b.size());
    std::memcpy(b.data() + off, &v, sizeof(T));
}

Elf64_Ehdr ehdr(const Bytes& b) {
    return get<Elf64_Ehdr>(b, 0);
}
std::size_t shdr_off(const Bytes& b, std::size_t i) {
    return ehdr(b).e_shoff + i * sizeof(Elf64_Shdr);
}
Elf64_Shdr shdr(const Bytes& b, std::size_t i) {
    return get<Elf64_Shdr>(b, shdr_off(b, i));
}
void put_shdr(Bytes& b, std::size_t i, const Elf64_Shdr& s) {
    put(b, shdr_off(b, i), s);
}

/// Index of the section called `name` in a well-formed object.
std::size_t section(const Bytes& b, const std::string& name) {
    const Elf64_Shdr names = shdr(b, ehdr(b).e_shstrndx);
    for (std::size_t i = 1; i < ehdr(b).e_shnum; ++i) {
        const char* n =
            reinterpret_cast<const char*>(b.data() + names.sh_offset + shdr(b, i).sh_name);
        if (name == n) return i;
    }
    FAIL("no section " << name);
    return 0;
}

std::size_t section_of_type(const Bytes& b, std::uint32_t type) {
    for (std::size_t i = 1; i < ehdr(b).e_shnum; ++i)
        if (shdr(b, i).sh_type == type) return i;
    FAIL("no section of type " << type);
    return 0;
}

/// File offset of relocation `k` of REL section `rel`.
std::size_t rel_off(const Bytes& b, std::size_t rel, std::size_t k) {
    return shdr(b, rel).sh_offset + k * sizeof(Elf64_Rel);
}

struct Variant {
    std::string what;
    std::function<void(Bytes&)> mutate;
    std::string expect;  ///< substring of the message ("" accepts any message)
};

void expect_refused(const Bytes& original, const Variant& v) {
    CAPTURE(v.what);
    Bytes b = original;
    v.mutate(b);
    const std::string name = "corrupt/" + v.what + ".o";
    auto obj = load_elf_memory(b, name);
    REQUIRE_FALSE(obj.has_value());
    const Diagnostic& d = obj.error();
    CAPTURE(d.to_string());
    CHECK_FALSE(d.message.empty());
    CHECK(d.file == name);
    CHECK(d.to_string().find(name) != std::string::npos);
    if (!v.expect.empty()) CHECK(d.message.find(v.expect) != std::string::npos);
}

}  // namespace

TEST_CASE("corrupted objects are refused with a diagnostic naming the file") {
    const Bytes good = read_bytes(fixture("v3"));
    REQUIRE(load_elf_memory(good, "good.o").has_value());
    const std::size_t xdp = section(good, "xdp");
    const std::size_t relxdp = section(good, ".relxdp");
    const std::size_t text = section(good, ".text");
    const std::size_t symtab = section_of_type(good, SHT_SYMTAB);
    const std::size_t btf_ext = section(good, ".BTF.ext");
    const std::size_t nsyms = shdr(good, symtab).sh_size / sizeof(Elf64_Sym);

    std::vector<Variant> variants = {
        {"empty", [](Bytes& b) { b.clear(); }, "empty"},
        {"machine-x86", [](Bytes& b) { put<std::uint16_t>(b, 18, EM_X86_64); }, "EM_BPF"},
        {"class-32", [](Bytes& b) { b[EI_CLASS] = ELFCLASS32; }, "64-bit"},
        {"class-none", [](Bytes& b) { b[EI_CLASS] = ELFCLASSNONE; }, "64-bit"},
        {"big-endian", [](Bytes& b) { b[EI_DATA] = ELFDATA2MSB; }, "little-endian"},
        {"bad-magic", [](Bytes& b) { b[1] = 'X'; }, "ELF"},
        {"exec-type", [](Bytes& b) { put<std::uint16_t>(b, 16, ET_EXEC); }, "relocatable"},
        {"shoff-past-end",
         [](Bytes& b) { put<std::uint64_t>(b, offsetof(Elf64_Ehdr, e_shoff), b.size() + 64); },
         "outside the file"},
        {"shoff-huge",
         [](Bytes& b) { put<std::uint64_t>(b, offsetof(Elf64_Ehdr, e_shoff), ~0ull - 8); },
         "outside the file"},
        {"shoff-zero", [](Bytes& b) { put<std::uint64_t>(b, offsetof(Elf64_Ehdr, e_shoff), 0); },
         ""},
        {"shnum-too-many",
         [](Bytes& b) { put<std::uint16_t>(b, offsetof(Elf64_Ehdr, e_shnum), 0x7fff); },
         "outside the file"},
        {"shnum-one", [](Bytes& b) { put<std::uint16_t>(b, offsetof(Elf64_Ehdr, e_shnum), 1); },
         ""},
        {"shstrndx-out-of-range",
         [](Bytes& b) { put<std::uint16_t>(b, offsetof(Elf64_Ehdr, e_shstrndx), 0xfeff); }, ""},
        {"shstrndx-not-strtab",
         [&](Bytes& b) {
             put<std::uint16_t>(b, offsetof(Elf64_Ehdr, e_shstrndx),
                                static_cast<std::uint16_t>(xdp));
         },
         ""},
        {"shentsize", [](Bytes& b) { put<std::uint16_t>(b, offsetof(Elf64_Ehdr, e_shentsize), 7); },
         ""},
        {"section-offset-past-end",
         [&](Bytes& b) {
             auto s = shdr(b, xdp);
             s.sh_offset = b.size() + 8;
             put_shdr(b, xdp, s);
         },
         "outside the file"},
        {"section-size-past-end",
         [&](Bytes& b) {
             auto s = shdr(b, xdp);
             s.sh_size = b.size();
             put_shdr(b, xdp, s);
         },
         "outside the file"},
        {"section-offset-overflow",
         [&](Bytes& b) {
             auto s = shdr(b, relxdp);
             s.sh_offset = ~0ull - 4;
             s.sh_size = 64;
             put_shdr(b, relxdp, s);
         },
         "outside the file"},
        {"section-name-garbage",
         [&](Bytes& b) {
             auto s = shdr(b, xdp);
             s.sh_name = 0x7fffffff;
             put_shdr(b, xdp, s);
         },
         "name"},
        {"code-size-not-multiple-of-8",
         [&](Bytes& b) {
             auto s = shdr(b, xdp);
             s.sh_size -= 4;
             put_shdr(b, xdp, s);
         },
         "multiple of 8"},
        {"text-size-not-multiple-of-8",
         [&](Bytes& b) {
             auto s = shdr(b, text);
             s.sh_size -= 3;
             put_shdr(b, text, s);
         },
         "multiple of 8"},
        {"reloc-offset-outside",
         [&](Bytes& b) { put<std::uint64_t>(b, rel_off(b, relxdp, 0), shdr(b, xdp).sh_size); },
         "outside"},
        {"reloc-offset-huge",
         [&](Bytes& b) { put<std::uint64_t>(b, rel_off(b, relxdp, 0), ~0ull - 3); }, "outside"},
        {"reloc-offset-misaligned",
         [&](Bytes& b) {
             put<std::uint64_t>(b, rel_off(b, relxdp, 0),
                                get<std::uint64_t>(b, rel_off(b, relxdp, 0)) + 4);
         },
         "aligned"},
        {"reloc-symbol-out-of-range",
         [&](Bytes& b) {
             const auto info = get<std::uint64_t>(b, rel_off(b, relxdp, 0) + 8);
             put<std::uint64_t>(b, rel_off(b, relxdp, 0) + 8,
                                ELF64_R_INFO(nsyms + 1000, ELF64_R_TYPE(info)));
         },
         "out of range"},
        {"reloc-missing-symbol",
         [&](Bytes& b) {
             const auto info = get<std::uint64_t>(b, rel_off(b, relxdp, 0) + 8);
             put<std::uint64_t>(b, rel_off(b, relxdp, 0) + 8, ELF64_R_INFO(0, ELF64_R_TYPE(info)));
         },
         "missing symbol"},
        {"reloc-unknown-type",
         [&](Bytes& b) {
             const auto info = get<std::uint64_t>(b, rel_off(b, relxdp, 0) + 8);
             put<std::uint64_t>(b, rel_off(b, relxdp, 0) + 8, ELF64_R_INFO(ELF64_R_SYM(info), 77));
         },
         "relocation type"},
        {"reloc-on-plain-instruction",
         [&](Bytes& b) { put<std::uint64_t>(b, rel_off(b, relxdp, 0), 0); }, "neither"},
        {"reloc-target-section-missing",
         [&](Bytes& b) {
             auto s = shdr(b, relxdp);
             s.sh_info = 5000;
             put_shdr(b, relxdp, s);
         },
         "does not exist"},
        {"reloc-size-not-multiple",
         [&](Bytes& b) {
             auto s = shdr(b, relxdp);
             s.sh_size -= 3;
             put_shdr(b, relxdp, s);
         },
         "multiple"},
        {"symtab-bad-strtab-link",
         [&](Bytes& b) {
             auto s = shdr(b, symtab);
             s.sh_link = 4000;
             put_shdr(b, symtab, s);
         },
         "string table"},
        {"symbol-section-out-of-range",
         [&](Bytes& b) {
             // The last symbol is global; give it a section index past the table.
             const std::size_t off = shdr(b, symtab).sh_offset + (nsyms - 1) * sizeof(Elf64_Sym);
             put<std::uint16_t>(b, off + offsetof(Elf64_Sym, st_shndx), 0xfe00);
         },
         "refers to section"},
        {"symbol-name-garbage",
         [&](Bytes& b) {
             const std::size_t off = shdr(b, symtab).sh_offset + (nsyms - 1) * sizeof(Elf64_Sym);
             put<std::uint32_t>(b, off + offsetof(Elf64_Sym, st_name), 0x7fffffff);
         },
         "name"},
        {"no-symbol-table",
         [&](Bytes& b) {
             auto s = shdr(b, symtab);
             s.sh_type = SHT_PROGBITS;
             put_shdr(b, symtab, s);
         },
         "symbol table"},
        {"call-target-outside-text",
         [&](Bytes& b) {
             // Find the relocated call (R_BPF_64_32) in xdp and push its imm far away.
             const std::size_t n = shdr(b, relxdp).sh_size / sizeof(Elf64_Rel);
             for (std::size_t k = 0; k < n; ++k) {
                 const auto r = get<Elf64_Rel>(b, rel_off(b, relxdp, k));
                 if (ELF64_R_TYPE(r.r_info) != R_BPF_64_32) continue;
                 put<std::int32_t>(b, shdr(b, xdp).sh_offset + r.r_offset + 4, 100000);
                 return;
             }
             FAIL("no call relocation");
         },
         "outside section"},
        {"btf-ext-line-info-too-long",
         [&](Bytes& b) { put<std::uint32_t>(b, shdr(b, btf_ext).sh_offset + 20, 0x7ffffff0); },
         ".BTF.ext"},
        {"btf-ext-bad-magic",
         [&](Bytes& b) { put<std::uint16_t>(b, shdr(b, btf_ext).sh_offset, 0x1234); }, ".BTF.ext"},
        {"btf-bad-magic",
         [&](Bytes& b) { put<std::uint16_t>(b, shdr(b, section(b, ".BTF")).sh_offset, 0x1234); },
         ".BTF"},
    };
    // Truncations at many lengths: inside the header, inside sections, inside the table.
    for (std::size_t len :
         {std::size_t{1}, std::size_t{4}, std::size_t{16}, std::size_t{63}, std::size_t{64},
          std::size_t{65}, std::size_t{200}, good.size() / 4, good.size() / 2, good.size() - 65,
          good.size() - 64, good.size() - 8, good.size() - 1})
        variants.push_back(
            {"truncated-" + std::to_string(len), [len](Bytes& b) { b.resize(len); },
             len < sizeof(Elf64_Ehdr) ? "truncated ELF header" : "outside the file"});
    CHECK(variants.size() >= 20);
    for (const Variant& v : variants) expect_refused(good, v);
}

TEST_CASE("random byte flips in structural regions never crash the loader") {
    const Bytes good = read_bytes(fixture("v3"));
    // Regions whose bytes steer parsing: the ELF header, the section header table, the symbol
    // table, relocation sections and the code. (BTF itself is left to libbpf's own checks.)
    std::vector<std::pair<std::size_t, std::size_t>> regions = {
        {0, sizeof(Elf64_Ehdr)},
        {ehdr(good).e_shoff, std::size_t{ehdr(good).e_shnum} * sizeof(Elf64_Shdr)}};
    for (std::size_t i = 1; i < ehdr(good).e_shnum; ++i) {
        const Elf64_Shdr s = shdr(good, i);
        if (s.sh_type == SHT_SYMTAB || s.sh_type == SHT_REL ||
            (s.sh_type == SHT_PROGBITS && (s.sh_flags & SHF_EXECINSTR) != 0))
            regions.emplace_back(s.sh_offset, s.sh_size);
    }
    std::mt19937 rng(12345);
    int refused = 0;
    for (int round = 0; round < 400; ++round) {
        Bytes b = good;
        const auto& [off, len] = regions[rng() % regions.size()];
        if (len == 0) continue;
        for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k)
            b[off + rng() % len] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        auto obj = load_elf_memory(b, "flipped.o");
        if (!obj) {
            ++refused;
            CHECK_FALSE(obj.error().message.empty());
            CHECK(obj.error().file == "flipped.o");
        }
    }
    CHECK(refused > 0);
}

}  // namespace bpflab
