// SPDX-License-Identifier: Apache-2.0
// Shared by the corpus tests: may this process call bpf(2), and what the kernel verifier says.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tests/corpus/corpus_util.hpp"

namespace bpflab::corpus_test {

/// Whether BPF_PROG_LOAD works here; `reason` says why not when it does not.
struct KernelAccess {
    bool permitted = false;
    std::string reason;
};

/// Loads the smallest valid program (`r0 = 0; exit` as a socket filter) to find out whether
/// this process may use bpf(2); never throws.
[[nodiscard]] inline KernelAccess probe_kernel_access() {
    if (geteuid() != 0)
        return {false, "not running as root (euid " + std::to_string(geteuid()) + ")"};
    const bpf_insn insns[] = {
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0},
        {.code = BPF_JMP | BPF_EXIT, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0},
    };
    const int fd = bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bpflab_probe", "GPL", insns,
                                 sizeof(insns) / sizeof(insns[0]), nullptr);
    if (fd < 0) {
        const int err = errno;
        return {false, "BPF_PROG_LOAD of a trivial program failed: " + std::string(strerror(err))};
    }
    close(fd);
    return {true, ""};
}

/// What happened when one program of an object was loaded on its own.
struct KernelVerdict {
    bool opened = false;  ///< libbpf could open the object and found the program
    int error = 0;        ///< 0 when the kernel accepted the program, else a negative errno
    std::string log;      ///< the kernel verifier log (present for rejections)
    std::string libbpf;   ///< libbpf's own messages during the load
};

namespace detail {
inline std::string& libbpf_messages() {
    static std::string messages;
    return messages;
}
inline int collect_libbpf_message(libbpf_print_level level, const char* format, va_list args) {
    if (level == LIBBPF_DEBUG) return 0;
    char buffer[1024];
    const int n = std::vsnprintf(buffer, sizeof(buffer), format, args);
    if (n > 0) libbpf_messages() += buffer;
    return n;
}
}  // namespace detail

/// Opens `path`, disables autoload for every program but `program`, loads the object (which
/// creates its maps) and returns the kernel's verdict with the verifier log.
[[nodiscard]] inline KernelVerdict load_with_kernel(const std::string& path,
                                                    const std::string& program) {
    KernelVerdict verdict;
    detail::libbpf_messages().clear();
    const libbpf_print_fn_t previous = libbpf_set_print(detail::collect_libbpf_message);
    ObjectPtr obj = open_object(path);
    bpf_program* target = nullptr;
    if (obj) {
        bpf_program* prog = nullptr;
        bpf_object__for_each_program(prog, obj.get()) {
            const bool wanted = program == bpf_program__name(prog);
            if (wanted) target = prog;
            (void)bpf_program__set_autoload(prog, wanted);
        }
    }
    if (target != nullptr) {
        // libbpf loads with log level 0 first and retries with level 1 into this buffer on failure.
        std::vector<char> log(16u << 20, '\0');
        (void)bpf_program__set_log_buf(target, log.data(), log.size());
        verdict.opened = true;
        verdict.error = bpf_object__load(obj.get());
        verdict.log = log.data();
    }
    obj.reset();
    libbpf_set_print(previous);
    verdict.libbpf = detail::libbpf_messages();
    return verdict;
}

}  // namespace bpflab::corpus_test
