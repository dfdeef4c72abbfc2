// SPDX-License-Identifier: Apache-2.0
// bpflab: the names of the proof obligations — every ALU operation, byte swap and branch side.
#include <array>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "solvers/prove.hpp"

namespace bpflab::prove {
namespace {

std::vector<Operation> build_operations() {
    std::vector<Operation> ops;
    const auto alu = [&](std::string name, AluOp op, bool is64, unsigned sx = 0) {
        Operation o;
        o.name = std::move(name);
        o.kind = Kind::Alu;
        o.alu = dom::AluSpec{op, is64, sx};
        ops.push_back(std::move(o));
    };
    constexpr std::array<std::pair<std::string_view, AluOp>, 15> kAlu{{
        {"add", AluOp::Add},
        {"sub", AluOp::Sub},
        {"mul", AluOp::Mul},
        {"div", AluOp::Div},
        {"sdiv", AluOp::SDiv},
        {"mod", AluOp::Mod},
        {"smod", AluOp::SMod},
        {"or", AluOp::Or},
        {"and", AluOp::And},
        {"xor", AluOp::Xor},
        {"lsh", AluOp::Lsh},
        {"rsh", AluOp::Rsh},
        {"arsh", AluOp::Arsh},
        {"neg", AluOp::Neg},
        {"mov", AluOp::Mov},
    }};
    for (const auto& [name, op] : kAlu) {
        alu(std::string(name) + "64", op, true);
        alu(std::string(name) + "32", op, false);
    }
    for (const unsigned sx : {8U, 16U, 32U})
        alu("movsx" + std::to_string(sx) + "_64", AluOp::MovSx, true, sx);
    for (const unsigned sx : {8U, 16U})
        alu("movsx" + std::to_string(sx) + "_32", AluOp::MovSx, false, sx);

    constexpr std::array<std::pair<std::string_view, EndianKind>, 3> kEndian{
        {{"le", EndianKind::ToLe}, {"be", EndianKind::ToBe}, {"bswap", EndianKind::Swap}}};
    for (const auto& [name, kind] : kEndian) {
        for (const unsigned bits : {16U, 32U, 64U}) {
            Operation o;
            o.name = std::string(name) + std::to_string(bits);
            o.kind = Kind::Endian;
            o.endian = kind;
            o.endian_bits = bits;
            ops.push_back(std::move(o));
        }
    }

    constexpr std::array<std::pair<std::string_view, Cond>, 11> kCond{{
        {"jeq", Cond::Eq},
        {"jne", Cond::Ne},
        {"jset", Cond::Set},
        {"jgt", Cond::Gt},
        {"jge", Cond::Ge},
        {"jlt", Cond::Lt},
        {"jle", Cond::Le},
        {"jsgt", Cond::Sgt},
        {"jsge", Cond::Sge},
        {"jslt", Cond::Slt},
        {"jsle", Cond::Sle},
    }};
    for (const bool holds : {true, false}) {
        for (const auto& [name, cond] : kCond) {
            for (const bool is32 : {false, true}) {
                Operation o;
                o.name = std::string(holds ? "assume_" : "assume_not_") + std::string(name) +
                         (is32 ? "32" : "64");
                o.kind = Kind::Assume;
                o.branch = dom::Branch{cond, is32, holds};
                ops.push_back(std::move(o));
            }
        }
    }
    return ops;
}

/// `name` without a trailing "64"/"32" width suffix (and its "_" for movsx8_64).
std::string_view base_name(std::string_view name) {
    if (name.ends_with("64") || name.ends_with("32")) name.remove_suffix(2);
    if (name.ends_with("_")) name.remove_suffix(1);
    return name;
}

}  // namespace

const std::vector<Operation>& all_operations() {
    static const std::vector<Operation> ops = build_operations();
    return ops;
}

std::vector<Operation> find_operations(std::string_view pattern) {
    if (pattern == "all") return all_operations();
    std::vector<Operation> out;
    for (const Operation& o : all_operations())
        if (o.name == pattern) return {o};
    for (const Operation& o : all_operations())
        if (o.kind != Kind::Endian && base_name(o.name) == pattern) out.push_back(o);
    return out;
}

std::string_view verdict_name(Verdict v) {
    switch (v) {
        case Verdict::Proved:
            return "proved";
        case Verdict::Counterexample:
            return "counterexample";
        case Verdict::Timeout:
            return "timeout";
        case Verdict::Error:
            return "error";
        case Verdict::PartCounterexample:
            return "counterexample_in_part";
    }
    return "error";
}

std::string hex(std::uint64_t v) {
    std::array<char, 24> buf{};
    std::snprintf(buf.data(), buf.size(), "0x%llx", static_cast<unsigned long long>(v));
    return buf.data();
}

ProveFn DomainEntry::at(unsigned width) const {
    switch (width) {
        case 8:
            return w8;
        case 16:
            return w16;
        case 32:
            return w32;
        case 64:
            return w64;
        default:
            return nullptr;
    }
}

}  // namespace bpflab::prove
