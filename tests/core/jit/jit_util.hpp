// SPDX-License-Identifier: Apache-2.0
// bpflab: shared by the JIT tests — objects from instructions or assembly text, runs on the
// interpreter and on the JIT with the same input.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/asm.hpp"
#include "core/decode.hpp"
#include "core/jit/jit.hpp"
#include "core/load.hpp"
#include "core/vm/interp.hpp"

namespace bpflab::jit::test {

using Insns = std::vector<Instruction>;

/// A one-program Object of `insns` with program type `type` (empty: none, memory in r1).
[[nodiscard]] inline Object make_object(const Insns& insns, const std::string& type = {}) {
    LoadOptions opts;
    opts.type = type;
    auto obj = object_from_slots(encode(insns), "test", opts);
    REQUIRE_MESSAGE(obj.has_value(), (obj ? "" : obj.error().to_string()));
    return std::move(*obj);
}

/// The same from Linux-syntax assembly.
[[nodiscard]] inline Object make_object(const std::string& text, const std::string& type = {}) {
    auto insns = assemble(text, Syntax::Linux, "test.s");
    REQUIRE_MESSAGE(insns.has_value(), (insns ? "" : insns.error().to_string()));
    return make_object(*insns, type);
}

/// Compiles program 0 of `obj` (REQUIREs success).
[[nodiscard]] inline JitProgram compile_ok(const Object& obj, vm::MapSet& maps,
                                           JitOptions opts = {}) {
    auto jit = JitProgram::compile(obj, 0, maps, opts);
    REQUIRE_MESSAGE(jit.has_value(), (jit ? "" : jit.error().to_string()));
    return std::move(*jit);
}

/// An input with r1 = `memory`, r2 = its length (no context).
[[nodiscard]] inline vm::RunInput memory_input(std::vector<std::uint8_t> memory = {}) {
    vm::RunInput in;
    in.memory_in_r1 = true;
    in.memory = std::move(memory);
    return in;
}

}  // namespace bpflab::jit::test
