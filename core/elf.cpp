// SPDX-License-Identifier: Apache-2.0
// bpflab: reading a BPF ELF object with libelf, checking its structure, and finding programs.
#include "core/elf.hpp"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>
#include <new>

#include "core/elf_internal.hpp"

namespace bpflab {
namespace elf_detail {
namespace {

struct ElfCloser {
    void operator()(Elf* e) const { elf_end(e); }
};
using ElfPtr = std::unique_ptr<Elf, ElfCloser>;

std::string elf_error() {
    const char* m = elf_errmsg(-1);
    return m != nullptr ? m : "unknown libelf error";
}

/// Whether [off, off + len) lies inside [0, limit), without overflow.
bool within(std::uint64_t off, std::uint64_t len, std::uint64_t limit) {
    return off <= limit && len <= limit - off;
}

std::string sec_label(const Image& img, std::size_t i) {
    std::string s = "section " + std::to_string(i);
    if (i < img.sections.size() && !img.sections[i].name.empty())
        s += " '" + img.sections[i].name + "'";
    return s;
}

void check_header(const Image& img, Elf* elf) {
    if (elf_kind(elf) != ELF_K_ELF) img.fail("not an ELF object");
    std::size_t ident_len = 0;
    const char* ident = elf_getident(elf, &ident_len);
    if (ident == nullptr || ident_len < EI_NIDENT) img.fail("truncated ELF identification");
    if (ident[EI_CLASS] != ELFCLASS64 || ident[EI_DATA] != ELFDATA2LSB)
        img.fail("not a 64-bit little-endian ELF object");
    GElf_Ehdr eh;
    if (gelf_getehdr(elf, &eh) == nullptr) img.fail("cannot read the ELF header: " + elf_error());
    if (eh.e_machine != EM_BPF)
        img.fail("not a BPF object: e_machine is " + std::to_string(eh.e_machine) +
                 ", expected EM_BPF (247)");
    if (eh.e_type != ET_REL)
        img.fail("not a relocatable object: e_type is " + std::to_string(eh.e_type));
    if (eh.e_shoff == 0) img.fail("the object has no section headers");
    if (eh.e_shentsize != sizeof(Elf64_Shdr))
        img.fail("bad section header entry size " + std::to_string(eh.e_shentsize));
    // e_shnum 0 means the count is in the first header (extended numbering): one must fit.
    const std::uint64_t entries = eh.e_shnum == 0 ? 1 : eh.e_shnum;
    if (!within(eh.e_shoff, entries * sizeof(Elf64_Shdr), img.file.size()))
        img.fail("section header table (offset " + std::to_string(eh.e_shoff) + ", " +
                 std::to_string(eh.e_shnum) + " entries) lies outside the file (" +
                 std::to_string(img.file.size()) + " bytes): truncated or corrupt");
}

/// Checks the identification bytes before libelf interprets them, for precise messages.
void check_ident(const Image& img) {
    const auto& f = img.file;
    if (f[EI_MAG0] != ELFMAG0 || f[EI_MAG1] != ELFMAG1 || f[EI_MAG2] != ELFMAG2 ||
        f[EI_MAG3] != ELFMAG3)
        img.fail("not an ELF object (bad magic)");
    if (f[EI_CLASS] != ELFCLASS64)
        img.fail("not a 64-bit ELF object (EI_CLASS is " + std::to_string(f[EI_CLASS]) + ")");
    if (f[EI_DATA] != ELFDATA2LSB)
        img.fail("not a little-endian ELF object (EI_DATA is " + std::to_string(f[EI_DATA]) + ")");
}

void read_sections(Image& img, Elf* elf) {
    std::size_t count = 0;
    std::size_t shstrndx = 0;
    if (elf_getshdrnum(elf, &count) != 0)
        img.fail("cannot read the section header count: " + elf_error());
    if (elf_getshdrstrndx(elf, &shstrndx) != 0)
        img.fail("cannot read the section name table index: " + elf_error());
    if (count == 0) img.fail("the object has no sections");
    if (shstrndx == 0 || shstrndx >= count)
        img.fail("section name table index " + std::to_string(shstrndx) + " is out of range (" +
                 std::to_string(count) + " sections)");
    GElf_Ehdr eh;
    if (gelf_getehdr(elf, &eh) == nullptr) img.fail("cannot read the ELF header: " + elf_error());
    if (!within(eh.e_shoff, std::uint64_t{count} * sizeof(Elf64_Shdr), img.file.size()))
        img.fail("section header table (offset " + std::to_string(eh.e_shoff) + ", " +
                 std::to_string(count) + " entries) lies outside the file");
    img.sections.resize(count);
    // First pass: headers and bounds, so that the name table is known to be inside the file.
    for (std::size_t i = 0; i < count; ++i) {
        Elf_Scn* scn = elf_getscn(elf, i);
        GElf_Shdr sh;
        if (scn == nullptr || gelf_getshdr(scn, &sh) == nullptr)
            img.fail("cannot read the header of section " + std::to_string(i) + ": " + elf_error());
        Section& s = img.sections[i];
        s.type = sh.sh_type;
        s.flags = sh.sh_flags;
        s.size = sh.sh_size;
        s.link = sh.sh_link;
        s.info = sh.sh_info;
        if (i == 0 || sh.sh_type == SHT_NOBITS || sh.sh_type == SHT_NULL) continue;
        if (!within(sh.sh_offset, sh.sh_size, img.file.size()))
            img.fail("section " + std::to_string(i) + " (offset " + std::to_string(sh.sh_offset) +
                     ", size " + std::to_string(sh.sh_size) + ") lies outside the file (" +
                     std::to_string(img.file.size()) + " bytes)");
        s.bytes = std::span<const std::uint8_t>(img.file).subspan(sh.sh_offset, sh.sh_size);
    }
    const Section& names = img.sections[shstrndx];
    if (names.type != SHT_STRTAB) img.fail("section name table is not a string table");
    for (std::size_t i = 1; i < count; ++i) {
        Elf_Scn* scn = elf_getscn(elf, i);
        GElf_Shdr sh;
        if (scn == nullptr || gelf_getshdr(scn, &sh) == nullptr)
            img.fail("cannot read the header of section " + std::to_string(i));
        if (sh.sh_name >= names.bytes.size())
            img.fail("section " + std::to_string(i) + " has a name outside the name table");
        const auto* begin = names.bytes.data() + sh.sh_name;
        const auto* end = std::find(begin, names.bytes.data() + names.bytes.size(), 0);
        if (end == names.bytes.data() + names.bytes.size())
            img.fail("section " + std::to_string(i) + " has an unterminated name");
        img.sections[i].name.assign(reinterpret_cast<const char*>(begin),
                                    static_cast<std::size_t>(end - begin));
    }
}

/// A NUL-terminated string at `off` of string-table section `strtab`.
std::string string_at(const Image& img, std::uint32_t strtab, std::uint64_t off,
                      const std::string& what) {
    const auto& b = img.sections[strtab].bytes;
    if (off >= b.size()) img.fail(what + " has a name outside its string table");
    const auto* begin = b.data() + off;
    const auto* end = std::find(begin, b.data() + b.size(), 0);
    if (end == b.data() + b.size()) img.fail(what + " has an unterminated name");
    return {reinterpret_cast<const char*>(begin), static_cast<std::size_t>(end - begin)};
}

void read_symbols(Image& img, Elf* elf) {
    std::uint32_t symtab = 0;
    for (std::uint32_t i = 1; i < img.sections.size(); ++i) {
        if (img.sections[i].type != SHT_SYMTAB) continue;
        if (symtab != 0) img.fail("the object has more than one symbol table");
        symtab = i;
    }
    if (symtab == 0) img.fail("the object has no symbol table");
    const Section& st = img.sections[symtab];
    if (st.link == 0 || st.link >= img.sections.size() || img.sections[st.link].type != SHT_STRTAB)
        img.fail("the symbol table's string table link " + std::to_string(st.link) +
                 " is not a string table");
    if (st.size % sizeof(Elf64_Sym) != 0)
        img.fail("the symbol table size " + std::to_string(st.size) +
                 " is not a multiple of the symbol size");
    Elf_Data* data = elf_getdata(elf_getscn(elf, symtab), nullptr);
    if (data == nullptr) img.fail("cannot read the symbol table: " + elf_error());
    const std::size_t n = st.size / sizeof(Elf64_Sym);
    img.symbols.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        GElf_Sym sym;
        if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr)
            img.fail("cannot read symbol " + std::to_string(i) + ": " + elf_error());
        Symbol& s = img.symbols[i];
        s.name = string_at(img, st.link, sym.st_name, "symbol " + std::to_string(i));
        s.type = GELF_ST_TYPE(sym.st_info);
        s.bind = GELF_ST_BIND(sym.st_info);
        s.shndx = sym.st_shndx;
        s.value = sym.st_value;
        s.size = sym.st_size;
        if (s.shndx == SHN_XINDEX)
            img.fail("symbol '" + s.name + "' uses extended section indices (not supported)");
        const bool special = s.shndx == SHN_UNDEF || s.shndx >= SHN_LORESERVE;
        if (!special && s.shndx >= img.sections.size())
            img.fail("symbol '" + s.name + "' refers to section " + std::to_string(s.shndx) +
                     ", but there are only " + std::to_string(img.sections.size()));
        if (s.type == STT_SECTION && s.name.empty() && !special)
            s.name = img.sections[s.shndx].name;
    }
}

void read_relocations(Image& img, Elf* elf) {
    for (std::uint32_t i = 1; i < img.sections.size(); ++i) {
        const Section& rs = img.sections[i];
        if (rs.type == SHT_RELA) {
            if (rs.info < img.sections.size() && img.is_code(rs.info))
                img.fail(sec_label(img, i) + ": RELA relocations are not used for BPF");
            continue;
        }
        if (rs.type != SHT_REL) continue;
        if (rs.info == 0 || rs.info >= img.sections.size())
            img.fail(sec_label(img, i) + " relocates section " + std::to_string(rs.info) +
                     ", which does not exist");
        if (!img.is_code(rs.info)) continue;  // debug info, BTF, map initialisers
        if (rs.link >= img.sections.size() || img.sections[rs.link].type != SHT_SYMTAB)
            img.fail(sec_label(img, i) + " is not linked to the symbol table");
        if (rs.size % sizeof(Elf64_Rel) != 0)
            img.fail(sec_label(img, i) + " has a size that is not a multiple of the entry size");
        Elf_Data* data = elf_getdata(elf_getscn(elf, i), nullptr);
        if (data == nullptr) img.fail("cannot read " + sec_label(img, i) + ": " + elf_error());
        const Section& target = img.sections[rs.info];
        auto& out = img.relocs[rs.info];
        const std::size_t n = rs.size / sizeof(Elf64_Rel);
        for (std::size_t k = 0; k < n; ++k) {
            GElf_Rel rel;
            if (gelf_getrel(data, static_cast<int>(k), &rel) == nullptr)
                img.fail("cannot read relocation " + std::to_string(k) + " of " +
                         sec_label(img, i) + ": " + elf_error());
            Reloc r{rel.r_offset, static_cast<std::uint32_t>(GELF_R_TYPE(rel.r_info)),
                    static_cast<std::uint32_t>(GELF_R_SYM(rel.r_info))};
            const std::string where =
                "relocation " + std::to_string(k) + " of " + sec_label(img, i);
            if (!within(r.offset, 8, target.size))
                img.fail(where + ": offset " + std::to_string(r.offset) + " is outside " +
                         sec_label(img, rs.info) + " (" + std::to_string(target.size) + " bytes)");
            if (r.offset % 8 != 0)
                img.fail(where + ": offset " + std::to_string(r.offset) +
                         " is not aligned to an instruction");
            if (r.sym >= img.symbols.size())
                img.fail(where + ": symbol index " + std::to_string(r.sym) + " is out of range (" +
                         std::to_string(img.symbols.size()) + " symbols)");
            if (r.sym == 0) img.fail(where + ": refers to the null symbol (missing symbol)");
            out.push_back(r);
        }
    }
    for (auto& [sec, list] : img.relocs)
        std::stable_sort(list.begin(), list.end(),
                         [](const Reloc& a, const Reloc& b) { return a.offset < b.offset; });
}

void find_functions(Image& img) {
    for (std::uint32_t i = 1; i < img.sections.size(); ++i) {
        const Section& s = img.sections[i];
        if (!img.is_code(i)) continue;
        if (s.size % 8 != 0)
            img.fail(sec_label(img, i) + " holds code but its size " + std::to_string(s.size) +
                     " is not a multiple of 8");
        if (s.name == ".text") img.text = i;
    }
    for (const Symbol& sym : img.symbols) {
        if (sym.type != STT_FUNC || sym.shndx == SHN_UNDEF || sym.shndx >= SHN_LORESERVE) continue;
        if (!img.is_code(sym.shndx)) continue;
        const Section& s = img.sections[sym.shndx];
        if (sym.value % 8 != 0 || sym.size % 8 != 0)
            img.fail("function '" + sym.name + "' is not aligned to instructions");
        if (!within(sym.value, sym.size, s.size))
            img.fail("function '" + sym.name + "' (offset " + std::to_string(sym.value) +
                     ", size " + std::to_string(sym.size) + ") lies outside " +
                     sec_label(img, sym.shndx));
        if (sym.size == 0) continue;
        img.functions.push_back(
            Function{sym.name, sym.shndx, static_cast<std::uint32_t>(sym.value / 8),
                     static_cast<std::uint32_t>(sym.size / 8), sym.bind != STB_LOCAL});
    }
    std::sort(img.functions.begin(), img.functions.end(), [](const Function& a, const Function& b) {
        return a.section != b.section ? a.section < b.section : a.start < b.start;
    });
    for (std::size_t k = 1; k < img.functions.size(); ++k) {
        const Function& a = img.functions[k - 1];
        const Function& b = img.functions[k];
        if (a.section == b.section && a.start + a.count > b.start)
            img.fail("functions '" + a.name + "' and '" + b.name + "' overlap in " +
                     sec_label(img, a.section));
    }
}

}  // namespace

bool Image::is_code(std::uint32_t i) const {
    return i < sections.size() && sections[i].type == SHT_PROGBITS &&
           (sections[i].flags & SHF_EXECINSTR) != 0;
}

const Function* Image::function_at(std::uint32_t sec, std::uint32_t slot) const {
    auto it = std::upper_bound(
        functions.begin(), functions.end(), std::pair{sec, slot},
        [](const std::pair<std::uint32_t, std::uint32_t>& key, const Function& f) {
            return key.first != f.section ? key.first < f.section : key.second < f.start;
        });
    if (it == functions.begin()) return nullptr;
    const Function& f = *std::prev(it);
    if (f.section != sec || slot < f.start || slot - f.start >= f.count) return nullptr;
    return &f;
}

void Image::fail(const std::string& message) const {
    throw InputError(Diagnostic{message, std::nullopt, path});
}

Image read_image(std::span<const std::uint8_t> bytes, const std::string& path) {
    Image img;
    img.path = path;
    if (bytes.empty()) img.fail("empty file");
    if (bytes.size() < sizeof(Elf64_Ehdr))
        img.fail("truncated ELF header (" + std::to_string(bytes.size()) + " bytes)");
    img.file.assign(bytes.begin(), bytes.end());
    check_ident(img);
    if (elf_version(EV_CURRENT) == EV_NONE) img.fail("libelf is not usable: " + elf_error());
    ElfPtr elf(elf_memory(reinterpret_cast<char*>(img.file.data()), img.file.size()));
    if (!elf) img.fail("not a readable ELF object: " + elf_error());
    check_header(img, elf.get());
    read_sections(img, elf.get());
    read_symbols(img, elf.get());
    read_relocations(img, elf.get());
    find_functions(img);
    for (std::uint32_t i = 1; i < img.sections.size(); ++i) {
        if (img.sections[i].name == ".BTF") img.btf_section = i;
        if (img.sections[i].name == ".BTF.ext") img.btf_ext_section = i;
    }
    return img;
}

btf* parse_btf(const Image& img) {
    if (img.btf_section == 0) return nullptr;
    const Section& s = img.sections[img.btf_section];
    if (s.bytes.empty() || s.bytes.size() > UINT32_MAX) img.fail("the .BTF section is empty");
    btf* b = btf__new(s.bytes.data(), static_cast<std::uint32_t>(s.bytes.size()));
    if (b == nullptr || libbpf_get_error(b) != 0)
        img.fail("the .BTF section is malformed (libbpf rejects it)");
    return b;
}

std::string read_license(const Image& img) {
    for (const Section& s : img.sections) {
        if (s.name != "license" || s.bytes.empty()) continue;
        auto end = std::find(s.bytes.begin(), s.bytes.end(), 0);
        return {s.bytes.begin(), end};
    }
    return "";
}

namespace {

struct BtfDeleter {
    void operator()(btf* b) const { btf__free(b); }
};

Object load(std::span<const std::uint8_t> bytes, const std::string& name) {
    Image img = read_image(bytes, name);
    std::unique_ptr<btf, BtfDeleter> btf_data(parse_btf(img));
    Object obj;
    obj.path = name;
    obj.license = read_license(img);
    std::vector<MapSite> sites;
    collect_maps(img, btf_data.get(), obj.maps, sites);
    const auto lines = read_line_info(img, btf_data.get());
    for (const Function& f : img.functions) {
        if (f.section == img.text) continue;
        if (!f.global)
            img.fail("program '" + f.name + "' in section '" + img.sections[f.section].name +
                     "' is static; libbpf only loads global functions as programs");
        Program p = link_program(img, f, obj.maps, sites, lines);
        p.license = obj.license;
        obj.programs.push_back(std::move(p));
    }
    return obj;
}

}  // namespace
}  // namespace elf_detail

Expected<Object> load_elf_memory(std::span<const std::uint8_t> bytes, const std::string& name) {
    try {
        return elf_detail::load(bytes, name);
    } catch (const InputError& e) {
        return e.diagnostic();
    } catch (const std::bad_alloc&) {
        return Diagnostic{"out of memory while reading the object (corrupt sizes?)", std::nullopt,
                          name};
    }
}

Expected<Object> load_elf(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Diagnostic{"cannot open file for reading", std::nullopt, path};
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
    if (in.bad()) return Diagnostic{"read error", std::nullopt, path};
    return load_elf_memory(bytes, path);
}

}  // namespace bpflab
