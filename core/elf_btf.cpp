// SPDX-License-Identifier: Apache-2.0
// bpflab: BTF line info from `.BTF.ext`, parsed with explicit bounds checks.
#include <bpf/btf.h>

#include <algorithm>
#include <cstring>

#include "core/elf_internal.hpp"

namespace bpflab::elf_detail {
namespace {

constexpr std::uint16_t kBtfMagic = 0xeB9F;
constexpr std::uint32_t kMinHeader = 24;      ///< magic .. line_info_len
constexpr std::uint32_t kMinLineRecord = 16;  ///< insn_off, file_name_off, line_off, line_col

/// A bounds-checked little-endian reader over a byte span; `ok()` turns false on overrun.
class Reader {
  public:
    explicit Reader(std::span<const std::uint8_t> b) : b_(b) {}
    [[nodiscard]] std::uint32_t u32(std::size_t off) {
        if (off > b_.size() || b_.size() - off < 4) {
            ok_ = false;
            return 0;
        }
        std::uint32_t v = 0;
        std::memcpy(&v, b_.data() + off, 4);
        return v;
    }
    [[nodiscard]] std::uint16_t u16(std::size_t off) {
        if (off > b_.size() || b_.size() - off < 2) {
            ok_ = false;
            return 0;
        }
        std::uint16_t v = 0;
        std::memcpy(&v, b_.data() + off, 2);
        return v;
    }
    [[nodiscard]] bool ok() const { return ok_; }

  private:
    std::span<const std::uint8_t> b_;
    bool ok_ = true;
};

std::string btf_string(const ::btf* b, std::uint32_t off) {
    const char* s = btf__name_by_offset(b, off);
    return s != nullptr ? s : "";
}

}  // namespace

std::map<std::string, std::vector<LineRecord>> read_line_info(const Image& img, const ::btf* btf) {
    std::map<std::string, std::vector<LineRecord>> out;
    if (img.btf_ext_section == 0 || btf == nullptr) return out;
    const auto bytes = img.sections[img.btf_ext_section].bytes;
    Reader r(bytes);
    auto bad = [&](const std::string& what) { img.fail("malformed .BTF.ext: " + what); };
    if (r.u16(0) != kBtfMagic || !r.ok()) bad("bad magic");
    const std::uint32_t hdr_len = r.u32(4);
    const std::uint32_t line_off = r.u32(16);
    const std::uint32_t line_len = r.u32(20);
    if (!r.ok() || hdr_len < kMinHeader || hdr_len > bytes.size()) bad("bad header length");
    if (line_len == 0) return out;
    const std::uint64_t begin = std::uint64_t{hdr_len} + line_off;
    const std::uint64_t end = begin + line_len;
    if (end > bytes.size()) bad("line info lies outside the section");
    const std::uint32_t rec_size = r.u32(begin);
    if (rec_size < kMinLineRecord || rec_size % 4 != 0)
        bad("line info record size " + std::to_string(rec_size));
    std::uint64_t pos = begin + 4;
    while (pos < end) {
        if (end - pos < 8) bad("truncated line info section header");
        const std::string sec_name = btf_string(btf, r.u32(pos));
        const std::uint32_t count = r.u32(pos + 4);
        pos += 8;
        if (count == 0 || count > (end - pos) / rec_size)
            bad("line info of section '" + sec_name + "' claims " + std::to_string(count) +
                " records, more than fit");
        auto& list = out[sec_name];
        for (std::uint32_t k = 0; k < count; ++k, pos += rec_size) {
            const std::uint32_t insn_off = r.u32(pos);
            const std::uint32_t file_off = r.u32(pos + 4);
            const std::uint32_t text_off = r.u32(pos + 8);
            const std::uint32_t line_col = r.u32(pos + 12);
            if (insn_off % 8 != 0)
                bad("line info offset " + std::to_string(insn_off) + " is not an instruction");
            list.push_back(LineRecord{insn_off / 8, btf_string(btf, file_off), line_col >> 10,
                                      line_col & 0x3ff, btf_string(btf, text_off)});
        }
    }
    if (!r.ok()) bad("truncated line info");
    for (auto& [name, list] : out)
        std::stable_sort(list.begin(), list.end(),
                         [](const LineRecord& a, const LineRecord& b) { return a.slot < b.slot; });
    return out;
}

}  // namespace bpflab::elf_detail
