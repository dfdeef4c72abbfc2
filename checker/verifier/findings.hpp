// SPDX-License-Identifier: Apache-2.0
// bpflab: what the verifier reports — safety conditions as data (DESIGN.md decision 6), each
// with a stable code, and the findings a failed condition produces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bpflab::verify {

/// The safety conditions bpflab checks. The spelling (`code_name`) is stable: reports, tests
/// and the corpus manifest refer to it.
enum class Check : std::uint8_t {
    UninitRegister,     ///< "uninit-register": a read of a register that may be unwritten
    FramePointerWrite,  ///< "r10-write": r10 is read-only
    UninitStack,        ///< "uninit-stack": a read of stack bytes that may be unwritten
    StackBounds,        ///< "stack-bounds": outside [r10 - 512, r10) or at a variable offset
    CtxAccess,          ///< "ctx-access": a context field the program type does not allow
    PacketBounds,       ///< "packet-bounds": not proved within [data, data_end)
    PacketAccess,       ///< "packet-access": direct packet access not allowed for this type
    MapValueBounds,     ///< "map-value-bounds": outside the map's value
    MemBounds,          ///< "mem-bounds": outside a helper-provided record
    ReadOnlyWrite,      ///< "readonly-write": a write to read-only data or a read-only field
    NullDeref,          ///< "null-deref": a pointer that may be NULL (no check on this path)
    InvalidDeref,       ///< "invalid-deref": a scalar or a non-memory pointer dereferenced
    PointerArith,       ///< "pointer-arith": arithmetic the kernel forbids on this pointer
    PointerCompare,     ///< "pointer-compare": a comparison across regions (caps bpf)
    PointerLeak,        ///< "pointer-leak": a pointer stored to a map, packet, or returned
    PartialPointer,     ///< "partial-pointer": part of a spilled pointer read or written
    HelperUnknown,      ///< "helper-unknown": helper not modelled for this program type
    HelperArg,          ///< "helper-arg": an argument of the wrong kind
    HelperSize,         ///< "helper-size": a size argument not bounded, or memory too small
    DivisionByZero,     ///< "division-by-zero" (warning): the divisor may be zero
    ReturnRange,        ///< "return-range": r0 at exit outside the program type's range
    MayNotTerminate,    ///< "may-not-terminate": a loop not proved bounded
    CallDepth,          ///< "call-depth": more than 8 frames, or recursion
    StackDepth,         ///< "stack-depth": more than 512 bytes of stack along a call chain
    UnreleasedRef,  ///< "unreleased-reference": a ringbuf record neither submitted nor discarded
    Unsupported,    ///< "unsupported": an instruction or feature bpflab does not model
    Count,
};

/// The stable spelling of `c` ("uninit-register", …).
[[nodiscard]] std::string_view code_name(Check c);
/// Whether `c` is reported as a warning (the program is still accepted).
[[nodiscard]] bool is_warning(Check c);

/// One failed condition: where, what, and the abstract values that made it fail.
struct Finding {
    Check code = Check::Unsupported;
    std::uint32_t pc = 0;  ///< slot of the instruction
    std::string insn;      ///< the instruction, as `bpflab disasm` prints it
    std::string message;   ///< what was required and why it is not proved
    /// Abstract values involved, by name ("R1" → "pkt(off=14,r=34)"), kernel log notation.
    std::vector<std::pair<std::string, std::string>> values;
    /// Call chain of the inlined context ("" for the entry function; "f@12 > g@40" else).
    std::string context;
    /// Source position from BTF line info.
    std::optional<std::string> source_file;
    std::uint32_t source_line = 0;
    std::string source_text;
};

}  // namespace bpflab::verify
