// SPDX-License-Identifier: Apache-2.0
// bpflab: errors about input, carried as values, and the exit codes the command line uses.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace bpflab {

/// Exit codes of every `bpflab` subcommand (documented in docs/cli.md).
enum ExitCode : int {
    kExitOk = 0,             ///< success (for verify: every program passes)
    kExitFail = 1,           ///< the question was answered "no" (verification failed, ...)
    kExitUsage = 2,          ///< bad command line
    kExitInputError = 3,     ///< unreadable, malformed or invalid input file
    kExitInternalError = 4,  ///< a bug in bpflab
    kExitTimeout = 5,        ///< a time limit was reached
    kExitUnavailable = 6,    ///< a required facility (bpf(2), a tool) is not available
    kExitUnsound = 7,        ///< a soundness violation was found
};

/// A problem with an input: what is wrong, and where (file, instruction index) when known.
struct Diagnostic {
    std::string message;
    std::optional<std::int64_t> insn;  ///< instruction (slot) index, when the problem has one
    std::string file;

    /// "FILE: instruction N: MESSAGE", leaving out the parts that are unknown.
    [[nodiscard]] std::string to_string() const {
        std::string s;
        if (!file.empty()) s += file + ": ";
        if (insn) s += "instruction " + std::to_string(*insn) + ": ";
        return s + message;
    }
};

/// Thrown when an input file cannot be used; the CLI maps it to kExitInputError.
class InputError : public std::runtime_error {
public:
    explicit InputError(Diagnostic d) : std::runtime_error(d.to_string()), diag_(std::move(d)) {}
    [[nodiscard]] const Diagnostic& diagnostic() const { return diag_; }

private:
    Diagnostic diag_;
};

/// A value or the Diagnostic explaining why there is none.
template <class T>
class Expected {
public:
    Expected(T value) : v_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
    Expected(Diagnostic error) : v_(std::move(error)) {}   // NOLINT(google-explicit-constructor)
    [[nodiscard]] bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }
    [[nodiscard]] T& value() & { return std::get<0>(v_); }
    [[nodiscard]] const T& value() const& { return std::get<0>(v_); }
    [[nodiscard]] T&& value() && { return std::get<0>(std::move(v_)); }
    [[nodiscard]] const Diagnostic& error() const { return std::get<1>(v_); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    std::variant<T, Diagnostic> v_;
};

}  // namespace bpflab
