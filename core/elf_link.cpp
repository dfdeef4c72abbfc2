// SPDX-License-Identifier: Apache-2.0
// bpflab: linking one program — appending reached subprograms, applying map relocations.
#include <bpf/libbpf.h>
#include <gelf.h>

#include <algorithm>
#include <limits>

#include "core/elf_internal.hpp"

namespace bpflab::elf_detail {
namespace {

constexpr std::uint8_t kOpLdDw = op::kClsLd | op::kSizeDw | op::kModeImm;  // 0x18
constexpr std::uint8_t kOpCall = op::kClsJmp | 0x80;                       // 0x85
constexpr std::uint8_t kSrcPseudoCall = 1;
constexpr std::uint8_t kSrcPseudoFunc = 4;

/// A function copied into the program, at `base` in the linked code.
struct Chunk {
    const Function* fn = nullptr;
    std::uint32_t base = 0;
};

class Linker {
  public:
    Linker(const Image& img, const std::vector<MapDef>& maps, const std::vector<MapSite>& sites)
        : img_(img), maps_(maps), sites_(sites) {}

    Program run(const Function& entry,
                const std::map<std::string, std::vector<LineRecord>>& lines) {
        prog_.name = entry.name;
        prog_.section = img_.sections[entry.section].name;
        prog_.section_offset = entry.start;
        set_type();
        place(entry);
        // relocate() may append chunks, so copy each before use.
        for (std::size_t c = 0; c < chunks_.size(); ++c) relocate(Chunk{chunks_[c]});
        for (const Chunk& ch : chunks_) {
            prog_.functions.push_back(Subprogram{ch.fn->name, ch.base, ch.base + ch.fn->count});
            add_lines(ch, lines);
        }
        std::stable_sort(prog_.relocations.begin(), prog_.relocations.end(),
                         [](const RelocNote& a, const RelocNote& b) { return a.pc < b.pc; });
        std::stable_sort(prog_.lines.begin(), prog_.lines.end(),
                         [](const SourceLine& a, const SourceLine& b) { return a.pc < b.pc; });
        auto code = decode(raw_);
        if (!code) {
            Diagnostic d = code.error();
            d.file = img_.path;
            d.message = "program '" + prog_.name + "': " + d.message;
            throw InputError(d);
        }
        prog_.code = std::move(*code);
        return std::move(prog_);
    }

  private:
    [[noreturn]] void fail_at(std::uint32_t pc, const std::string& message) const {
        throw InputError(Diagnostic{"program '" + prog_.name + "': " + message, pc, img_.path});
    }

    void set_type() {
        std::string sec = prog_.section;
        if (!sec.empty() && sec.front() == '?') sec.erase(0, 1);  // libbpf: not auto-loaded
        bpf_prog_type type{};
        bpf_attach_type attach{};
        if (libbpf_prog_type_by_name(sec.c_str(), &type, &attach) != 0) return;
        prog_.prog_type = type;
        prog_.expected_attach_type = attach;
        prog_.type = prog_type_name(type);
    }

    /// Linked pc of function `f` (appending it when not yet part of the program).
    std::uint32_t place(const Function& f) {
        for (const Chunk& ch : chunks_)
            if (ch.fn == &f) return ch.base;
        if (raw_.size() + f.count > static_cast<std::size_t>(kMaxInstructions))
            img_.fail("program '" + prog_.name + "' exceeds " + std::to_string(kMaxInstructions) +
                      " instructions after linking");
        const auto base = static_cast<std::uint32_t>(raw_.size());
        const auto bytes = img_.sections[f.section].bytes.subspan(std::size_t{f.start} * 8,
                                                                  std::size_t{f.count} * 8);
        auto slots = slots_from_bytes(bytes);
        if (!slots) img_.fail("function '" + f.name + "': " + slots.error().message);
        raw_.insert(raw_.end(), slots->begin(), slots->end());
        chunks_.push_back(Chunk{&f, base});
        return base;
    }

    /// Linked pc of slot `slot` of section `sec`, which must lie inside a function.
    std::uint32_t link_target(std::uint32_t pc, std::uint32_t sec, std::int64_t slot,
                              const std::string& what) {
        const std::int64_t slots = static_cast<std::int64_t>(img_.sections[sec].size / 8);
        if (slot < 0 || slot >= slots)
            fail_at(pc, what + " targets slot " + std::to_string(slot) + " outside section '" +
                            img_.sections[sec].name + "'");
        const Function* f = img_.function_at(sec, static_cast<std::uint32_t>(slot));
        if (f == nullptr)
            fail_at(pc, what + " targets slot " + std::to_string(slot) + " of section '" +
                            img_.sections[sec].name + "', which is inside no function");
        const std::uint32_t base = place(*f);
        return base + (static_cast<std::uint32_t>(slot) - f->start);
    }

    static std::int32_t relative(std::uint32_t target, std::uint32_t pc) {
        return static_cast<std::int32_t>(static_cast<std::int64_t>(target) - pc - 1);
    }

    void note(std::uint32_t pc, RelocNote::Kind kind, std::string symbol, std::int64_t map = -1,
              std::int64_t addend = 0) {
        prog_.relocations.push_back(RelocNote{pc, kind, std::move(symbol), map, addend});
    }

    void relocate(Chunk ch) {
        const Function& f = *ch.fn;
        std::vector<const Reloc*> by_slot(f.count, nullptr);
        if (auto it = img_.relocs.find(f.section); it != img_.relocs.end())
            for (const Reloc& r : it->second) {
                const std::uint64_t slot = r.offset / 8;
                if (slot >= f.start && slot - f.start < f.count) by_slot[slot - f.start] = &r;
            }
        for (std::uint32_t k = 0; k < f.count; ++k) {
            const std::uint32_t pc = ch.base + k;
            const Reloc* r = by_slot[k];
            const RawInsn insn = raw_[pc];
            if (insn.opcode == kOpLdDw) {
                if (k + 1 >= f.count) {
                    if (r != nullptr) fail_at(pc, "relocated 64-bit load is truncated");
                    continue;  // decode reports the truncation
                }
                if (by_slot[k + 1] != nullptr)
                    fail_at(pc + 1, "relocation applies to the second half of a 64-bit load");
                if (r != nullptr) {
                    relocate_ldimm64(pc, *r);
                } else if (insn.src == kSrcPseudoFunc) {
                    const std::int64_t slot = std::int64_t{f.start} + k + insn.imm + 1;
                    const std::uint32_t target =
                        link_target(pc, f.section, slot, "function address");
                    raw_[pc].imm = relative(target, pc);
                }
                ++k;
            } else if (insn.opcode == kOpCall && (insn.src == kSrcPseudoCall || r != nullptr)) {
                relocate_call(pc, f, k, r);
            } else if (r != nullptr) {
                fail_at(pc, "relocation against '" + img_.symbols[r->sym].name +
                                "' applies to an instruction that is neither a 64-bit load "
                                "nor a call");
            }
        }
    }

    void check_type(std::uint32_t pc, const Reloc& r, std::uint32_t expected) const {
        if (r.type != expected)
            fail_at(pc, "unexpected relocation type " + std::to_string(r.type) + " against '" +
                            img_.symbols[r.sym].name + "' (expected " + std::to_string(expected) +
                            ")");
    }

    void relocate_call(std::uint32_t pc, const Function& f, std::uint32_t k, const Reloc* r) {
        std::uint32_t sec = f.section;
        std::int64_t slot = std::int64_t{f.start} + k + raw_[pc].imm + 1;
        if (r != nullptr) {
            check_type(pc, *r, R_BPF_64_32);
            const Symbol& sym = img_.symbols[r->sym];
            if (sym.shndx == SHN_UNDEF) {
                // An extern __ksym function: a kfunc whose BTF id is only known at load time.
                raw_[pc].src = static_cast<std::uint8_t>(CallKind::Kfunc);
                raw_[pc].imm = 0;
                note(pc, RelocNote::Kind::Kfunc, sym.name);
                return;
            }
            if (!img_.is_code(sym.shndx))
                fail_at(pc, "call relocation against '" + sym.name + "', which is not code");
            if (sym.value % 8 != 0)
                fail_at(pc, "call relocation against '" + sym.name + "' is misaligned");
            sec = sym.shndx;
            slot = static_cast<std::int64_t>(sym.value / 8) + raw_[pc].imm + 1;
        }
        const std::uint32_t target = link_target(pc, sec, slot, "call");
        raw_[pc].src = kSrcPseudoCall;
        raw_[pc].imm = relative(target, pc);
        note(pc, RelocNote::Kind::Subprogram, function_name(target));
    }

    std::string function_name(std::uint32_t pc) const {
        for (const Chunk& ch : chunks_)
            if (pc >= ch.base && pc - ch.base < ch.fn->count) return ch.fn->name;
        return "";
    }

    void relocate_ldimm64(std::uint32_t pc, const Reloc& r) {
        check_type(pc, r, R_BPF_64_64);
        const Symbol& sym = img_.symbols[r.sym];
        if (sym.shndx == SHN_UNDEF) {  // extern (__ksym / __kconfig): resolved at load time
            note(pc, RelocNote::Kind::Other, sym.name);
            return;
        }
        if (sym.shndx >= SHN_LORESERVE)
            fail_at(pc, "relocation against '" + sym.name + "' in a special section");
        if (img_.is_code(sym.shndx)) {
            const std::int64_t bytes = static_cast<std::int64_t>(sym.value) + raw_[pc].imm;
            if (bytes % 8 != 0) fail_at(pc, "function address of '" + sym.name + "' misaligned");
            const std::uint32_t target = link_target(pc, sym.shndx, bytes / 8, "function address");
            // place() may have grown raw_: take references only now.
            RawInsn& lo = raw_[pc];
            RawInsn& hi = raw_[pc + 1];
            lo.src = kSrcPseudoFunc;
            lo.imm = relative(target, pc);
            hi.imm = 0;
            note(pc, RelocNote::Kind::Subprogram, function_name(target));
            return;
        }
        RawInsn& lo = raw_[pc];
        RawInsn& hi = raw_[pc + 1];
        for (std::size_t m = 0; m < sites_.size(); ++m) {
            const MapSite& s = sites_[m];
            if (s.section == 0 || s.section != sym.shndx) continue;
            if (s.whole_section) {
                const std::int64_t off =
                    std::int64_t{lo.imm} + static_cast<std::int64_t>(sym.value);
                if (off < 0 || off > std::numeric_limits<std::int32_t>::max())
                    fail_at(pc, "offset " + std::to_string(off) + " into '" + maps_[m].name +
                                    "' is out of range");
                lo.src = static_cast<std::uint8_t>(LdImmKind::MapValue);
                lo.imm = static_cast<std::int32_t>(m);
                hi.imm = static_cast<std::int32_t>(off);
                note(pc, RelocNote::Kind::MapValue, sym.name, static_cast<std::int64_t>(m), off);
                return;
            }
            if (s.offset == sym.value) {
                lo.src = static_cast<std::uint8_t>(LdImmKind::MapFd);
                lo.imm = static_cast<std::int32_t>(m);
                hi.imm = 0;
                note(pc, RelocNote::Kind::Map, maps_[m].name, static_cast<std::int64_t>(m), 0);
                return;
            }
        }
        fail_at(pc, "relocation against '" + sym.name + "' in section '" +
                        img_.sections[sym.shndx].name +
                        "', which is neither a map, global data nor code");
    }

    void add_lines(const Chunk& ch, const std::map<std::string, std::vector<LineRecord>>& lines) {
        auto it = lines.find(img_.sections[ch.fn->section].name);
        if (it == lines.end()) return;
        for (const LineRecord& l : it->second) {
            if (l.slot < ch.fn->start || l.slot - ch.fn->start >= ch.fn->count) continue;
            prog_.lines.push_back(
                SourceLine{ch.base + (l.slot - ch.fn->start), l.file, l.line, l.column, l.text});
        }
    }

    const Image& img_;
    const std::vector<MapDef>& maps_;
    const std::vector<MapSite>& sites_;
    Program prog_;
    std::vector<RawInsn> raw_;
    std::vector<Chunk> chunks_;
};

}  // namespace

Program link_program(const Image& img, const Function& entry, const std::vector<MapDef>& maps,
                     const std::vector<MapSite>& sites,
                     const std::map<std::string, std::vector<LineRecord>>& lines) {
    return Linker(img, maps, sites).run(entry, lines);
}

}  // namespace bpflab::elf_detail
