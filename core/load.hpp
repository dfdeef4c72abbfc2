// SPDX-License-Identifier: Apache-2.0
// bpflab: one entry point that reads any supported input file into an Object.
#pragma once

#include <optional>
#include <string>

#include "core/asm.hpp"
#include "core/diagnostic.hpp"
#include "core/program.hpp"

namespace bpflab {

struct LoadOptions {
    std::optional<Syntax> syntax;  ///< assembly dialect; detected when absent
    std::string type;              ///< program type for inputs that carry none (raw, assembly)
    bool validate = true;          ///< run structural validation on every program
};

/// Reads FILE by its kind: ELF (by magic), assembly (`.s`, `.asm`; its `.type` and `.map`
/// directives give the program type, unless `opts.type` is set, and the maps), raw bytes (anything
/// else, usually `.bin`). Raw and assembly inputs give one program named after the file stem.
[[nodiscard]] Expected<Object> load_file(const std::string& path, const LoadOptions& opts = {});

/// Wraps decoded code into a one-program Object (used for raw and assembled input).
[[nodiscard]] Expected<Object> object_from_slots(std::vector<RawInsn> slots,
                                                 const std::string& path, const LoadOptions& opts);

}  // namespace bpflab
