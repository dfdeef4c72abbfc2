// SPDX-License-Identifier: Apache-2.0
// bpflab: the pure computations behind emulated helpers (see helper_math.hpp).
#include "core/vm/helper_math.hpp"

#include <cstdio>

namespace bpflab::vm {

std::uint64_t splitmix(std::uint64_t& s) {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Conversions as helper_math.hpp lists them.
std::string format_trace(const std::string& fmt, const std::uint64_t* args, int nargs) {
    std::string out;
    int next = 0;
    for (std::size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] != '%' || i + 1 == fmt.size()) {
            out += fmt[i];
            continue;
        }
        std::size_t j = i + 1;
        int longs = 0;
        while (j < fmt.size() && fmt[j] == 'l') {
            ++longs;
            ++j;
        }
        if (j >= fmt.size()) break;
        const char c = fmt[j];
        if (c == '%') {
            out += '%';
            i = j;
            continue;
        }
        const std::uint64_t v = next < nargs ? args[next++] : 0;
        char buf[32];
        switch (c) {
            case 'd':
            case 'i':
                std::snprintf(buf, sizeof buf, "%lld",
                              longs ? static_cast<long long>(v)
                                    : static_cast<long long>(static_cast<std::int32_t>(v)));
                break;
            case 'u':
                std::snprintf(
                    buf, sizeof buf, "%llu",
                    static_cast<unsigned long long>(longs ? v : static_cast<std::uint32_t>(v)));
                break;
            case 'x':
                std::snprintf(
                    buf, sizeof buf, "%llx",
                    static_cast<unsigned long long>(longs ? v : static_cast<std::uint32_t>(v)));
                break;
            case 'p':
                std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
                break;
            case 'c':
                std::snprintf(buf, sizeof buf, "%c", static_cast<char>(v));
                break;
            default:
                std::snprintf(buf, sizeof buf, "%%%c", c);
                break;
        }
        out += buf;
        i = j;
    }
    return out;
}

// One's-complement arithmetic as the kernel's checksum helpers do it, on raw (stored) values.
std::uint32_t csum_add(std::uint32_t a, std::uint32_t b) {
    const std::uint32_t r = a + b;
    return r + (r < b ? 1u : 0u);
}

std::uint16_t csum_fold(std::uint32_t c) {
    c = (c & 0xffff) + (c >> 16);
    c = (c & 0xffff) + (c >> 16);
    return static_cast<std::uint16_t>(~c);
}

std::uint16_t csum_replace4(std::uint16_t sum, std::uint32_t from, std::uint32_t to) {
    return csum_fold(csum_add(csum_add(~std::uint32_t{sum}, ~from), to));
}

std::uint16_t csum_replace2(std::uint16_t sum, std::uint16_t from, std::uint16_t to) {
    auto add16 = [](std::uint16_t a, std::uint16_t b) {
        const auto r = static_cast<std::uint16_t>(a + b);
        return static_cast<std::uint16_t>(r + (r < b ? 1 : 0));
    };
    return static_cast<std::uint16_t>(
        ~add16(add16(static_cast<std::uint16_t>(~sum), static_cast<std::uint16_t>(~from)), to));
}

}  // namespace bpflab::vm
