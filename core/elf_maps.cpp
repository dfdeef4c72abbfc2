// SPDX-License-Identifier: Apache-2.0
// bpflab: maps of an ELF object — BTF-defined (.maps), legacy (maps) and global data sections.
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gelf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <cstring>

#include "core/elf_internal.hpp"

namespace bpflab::elf_detail {
namespace {

bool has_prefix(const std::string& s, const char* pfx) {
    return s.rfind(pfx, 0) == 0;
}

/// Symbols defined in section `sec` with a name, sorted by value.
std::vector<const Symbol*> symbols_in(const Image& img, std::uint32_t sec) {
    std::vector<const Symbol*> out;
    for (const Symbol& s : img.symbols)
        if (s.shndx == sec && !s.name.empty() && s.type != STT_SECTION && s.type != STT_FILE)
            out.push_back(&s);
    std::stable_sort(out.begin(), out.end(),
                     [](const Symbol* a, const Symbol* b) { return a->value < b->value; });
    return out;
}

std::uint32_t read_u32(std::span<const std::uint8_t> b, std::size_t off) {
    std::uint32_t v = 0;
    std::memcpy(&v, b.data() + off, sizeof v);
    return v;
}

// ---- legacy `maps` section: struct bpf_map_def records ---------------------------------------

void legacy_maps(const Image& img, std::uint32_t sec, std::vector<MapDef>& maps,
                 std::vector<MapSite>& sites) {
    const Section& s = img.sections[sec];
    const auto syms = symbols_in(img, sec);
    if (syms.empty()) return;
    if (s.bytes.empty() || s.bytes.size() % syms.size() != 0)
        img.fail("legacy 'maps' section size " + std::to_string(s.size) +
                 " is not a multiple of its " + std::to_string(syms.size()) + " map definitions");
    const std::size_t def_size = s.bytes.size() / syms.size();
    if (def_size < 16 || def_size % 4 != 0)
        img.fail("legacy 'maps' definitions of " + std::to_string(def_size) +
                 " bytes are too small or misaligned");
    for (const Symbol* sym : syms) {
        if (sym->value % def_size != 0 || sym->value >= s.bytes.size())
            img.fail("legacy map '" + sym->name + "' does not start at a definition boundary");
        const std::size_t off = sym->value;
        MapDef m;
        m.name = sym->name;
        m.type = read_u32(s.bytes, off);
        m.key_size = read_u32(s.bytes, off + 4);
        m.value_size = read_u32(s.bytes, off + 8);
        m.max_entries = read_u32(s.bytes, off + 12);
        m.flags = def_size >= 20 ? read_u32(s.bytes, off + 16) : 0;
        m.origin = MapOrigin::Legacy;
        m.section = s.name;
        maps.push_back(std::move(m));
        sites.push_back(MapSite{sec, sym->value, false});
    }
}

// ---- BTF-defined maps in `.maps` --------------------------------------------------------------

/// Follows typedefs and const/volatile/restrict/type-tag modifiers; nullptr on a bad id.
const btf_type* skip_mods(const ::btf* b, std::uint32_t id, std::uint32_t* out_id = nullptr) {
    const btf_type* t = btf__type_by_id(b, id);
    for (int depth = 0; t != nullptr && depth < 32 && (btf_is_mod(t) || btf_is_typedef(t));
         ++depth) {
        id = t->type;
        t = btf__type_by_id(b, id);
    }
    if (t != nullptr && (btf_is_mod(t) || btf_is_typedef(t))) return nullptr;
    if (out_id != nullptr) *out_id = id;
    return t;
}

std::string btf_name(const ::btf* b, std::uint32_t off) {
    const char* s = btf__name_by_offset(b, off);
    return s != nullptr ? s : "";
}

/// Reads a `__uint(name, value)` member: `int (*name)[value]`.
std::uint32_t uint_member(const Image& img, const ::btf* b, const btf_member& m,
                          const std::string& map, const std::string& field) {
    const btf_type* p = skip_mods(b, m.type);
    const btf_type* arr = (p != nullptr && btf_is_ptr(p)) ? skip_mods(b, p->type) : nullptr;
    if (arr == nullptr || !btf_is_array(arr))
        img.fail("BTF map '" + map + "': field '" + field + "' is not declared with __uint()");
    return btf_array(arr)->nelems;
}

/// Reads a `__type(name, T)` member: `T *name`; returns sizeof(T).
std::uint32_t type_member(const Image& img, const ::btf* b, const btf_member& m,
                          const std::string& map, const std::string& field) {
    const btf_type* p = skip_mods(b, m.type);
    if (p == nullptr || !btf_is_ptr(p))
        img.fail("BTF map '" + map + "': field '" + field + "' is not declared with __type()");
    const long long size = btf__resolve_size(b, p->type);
    if (size < 0 || size > UINT32_MAX)
        img.fail("BTF map '" + map + "': the size of the " + field + " type cannot be resolved");
    return static_cast<std::uint32_t>(size);
}

/// Parses one map definition struct; `inner` receives the `values` element struct, if any.
MapDef parse_btf_map(const Image& img, const ::btf* b, const btf_type* def, const std::string& name,
                     const btf_type** inner, int depth) {
    MapDef m;
    m.name = name;
    m.origin = MapOrigin::Btf;
    m.section = ".maps";
    const btf_member* members = btf_members(def);
    for (std::uint16_t i = 0; i < btf_vlen(def); ++i) {
        const btf_member& mem = members[i];
        const std::string field = btf_name(b, mem.name_off);
        if (field == "type") {
            m.type = uint_member(img, b, mem, name, field);
        } else if (field == "max_entries") {
            m.max_entries = uint_member(img, b, mem, name, field);
        } else if (field == "map_flags") {
            m.flags = uint_member(img, b, mem, name, field);
        } else if (field == "key_size") {
            m.key_size = uint_member(img, b, mem, name, field);
        } else if (field == "value_size") {
            m.value_size = uint_member(img, b, mem, name, field);
        } else if (field == "key") {
            m.key_size = type_member(img, b, mem, name, field);
        } else if (field == "value") {
            m.value_size = type_member(img, b, mem, name, field);
        } else if (field == "values") {
            // `__array(values, struct inner)`: an array of pointers to the inner definition.
            const btf_type* arr = skip_mods(b, mem.type);
            const btf_type* ptr = (arr != nullptr && btf_is_array(arr))
                                      ? skip_mods(b, btf_array(arr)->type)
                                      : nullptr;
            const btf_type* in =
                (ptr != nullptr && btf_is_ptr(ptr)) ? skip_mods(b, ptr->type) : nullptr;
            if (in == nullptr || !btf_is_struct(in))
                img.fail("BTF map '" + name + "': field 'values' is not an array of pointers");
            if (depth > 0) img.fail("BTF map '" + name + "': nested map-in-map definitions");
            const bool of_maps =
                m.type == BPF_MAP_TYPE_ARRAY_OF_MAPS || m.type == BPF_MAP_TYPE_HASH_OF_MAPS;
            if (of_maps) {
                *inner = in;
                m.value_size = 4;  // the kernel stores map fds
            }
        }
        // numa_node, map_extra, pinning: not part of the model.
    }
    return m;
}

void btf_maps(const Image& img, const ::btf* b, std::uint32_t sec, std::vector<MapDef>& maps,
              std::vector<MapSite>& sites, std::vector<std::pair<std::size_t, MapDef>>& inners) {
    if (b == nullptr) img.fail("section '.maps' needs BTF, but the object has no .BTF section");
    const int sec_id = btf__find_by_name_kind(b, ".maps", BTF_KIND_DATASEC);
    if (sec_id <= 0) img.fail("the BTF has no DATASEC '.maps' describing section '.maps'");
    const btf_type* ds = btf__type_by_id(b, static_cast<std::uint32_t>(sec_id));
    const btf_var_secinfo* vars = btf_var_secinfos(ds);
    const auto syms = symbols_in(img, sec);
    for (std::uint16_t i = 0; i < btf_vlen(ds); ++i) {
        const btf_type* var = btf__type_by_id(b, vars[i].type);
        if (var == nullptr || !btf_is_var(var))
            img.fail("DATASEC '.maps' entry " + std::to_string(i) + " is not a variable");
        const std::string name = btf_name(b, var->name_off);
        const btf_type* def = skip_mods(b, var->type);
        if (def == nullptr || !btf_is_struct(def))
            img.fail("BTF map '" + name + "' is not defined by a struct");
        std::uint64_t offset = vars[i].offset;
        auto sym = std::find_if(syms.begin(), syms.end(),
                                [&](const Symbol* s) { return s->name == name; });
        if (sym != syms.end()) offset = (*sym)->value;
        const btf_type* inner = nullptr;
        maps.push_back(parse_btf_map(img, b, def, name, &inner, 0));
        sites.push_back(MapSite{sec, offset, false});
        if (inner != nullptr) {
            const btf_type* none = nullptr;
            inners.emplace_back(maps.size() - 1,
                                parse_btf_map(img, b, inner, name + ".inner", &none, 1));
        }
    }
}

// ---- global data: .data*, .rodata*, .bss* as single-entry arrays -----------------------------

bool is_global_data(const Section& s) {
    if (s.type == SHT_PROGBITS && (s.flags & SHF_EXECINSTR) == 0)
        return s.name == ".data" || has_prefix(s.name, ".data.") || s.name == ".rodata" ||
               has_prefix(s.name, ".rodata.");
    if (s.type == SHT_NOBITS) return s.name == ".bss" || has_prefix(s.name, ".bss.");
    return false;
}

void global_data_maps(const Image& img, std::vector<MapDef>& maps, std::vector<MapSite>& sites) {
    for (std::uint32_t i = 1; i < img.sections.size(); ++i) {
        const Section& s = img.sections[i];
        if (!is_global_data(s) || s.size == 0) continue;
        if (s.size > UINT32_MAX) img.fail("global data section '" + s.name + "' is too large");
        MapDef m;
        m.name = s.name;
        m.type = BPF_MAP_TYPE_ARRAY;
        m.key_size = 4;
        m.value_size = static_cast<std::uint32_t>(s.size);
        m.max_entries = 1;
        m.flags = BPF_F_MMAPABLE;
        if (has_prefix(s.name, ".rodata")) m.flags |= BPF_F_RDONLY_PROG;
        m.origin = MapOrigin::GlobalData;
        m.section = s.name;
        m.initial_value.assign(s.bytes.begin(), s.bytes.end());
        maps.push_back(std::move(m));
        sites.push_back(MapSite{i, 0, true});
    }
}

}  // namespace

void collect_maps(const Image& img, const ::btf* btf, std::vector<MapDef>& maps,
                  std::vector<MapSite>& sites) {
    std::vector<std::pair<std::size_t, MapDef>> inners;
    for (std::uint32_t i = 1; i < img.sections.size(); ++i)
        if (img.sections[i].name == "maps" && img.sections[i].type == SHT_PROGBITS)
            legacy_maps(img, i, maps, sites);
    for (std::uint32_t i = 1; i < img.sections.size(); ++i)
        if (img.sections[i].name == ".maps") btf_maps(img, btf, i, maps, sites, inners);
    global_data_maps(img, maps, sites);
    // Inner map templates go last so that the indices of real maps match libbpf's order.
    for (auto& [outer, def] : inners) {
        maps[outer].inner_map = static_cast<std::uint32_t>(maps.size());
        maps.push_back(std::move(def));
        sites.push_back(MapSite{0, 0, false});
    }
}

}  // namespace bpflab::elf_detail
