// SPDX-License-Identifier: Apache-2.0
// bpflab: choosing the interpreter's superinstructions over predecoded ops.
#include "core/vm/fuse.hpp"

namespace bpflab::vm {
namespace {

/// The unfused code of an unchecked op in [fast_code(first), fast_code(first) + count), or -1.
int unchecked_in(OpCode c, int first, int count) {
    const int k = static_cast<int>(c) - static_cast<int>(OpCode::Count);
    return k >= first && k < first + count ? k : -1;
}

}  // namespace

void fuse_pairs(std::vector<Op>& ops) {
    for (std::size_t i = 0; i + 1 < ops.size(); ++i) {
        const OpCode first = ops[i].code;
        const OpCode second = ops[i + 1].code;
        const int alu = unchecked_in(second, 0, kAluCodes);
        const int jmp = unchecked_in(second, kAluCodes, kJmpCodes);
        if (first == fast_code(OpCode::Alu64X_Mov) && alu >= 0) {
            ops[i].code = fused_mov(static_cast<OpCode>(alu));
        } else if (first == fast_code(OpCode::Load) && alu >= 0) {
            ops[i].code = fused_load(static_cast<OpCode>(alu));
        } else if (first == fast_code(OpCode::Alu64K_Add) && jmp >= 0) {
            ops[i].code = fused_add_jmp(static_cast<OpCode>(jmp));
        }
    }
}

}  // namespace bpflab::vm
