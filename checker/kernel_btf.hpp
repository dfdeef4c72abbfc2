// SPDX-License-Identifier: Apache-2.0
// bpflab: an ELF object's BTF, fixed up and loaded into the kernel for the oracle.
#pragma once

#include <linux/bpf.h>

#include <string>
#include <vector>

#include "core/program.hpp"

struct btf;

namespace bpflab::kernel {

/// The BTF of one object, loaded into the kernel so that programs can carry func_info (the
/// kernel requires it for callbacks such as bpf_loop's, and for global functions).
class ObjectBtf {
public:
    ObjectBtf() = default;
    ObjectBtf(const ObjectBtf&) = delete;
    ObjectBtf& operator=(const ObjectBtf&) = delete;
    ~ObjectBtf();

    /// Parses the BTF of the ELF file at `path`, sizes its data sections and places its
    /// variables as a loader must, and loads it; false (with `why`) when any step fails.
    bool load(const std::string& path, std::string* why = nullptr);
    /// The kernel fd of the loaded BTF, or -1.
    [[nodiscard]] int fd() const;
    /// One record per function of `prog` (pc of its start, BTF FUNC id); empty when a function
    /// has no BTF description or no BTF is loaded.
    [[nodiscard]] std::vector<bpf_func_info> func_info(const Program& prog) const;

private:
    ::btf* btf_ = nullptr;
};

}  // namespace bpflab::kernel
