// SPDX-License-Identifier: Apache-2.0
// bpflab: the pure computations behind emulated helpers, shared by the interpreter and the JIT
// so both engines produce the same numbers, checksums and trace lines.
#pragma once

#include <cstdint>
#include <string>

namespace bpflab::vm {

/// splitmix64: advances `state` and returns the next pseudo-random word (get_prandom_u32
/// takes its low half), deterministic under the run's seed.
[[nodiscard]] std::uint64_t splitmix(std::uint64_t& state);

/// trace_printk's formatting: %d %i %u %x with up to two 'l' (32-bit without one), %p, %c and
/// %%; any other conversion prints as itself. Arguments beyond `nargs` read as 0.
[[nodiscard]] std::string format_trace(const std::string& fmt, const std::uint64_t* args,
                                       int nargs);

/// One's-complement arithmetic on raw (stored, network-order) checksums (RFC 1071, RFC 1624).
[[nodiscard]] std::uint32_t csum_add(std::uint32_t a, std::uint32_t b);
[[nodiscard]] std::uint16_t csum_fold(std::uint32_t c);
/// The checksum `sum` updated for a 16-bit field changing from `from` to `to`.
[[nodiscard]] std::uint16_t csum_replace2(std::uint16_t sum, std::uint16_t from, std::uint16_t to);
/// The same for a 32-bit field.
[[nodiscard]] std::uint16_t csum_replace4(std::uint16_t sum, std::uint32_t from, std::uint32_t to);

}  // namespace bpflab::vm
