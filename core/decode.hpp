// SPDX-License-Identifier: Apache-2.0
// bpflab: decoding raw slots into Instructions, encoding them back, and validating a program.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/isa.hpp"

namespace bpflab {

/// A decoded instruction sequence, indexed both by instruction and by 8-byte slot (pc).
struct Code {
    std::vector<RawInsn> raw;                ///< the slots, as loaded
    std::vector<Instruction> insns;          ///< one entry per instruction
    std::vector<std::uint32_t> pc;           ///< pc[i]: first slot of insns[i]
    std::vector<std::int32_t> index_of_pc;   ///< slot -> instruction index, -1 for an lddw tail

    [[nodiscard]] std::size_t slot_count() const { return raw.size(); }
    /// The instruction starting at slot `p`; assumes index_of_pc[p] >= 0.
    [[nodiscard]] const Instruction& at_pc(std::uint32_t p) const { return insns[index_of_pc[p]]; }
};

/// Decodes the instruction at slot `pc`; errors name the reason (unknown opcode, a reserved
/// field that is not zero, a register above r10, a truncated 64-bit immediate load).
[[nodiscard]] Expected<Instruction> decode_one(std::span<const RawInsn> slots, std::size_t pc);

/// Decodes every slot; the first undecodable instruction is the error.
[[nodiscard]] Expected<Code> decode(std::span<const RawInsn> slots);

/// Like `decode`, but reports every undecodable instruction instead of only the first.
[[nodiscard]] std::vector<Diagnostic> decode_errors(std::span<const RawInsn> slots);

/// Appends the 1 or 2 slots of `insn` to `out`. decode(encode(i)) == i for every valid i.
void encode(const Instruction& insn, std::vector<RawInsn>& out);
[[nodiscard]] std::vector<RawInsn> encode(std::span<const Instruction> insns);

/// Builds a Code from instructions (encoding them and numbering the slots).
[[nodiscard]] Code make_code(std::vector<Instruction> insns);

/// Target pc of a jump-like instruction at `pc` (Jmp, Ja, MayGoto, local Call); -1 otherwise.
[[nodiscard]] std::int64_t jump_target(const Instruction& insn, std::uint32_t pc);

/// Whether control can reach the next slot after `insn` (false for Exit, Ja, Gotox).
[[nodiscard]] bool falls_through(const Instruction& insn);

/// Whether the instruction writes register `r` as its destination (used for r10 checks).
[[nodiscard]] bool writes_register(const Instruction& insn, Reg r);

/// Structural checks of a decoded program: writes to r10, jumps out of range or into the tail
/// of a 64-bit load, local calls outside the program, falling off the end, too many
/// instructions. Returns every problem found (empty when valid).
[[nodiscard]] std::vector<Diagnostic> validate(const Code& code);

/// Reads raw instruction bytes; errors when the length is not a multiple of 8.
[[nodiscard]] Expected<std::vector<RawInsn>> slots_from_bytes(std::span<const std::uint8_t> bytes);

/// Serialises slots to little-endian bytes.
[[nodiscard]] std::vector<std::uint8_t> bytes_from_slots(std::span<const RawInsn> slots);

}  // namespace bpflab
