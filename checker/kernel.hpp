// SPDX-License-Identifier: Apache-2.0
// bpflab: the running Linux kernel as an oracle — its verifier and BPF_PROG_TEST_RUN.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"
#include "core/program.hpp"

namespace bpflab::kernel {

class ObjectBtf;

/// Whether this process may call bpf(2): probes by loading `r0 = 0; exit` as a socket filter.
/// When not, `why` says why (not root, EPERM, no BPF syscall ...).
[[nodiscard]] bool available(std::string* why = nullptr);

/// The kernel verifier's answer for one program.
struct LoadResult {
    bool accepted = false;
    int error = 0;                     ///< errno of BPF_PROG_LOAD when rejected
    std::string log;                   ///< verifier log (level as requested)
    std::string error_line;            ///< the log line that states the rejection
    std::uint32_t verified_insns = 0;  ///< instructions the verifier processed
    double seconds = 0;                ///< wall time of BPF_PROG_LOAD
    /// The verifier's own time ("verification time N usec" of a log with BPF_LOG_STATS, log
    /// level bit 4), or 0 when the log does not say.
    double verification_seconds = 0;
};

/// One BPF_PROG_TEST_RUN.
struct TestRun {
    std::uint32_t retval = 0;       ///< the kernel reports the low 32 bits of r0
    std::uint32_t duration_ns = 0;  ///< the kernel's own average per repetition
    std::vector<std::uint8_t> data_out;
    std::vector<std::uint8_t> ctx_out;
};

/// Maps and programs of one Object created in the kernel; closes every fd when destroyed.
/// Programs are loaded from bpflab's own linked code (map references patched to the fds), so
/// raw, assembled and ELF inputs go through the same path.
class Session {
  public:
    /// Creates every map of `object` (global data initialised, `.rodata` frozen).
    [[nodiscard]] static Expected<Session> create(const Object& object);
    Session(Session&& other) noexcept;
    Session& operator=(Session&&) = delete;
    Session(const Session&) = delete;
    ~Session();

    /// Loads program `index` (log_level 0, 1 or 2); later loads reuse the accepted fd.
    LoadResult load(std::size_t index, int log_level = 1);
    /// Runs an accepted program once or `repeat` times on the given input.
    [[nodiscard]] Expected<TestRun> test_run(std::size_t index,
                                             const std::vector<std::uint8_t>& data,
                                             const std::vector<std::uint8_t>& ctx, int repeat);
    /// Map access by the index of Object::maps (key and value as raw bytes).
    bool update(std::size_t map, const std::vector<std::uint8_t>& key,
                const std::vector<std::uint8_t>& value);
    [[nodiscard]] std::optional<std::vector<std::uint8_t>> lookup(
        std::size_t map, const std::vector<std::uint8_t>& key) const;
    /// Every (key, value) of a map (arrays: every index).
    [[nodiscard]] std::vector<std::pair<std::vector<std::uint8_t>, std::vector<std::uint8_t>>>
    entries(std::size_t map) const;
    /// The fd of a loaded program, -1 if not loaded (for program arrays).
    [[nodiscard]] int program_fd(std::size_t index) const { return prog_fds_.at(index); }

  private:
    explicit Session(const Object& object);
    const Object* object_;
    std::unique_ptr<ObjectBtf> btf_;  ///< the object's BTF in the kernel, when it has one
    std::vector<int> map_fds_;
    std::vector<int> prog_fds_;
};

}  // namespace bpflab::kernel
