// SPDX-License-Identifier: Apache-2.0
// bpflab: the eBPF instruction set as one std::variant of small structs (DESIGN.md decision 1).
#pragma once

#include <cstdint>
#include <variant>

namespace bpflab {

/// One 64-bit instruction slot as it lies in memory: opcode:8 dst:4 src:4 off:s16 imm:s32.
struct RawInsn {
    std::uint8_t opcode = 0;
    std::uint8_t dst : 4 = 0;
    std::uint8_t src : 4 = 0;
    std::int16_t off = 0;
    std::int32_t imm = 0;
    friend bool operator==(const RawInsn&, const RawInsn&) = default;
};
static_assert(sizeof(RawInsn) == 8);

/// Opcode fields (RFC 9669 section 3).
namespace op {
inline constexpr std::uint8_t kClsLd = 0x00, kClsLdx = 0x01, kClsSt = 0x02, kClsStx = 0x03,
                              kClsAlu = 0x04, kClsJmp = 0x05, kClsJmp32 = 0x06,
                              kClsAlu64 = 0x07;
inline constexpr std::uint8_t kSrcK = 0x00, kSrcX = 0x08;
inline constexpr std::uint8_t kSizeW = 0x00, kSizeH = 0x08, kSizeB = 0x10, kSizeDw = 0x18;
inline constexpr std::uint8_t kModeImm = 0x00, kModeAbs = 0x20, kModeInd = 0x40, kModeMem = 0x60,
                              kModeMemsx = 0x80, kModeAtomic = 0xc0;
[[nodiscard]] constexpr std::uint8_t cls(std::uint8_t opc) { return opc & 0x07; }
[[nodiscard]] constexpr std::uint8_t code(std::uint8_t opc) { return opc & 0xf0; }
[[nodiscard]] constexpr std::uint8_t source(std::uint8_t opc) { return opc & 0x08; }
[[nodiscard]] constexpr std::uint8_t size(std::uint8_t opc) { return opc & 0x18; }
[[nodiscard]] constexpr std::uint8_t mode(std::uint8_t opc) { return opc & 0xe0; }
}  // namespace op

/// Register numbers r0..r10; r10 is the read-only frame pointer.
using Reg = std::uint8_t;
inline constexpr Reg kFramePointer = 10;
inline constexpr int kMaxInstructions = 1'000'000;

/// Memory access width in bytes: 1, 2, 4 or 8.
enum class Size : std::uint8_t { B = 1, H = 2, W = 4, DW = 8 };
[[nodiscard]] constexpr int bytes(Size s) { return static_cast<int>(s); }

/// The second operand of ALU and JMP instructions: a register or a 32-bit immediate.
struct Operand {
    bool is_reg = false;
    Reg reg = 0;
    std::int32_t imm = 0;
    friend bool operator==(const Operand&, const Operand&) = default;
};

enum class AluOp : std::uint8_t {
    Add, Sub, Mul, Div, SDiv, Mod, SMod, Or, And, Xor, Lsh, Rsh, Arsh, Neg, Mov,
    MovSx,  ///< sign-extending move; `sx_bits` is 8, 16 or 32
};

/// ALU / ALU64 arithmetic. `is64` selects ALU64; 32-bit results are zero-extended.
struct Alu {
    AluOp op = AluOp::Add;
    bool is64 = true;
    Reg dst = 0;
    Operand src;
    std::uint8_t sx_bits = 0;  ///< MovSx only
    friend bool operator==(const Alu&, const Alu&) = default;
};

/// Byte-order conversion: `to_le`/`to_be` (ALU class) or an unconditional swap (ALU64, v4).
enum class EndianKind : std::uint8_t { ToLe, ToBe, Swap };
struct Endian {
    EndianKind kind = EndianKind::ToLe;
    std::uint8_t bits = 64;  ///< 16, 32 or 64
    Reg dst = 0;
    friend bool operator==(const Endian&, const Endian&) = default;
};

enum class Cond : std::uint8_t { Eq, Ne, Set, Gt, Ge, Lt, Le, Sgt, Sge, Slt, Sle };

/// Conditional jump; `is32` selects JMP32 (compare the low halves). Target is pc + 1 + offset.
struct Jmp {
    Cond cond = Cond::Eq;
    bool is32 = false;
    Reg dst = 0;
    Operand src;
    std::int16_t offset = 0;
    friend bool operator==(const Jmp&, const Jmp&) = default;
};

/// Unconditional jump. `is32` is the JMP32 form (`gotol`) whose offset comes from imm.
struct Ja {
    std::int32_t offset = 0;
    bool is32 = false;
    friend bool operator==(const Ja&, const Ja&) = default;
};

/// `dst = *(size *)(src + off)`, sign-extending when `sign_ext` (MEMSX, v4).
struct Load {
    Size size = Size::W;
    bool sign_ext = false;
    Reg dst = 0;
    Reg src = 0;
    std::int16_t off = 0;
    friend bool operator==(const Load&, const Load&) = default;
};

/// `*(size *)(dst + off) = src` where src is a register (STX) or an immediate (ST).
struct Store {
    Size size = Size::W;
    Reg dst = 0;
    std::int16_t off = 0;
    Operand src;
    friend bool operator==(const Store&, const Store&) = default;
};

enum class AtomicOp : std::uint8_t { Add, Or, And, Xor, Xchg, Cmpxchg, LoadAcquire, StoreRelease };

/// Atomic read-modify-write on `*(size *)(dst + off)`; `fetch` returns the old value in src
/// (in r0 for Cmpxchg). LoadAcquire reads into dst from src + off; StoreRelease writes src.
struct Atomic {
    AtomicOp op = AtomicOp::Add;
    bool fetch = false;
    Size size = Size::DW;
    Reg dst = 0;
    Reg src = 0;
    std::int16_t off = 0;
    friend bool operator==(const Atomic&, const Atomic&) = default;
};

/// The `src` field of a 64-bit immediate load (DESIGN.md, ISA facts).
enum class LdImmKind : std::uint8_t {
    Imm64 = 0, MapFd = 1, MapValue = 2, VarAddr = 3, CodeAddr = 4, MapIdx = 5, MapIdxValue = 6
};

/// Two-slot `dst = imm64`; `imm` is the low word, `next_imm` the high word (or the value offset).
struct LdImm64 {
    LdImmKind kind = LdImmKind::Imm64;
    Reg dst = 0;
    std::int32_t imm = 0;
    std::int32_t next_imm = 0;
    [[nodiscard]] std::uint64_t value() const {
        return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(next_imm)) << 32) |
               static_cast<std::uint32_t>(imm);
    }
    friend bool operator==(const LdImm64&, const LdImm64&) = default;
};

/// Legacy packet loads: r0 = ntoh(*(size *)(skb->data + imm [+ src])).
struct LdPacket {
    bool indirect = false;  ///< IND adds `src`; ABS uses `imm` alone
    Size size = Size::W;
    Reg src = 0;
    std::int32_t imm = 0;
    friend bool operator==(const LdPacket&, const LdPacket&) = default;
};

enum class CallKind : std::uint8_t { Helper = 0, Local = 1, Kfunc = 2 };

/// A call: helper id, pc-relative local function (target pc + 1 + imm), or kfunc BTF id.
struct Call {
    CallKind kind = CallKind::Helper;
    std::int32_t imm = 0;
    std::int16_t off = 0;  ///< kfunc: module BTF fd index
    friend bool operator==(const Call&, const Call&) = default;
};

struct Exit {
    friend bool operator==(const Exit&, const Exit&) = default;
};

/// Linux extension: `may_goto` (JMP | JCOND, src 0), a bounded-loop escape hatch.
struct MayGoto {
    std::int16_t offset = 0;
    friend bool operator==(const MayGoto&, const MayGoto&) = default;
};

/// Linux extension: `gotox dst`, an indirect jump through a jump table.
struct Gotox {
    Reg dst = 0;
    friend bool operator==(const Gotox&, const Gotox&) = default;
};

/// Linux extension: `dst = addr_space_cast(src, dst_as, src_as)`; imm = dst_as << 16 | src_as.
struct AddrSpaceCast {
    Reg dst = 0;
    Reg src = 0;
    std::int32_t imm = 0;
    friend bool operator==(const AddrSpaceCast&, const AddrSpaceCast&) = default;
};

/// Every instruction of the ISA. A consumer that forgets an alternative fails to compile.
using Instruction = std::variant<Alu, Endian, Jmp, Ja, Load, Store, Atomic, LdImm64, LdPacket,
                                 Call, Exit, MayGoto, Gotox, AddrSpaceCast>;

/// Number of 8-byte slots an instruction occupies (2 for LdImm64, else 1).
[[nodiscard]] inline int slot_width(const Instruction& insn) {
    return std::holds_alternative<LdImm64>(insn) ? 2 : 1;
}

/// Helper for visitors: `std::visit(Overloaded{[](const Alu&){...}, ...}, insn)`.
template <class... Fs>
struct Overloaded : Fs... {
    using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace bpflab
