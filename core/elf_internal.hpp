// SPDX-License-Identifier: Apache-2.0
// bpflab: the ELF loader's internal model — a validated section/symbol/relocation image.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/program.hpp"

struct btf;

namespace bpflab::elf_detail {

/// One section header with its bytes (empty for SHT_NOBITS); offsets are already checked.
struct Section {
    std::string name;
    std::uint32_t type = 0;
    std::uint64_t flags = 0;
    std::uint64_t size = 0;
    std::uint32_t link = 0;
    std::uint32_t info = 0;
    std::span<const std::uint8_t> bytes;
};

/// One symbol-table entry; `shndx` is either a valid section index or a special SHN_* value.
struct Symbol {
    std::string name;
    std::uint8_t type = 0;  ///< STT_*
    std::uint8_t bind = 0;  ///< STB_*
    std::uint32_t shndx = 0;
    std::uint64_t value = 0;
    std::uint64_t size = 0;
};

/// One REL entry of a program section: `offset` is 8-aligned and inside the section.
struct Reloc {
    std::uint64_t offset = 0;
    std::uint32_t type = 0;  ///< R_BPF_*
    std::uint32_t sym = 0;   ///< index into Image::symbols, in range
};

/// A function symbol inside an executable section, in slots.
struct Function {
    std::string name;
    std::uint32_t section = 0;
    std::uint32_t start = 0;  ///< first slot in the section
    std::uint32_t count = 0;  ///< number of slots
    bool global = false;
};

/// A parsed, bounds-checked ELF object. Everything in it can be indexed without further checks.
struct Image {
    std::string path;
    std::vector<std::uint8_t> file;  ///< owned copy of the file bytes
    std::vector<Section> sections;
    std::vector<Symbol> symbols;
    std::map<std::uint32_t, std::vector<Reloc>> relocs;  ///< by target section
    std::vector<Function> functions;                     ///< sorted by (section, start)
    std::uint32_t text = 0;                              ///< `.text` section index, 0 if none
    std::uint32_t btf_section = 0;                       ///< `.BTF`, 0 if none
    std::uint32_t btf_ext_section = 0;                   ///< `.BTF.ext`, 0 if none

    /// Whether section `i` holds code (SHT_PROGBITS with SHF_EXECINSTR).
    [[nodiscard]] bool is_code(std::uint32_t i) const;
    /// The function of section `sec` covering slot `slot`, or nullptr.
    [[nodiscard]] const Function* function_at(std::uint32_t sec, std::uint32_t slot) const;
    /// Throws an InputError naming the file.
    [[noreturn]] void fail(const std::string& message) const;
};

/// Where each map of Object::maps was defined, so relocations can find it.
struct MapSite {
    std::uint32_t section = 0;
    std::uint64_t offset = 0;    ///< symbol value inside the section (0 for global data)
    bool whole_section = false;  ///< global data: any symbol of the section refers to it
};

/// Parses and validates the ELF structure of `bytes` (throws InputError).
[[nodiscard]] Image read_image(std::span<const std::uint8_t> bytes, const std::string& path);

/// Parses `.BTF` when present (nullptr otherwise); throws InputError when it is malformed.
[[nodiscard]] ::btf* parse_btf(const Image& img);

/// Collects legacy, BTF-defined and global-data maps, in libbpf's order (throws InputError).
void collect_maps(const Image& img, const ::btf* btf, std::vector<MapDef>& maps,
                  std::vector<MapSite>& sites);

/// The `license` section's string, or "" when absent.
[[nodiscard]] std::string read_license(const Image& img);

/// One `.BTF.ext` line-info record, already resolved to strings.
struct LineRecord {
    std::uint32_t slot = 0;  ///< slot within its section
    std::string file;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::string text;
};

/// Line info per ELF section name, each sorted by slot (throws InputError when malformed).
[[nodiscard]] std::map<std::string, std::vector<LineRecord>> read_line_info(const Image& img,
                                                                            const ::btf* btf);

/// Builds the linked program for entry function `entry` (throws InputError).
[[nodiscard]] Program link_program(const Image& img, const Function& entry,
                                   const std::vector<MapDef>& maps,
                                   const std::vector<MapSite>& sites,
                                   const std::map<std::string, std::vector<LineRecord>>& lines);

}  // namespace bpflab::elf_detail
