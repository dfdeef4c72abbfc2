// SPDX-License-Identifier: Apache-2.0
// bpflab: the object's BTF made loadable for the kernel oracle (data sections sized, variables
// placed), and func_info records for bpflab's linked programs.
#include "checker/kernel_btf.hpp"

#include <bpf/btf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <map>
#include <string>

namespace bpflab::kernel {
namespace {

/// Section sizes and symbol offsets of an ELF file, read with libelf.
struct ElfLayout {
    std::map<std::string, std::uint64_t> section_size;
    std::map<std::pair<std::string, std::string>, std::uint64_t> symbol_offset;  ///< (sec, sym)
};

bool read_layout(const std::string& path, ElfLayout& out) {
    if (elf_version(EV_CURRENT) == EV_NONE) return false;
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    Elf* elf = elf_begin(fd, ELF_C_READ, nullptr);
    bool ok = elf != nullptr && elf_kind(elf) == ELF_K_ELF;
    std::size_t shstrndx = 0;
    ok = ok && elf_getshdrstrndx(elf, &shstrndx) == 0;
    std::map<std::size_t, std::string> names;
    for (Elf_Scn* scn = ok ? elf_nextscn(elf, nullptr) : nullptr; scn != nullptr;
         scn = elf_nextscn(elf, scn)) {
        GElf_Shdr sh;
        if (gelf_getshdr(scn, &sh) == nullptr) continue;
        const char* name = elf_strptr(elf, shstrndx, sh.sh_name);
        if (name == nullptr) continue;
        names[elf_ndxscn(scn)] = name;
        out.section_size[name] = sh.sh_size;
    }
    for (Elf_Scn* scn = ok ? elf_nextscn(elf, nullptr) : nullptr; scn != nullptr;
         scn = elf_nextscn(elf, scn)) {
        GElf_Shdr sh;
        if (gelf_getshdr(scn, &sh) == nullptr || sh.sh_type != SHT_SYMTAB) continue;
        Elf_Data* data = elf_getdata(scn, nullptr);
        const std::size_t count = sh.sh_entsize != 0 ? sh.sh_size / sh.sh_entsize : 0;
        for (std::size_t i = 0; data != nullptr && i < count; ++i) {
            GElf_Sym sym;
            if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr) continue;
            const char* name = elf_strptr(elf, sh.sh_link, sym.st_name);
            auto sec = names.find(sym.st_shndx);
            if (name == nullptr || *name == '\0' || sec == names.end()) continue;
            out.symbol_offset[{sec->second, name}] = sym.st_value;
        }
    }
    if (elf != nullptr) elf_end(elf);
    close(fd);
    return ok;
}

}  // namespace

ObjectBtf::~ObjectBtf() {
    if (btf_ != nullptr) btf__free(btf_);
}

bool ObjectBtf::load(const std::string& path, std::string* why) {
    btf_ext* ext = nullptr;
    btf_ = btf__parse_elf(path.c_str(), &ext);
    if (ext != nullptr) btf_ext__free(ext);
    if (btf_ == nullptr) {
        if (why != nullptr) *why = "no BTF in the object";
        return false;
    }
    ElfLayout layout;
    if (!read_layout(path, layout)) {
        if (why != nullptr) *why = "cannot read the ELF layout";
        return false;
    }
    // Clang leaves DATASEC sizes and variable offsets for the loader to fill in.
    const std::uint32_t n = btf__type_cnt(btf_);
    for (std::uint32_t id = 1; id < n; ++id) {
        auto* t = const_cast<btf_type*>(btf__type_by_id(btf_, id));
        if (btf_kind(t) != BTF_KIND_DATASEC) continue;
        const std::string sec = btf__name_by_offset(btf_, t->name_off);
        auto size = layout.section_size.find(sec);
        if (size != layout.section_size.end()) t->size = static_cast<std::uint32_t>(size->second);
        auto* vars = btf_var_secinfos(t);
        for (std::uint16_t i = 0; i < btf_vlen(t); ++i) {
            const btf_type* var = btf__type_by_id(btf_, vars[i].type);
            const std::string name = btf__name_by_offset(btf_, var->name_off);
            auto off = layout.symbol_offset.find({sec, name});
            if (off != layout.symbol_offset.end())
                vars[i].offset = static_cast<std::uint32_t>(off->second);
        }
    }
    if (btf__load_into_kernel(btf_) != 0) {
        if (why != nullptr) *why = "the kernel refused the object's BTF";
        return false;
    }
    return true;
}

int ObjectBtf::fd() const { return btf_ != nullptr ? btf__fd(btf_) : -1; }

std::vector<bpf_func_info> ObjectBtf::func_info(const Program& prog) const {
    std::vector<bpf_func_info> out;
    if (fd() < 0) return out;
    for (const Subprogram& f : prog.functions) {
        const int id = btf__find_by_name_kind(btf_, f.name.c_str(), BTF_KIND_FUNC);
        if (id <= 0) return {};
        out.push_back(bpf_func_info{f.start_pc, static_cast<std::uint32_t>(id)});
    }
    return out;
}

}  // namespace bpflab::kernel
