// SPDX-License-Identifier: Apache-2.0
// bpflab: the JIT's x86 code as text (Capstone), each block headed by its eBPF instruction.
#include <capstone/capstone.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <map>
#include <sstream>

#include "core/asm.hpp"
#include "core/jit/jit.hpp"

namespace bpflab::jit {

std::string disassemble_x86(const JitProgram& jit, const Program& program) {
    std::ostringstream out;
    csh handle = 0;
    if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK) return "capstone: cannot open x86-64\n";
    std::map<std::uint32_t, std::uint32_t> block_at;  // code offset -> eBPF slot
    for (const BlockStart& b : jit.block_starts()) block_at.emplace(b.offset, b.pc);
    const auto code = jit.code();
    const auto base = reinterpret_cast<std::uint64_t>(code.data());
    cs_insn* insn = nullptr;
    const std::size_t n = cs_disasm(handle, code.data(), code.size(), base, 0, &insn);
    bool in_body = false;
    for (std::size_t i = 0; i < n; ++i) {
        const auto off = static_cast<std::uint32_t>(insn[i].address - base);
        // Several empty blocks (none today) could share an offset: print every header.
        for (auto it = block_at.lower_bound(off); it != block_at.end() && it->first == off; ++it) {
            const Code& c = program.code;
            const std::int32_t idx = it->second < c.slot_count() ? c.index_of_pc[it->second] : -1;
            out << "; " << it->second << ": "
                << (idx >= 0 ? print_instruction(c.insns[static_cast<std::size_t>(idx)], Syntax::Linux) : "")
                << "\n";
            in_body = true;
        }
        if (!in_body && off == 0) out << "; entry trampoline, exits and check stub\n";
        char head[24];
        std::snprintf(head, sizeof head, "  %6x:  ", off);
        std::string mnemonic = insn[i].mnemonic;
        mnemonic.resize(std::max<std::size_t>(mnemonic.size(), 8), ' ');
        out << head << mnemonic << ' ' << insn[i].op_str << '\n';
    }
    if (n > 0) cs_free(insn, n);
    cs_close(&handle);
    return out.str();
}

}  // namespace bpflab::jit
