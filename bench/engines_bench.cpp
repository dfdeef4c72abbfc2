// SPDX-License-Identifier: Apache-2.0
// bpflab: engines benchmark — every bench program on the interpreter, the JIT (trusted and
// checked) and the kernel (BPF_PROG_TEST_RUN), same input, r0 compared, ns per run side by side.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "checker/kernel.hpp"
#include "core/jit/jit.hpp"
#include "core/load.hpp"
#include "core/vm/interp.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;
using Clock = std::chrono::steady_clock;
using namespace bpflab;

// ---------------------------------------------------------------------------------------------
// Inputs: deterministic frames built field by field.

/// xorshift64*: a fixed seed gives the same frames on every machine.
struct Rng {
    std::uint64_t s = 0x9e3779b97f4a7c15ull;
    std::uint64_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545f4914f6cdd1dull;
    }
    std::uint8_t byte() { return static_cast<std::uint8_t>(next() >> 56); }
};

void put16(Bytes& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}

/// An Ethernet / [VLAN]* / IPv4 / TCP frame; `payload` follows the TCP header and options.
struct FrameSpec {
    int vlans = 0;
    Bytes ip_options;   ///< a multiple of 4 bytes
    Bytes tcp_options;  ///< a multiple of 4 bytes
    Bytes payload;
};

Bytes build_frame(const FrameSpec& spec) {
    Bytes f = {0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02};
    for (int i = 0; i < spec.vlans; ++i) {
        f.insert(f.end(), {0x81, 0x00, 0x00, static_cast<std::uint8_t>(10 + i)});
    }
    f.insert(f.end(), {0x08, 0x00});
    const std::size_t ip = f.size();
    const std::size_t ihl = (20 + spec.ip_options.size()) / 4;
    const std::size_t doff = (20 + spec.tcp_options.size()) / 4;
    const std::size_t total = ihl * 4 + doff * 4 + spec.payload.size();
    f.resize(ip + 20, 0);
    f[ip] = static_cast<std::uint8_t>(0x40 | ihl);
    put16(f, ip + 2, static_cast<std::uint16_t>(total));
    put16(f, ip + 4, 0x1234);
    f[ip + 8] = 64;
    f[ip + 9] = 6;  // TCP
    const std::uint8_t addrs[8] = {10, 0, 0, 1, 192, 168, 7, 42};
    std::copy(std::begin(addrs), std::end(addrs), f.begin() + static_cast<std::ptrdiff_t>(ip + 12));
    f.insert(f.end(), spec.ip_options.begin(), spec.ip_options.end());
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < ihl * 4; i += 2) sum += (f[ip + i] << 8) | f[ip + i + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    put16(f, ip + 10, static_cast<std::uint16_t>(~sum));
    const std::size_t tcp = f.size();
    f.resize(tcp + 20, 0);
    put16(f, tcp, 40000);
    put16(f, tcp + 2, 80);
    f[tcp + 7] = 1;
    f[tcp + 12] = static_cast<std::uint8_t>(doff << 4);
    f[tcp + 13] = 0x18;  // PSH, ACK
    put16(f, tcp + 14, 0xffff);
    f.insert(f.end(), spec.tcp_options.begin(), spec.tcp_options.end());
    f.insert(f.end(), spec.payload.begin(), spec.payload.end());
    return f;
}

/// A plain TCP frame of `size` bytes with a random payload.
Bytes random_frame(std::size_t size, Rng& rng) {
    FrameSpec s;
    s.payload.resize(size - 54);
    for (auto& b : s.payload) b = rng.byte();
    return build_frame(s);
}

/// Two VLAN tags, IP options (NOPs and a timestamp option), TCP options (MSS, timestamps,
/// window scale, SACK permitted) and a payload of type-length-value records.
Bytes tlv_frame(Rng& rng) {
    FrameSpec s;
    s.vlans = 2;
    s.ip_options = {1, 1, 0x44, 12, 5, 0, 0, 0, 0, 1, 0, 0, 0, 2, 1, 1};
    s.tcp_options = {2, 4, 0x05, 0xb4, 1, 1, 8, 10, 0, 0, 0x12, 0x34,
                     0, 0, 0,    0,    1, 3, 3, 7,  4, 2, 1,    1};
    while (s.payload.size() < 880) {
        const auto type = static_cast<std::uint8_t>(rng.next() % 11);
        const auto len = static_cast<std::uint8_t>(2 + rng.next() % 7);
        s.payload.push_back(type);
        s.payload.push_back(len);
        for (int i = 0; i < len; ++i) s.payload.push_back(rng.byte());
    }
    s.payload.resize(s.payload.size() + 8, 0);
    return build_frame(s);
}

/// An HTTP/1.1 request head (with one malformed line to exercise the error state).
Bytes http_frame() {
    std::string text =
        "GET /static/images/2026/11/logo-large.png HTTP/1.1\r\n"
        "Host: www.example.org\r\n"
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0\r\n"
        "Accept: image/avif,image/webp,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5\r\n"
        "Accept-Language: en-GB,en;q=0.7,fr;q=0.3\r\n"
        "Accept-Encoding: gzip, deflate, br, zstd\r\n"
        "Connection: keep-alive\r\n"
        "Referer: https://www.example.org/articles/2026/11/27/benchmarks.html\r\n"
        "Cookie: session=4f2a9c0d1e8b7a6c5d4e3f2a1b0c9d8e; theme=dark; lang=en; visits=1024\r\n"
        "Sec-Fetch-Dest: image\r\n"
        "Sec-Fetch-Mode: no-cors\r\n"
        "Sec-Fetch-Site: same-origin\r\n"
        "bad header line without a colon\r\n"
        "Priority: u=5, i\r\n"
        "Pragma: no-cache\r\n"
        "Cache-Control: no-cache\r\n"
        "If-Modified-Since: Thu, 26 Nov 2026 12:00:00 GMT\r\n"
        "If-None-Match: \"5f3e-63a1b2c4d5e6f\"\r\n"
        "X-Request-Id: 7d1c2b3a-4e5f-6071-8293-a4b5c6d7e8f9\r\n"
        "X-Forwarded-For: 198.51.100.17, 203.0.113.5\r\n"
        "\r\n";
    FrameSpec s;
    s.payload.assign(text.begin(), text.end());
    return build_frame(s);
}

struct Case {
    std::string name;  ///< bench/programs/<name>.c
    Bytes packet;
    bool overhead = false;  ///< the empty program: fixed cost per run, not a speed benchmark
};

std::vector<Case> cases() {
    Rng rng;
    std::vector<Case> out;
    out.push_back({"hash_fnv", random_frame(1024, rng)});
    out.push_back({"inet_csum", random_frame(1400, rng)});
    out.push_back({"parse_tlv", tlv_frame(rng)});
    out.push_back({"divmod", random_frame(1152, rng)});
    out.push_back({"state_machine", http_frame()});
    out.push_back({"crc32", random_frame(512, rng)});
    out.push_back({"nop", random_frame(64, rng), true});
    return out;
}

// ---------------------------------------------------------------------------------------------
// Timing.

struct Settings {
    int batches = 7;       ///< timed batches per engine (interleaved); medians reported
    double batch_ms = 60;  ///< target wall time of one batch
    bool json = false;
    bool kernel = true;
    std::string only;  ///< run only this program
};

double median(std::vector<double> v) {
    if (v.empty()) return std::nan("");
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 != 0 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// CPU time of this thread, in ns. The kernel times BPF_PROG_TEST_RUN with preemption
/// disabled; on a shared machine wall time would charge our engines for other processes'
/// time slices, thread CPU time does not.
double thread_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

/// One batch of one engine: returns ns per run, or NaN when the engine failed.
using Batch = std::function<double()>;

/// Warms `run_once` up (caches, branch predictors, lazy predecoding) and returns a batch of
/// about s.batch_ms, timed in thread CPU time.
Batch our_batch(const std::function<void()>& run_once, const Settings& s) {
    const double t0 = thread_ns();
    std::uint64_t warm = 0;
    while (warm < 3 || thread_ns() - t0 < 5e6) {
        run_once();
        ++warm;
    }
    const double per = (thread_ns() - t0) / static_cast<double>(warm);
    const auto reps = static_cast<std::uint64_t>(std::max(1.0, s.batch_ms * 1e6 / per));
    return [run_once, reps] {
        const double start = thread_ns();
        for (std::uint64_t i = 0; i < reps; ++i) run_once();
        return (thread_ns() - start) / static_cast<double>(reps);
    };
}

/// The median of a[i] / b[i] over the batches both engines completed.
std::optional<double> paired_ratio(const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<double> r;
    for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
        if (!std::isnan(a[i]) && !std::isnan(b[i]) && b[i] > 0) r.push_back(a[i] / b[i]);
    if (r.empty()) return std::nullopt;
    return median(r);
}

// ---------------------------------------------------------------------------------------------
// One program on every engine.

struct EngineResult {
    std::optional<double> ns;         ///< median ns per run
    std::vector<double> samples;      ///< ns per run of each batch, in batch order
    std::optional<std::uint32_t> r0;  ///< low 32 bits (the kernel reports no more)
    std::string note;                 ///< why the engine has no figure, or its fault
};

struct Row {
    std::string name;
    bool overhead = false;
    std::size_t packet_bytes = 0;
    std::uint64_t instructions = 0;
    EngineResult interp, jit, jit_checked, kernel;
    /// Medians of the per-batch ratios (engines' batches interleaved, so paired in time).
    std::optional<double> jit_kern, interp_jit;
    bool agree = true;
};

/// One engine of ours: `run` runs once into the result it is given (buffers reused, as a
/// harness running one program many times would). Fills r0 or the fault; returns its batch.
Batch setup_ours(const std::function<void(vm::RunResult&)>& run, const Settings& s,
                 EngineResult& e) {
    auto result = std::make_shared<vm::RunResult>();
    run(*result);
    if (result->fault) {
        e.note = "fault: " + result->fault->to_string();
        return {};
    }
    e.r0 = static_cast<std::uint32_t>(result->r0);
    return our_batch([run, result] { run(*result); }, s);
}

/// The kernel: loads the program and returns a batch reading the kernel's own duration (its
/// per-repetition average, measured in the kernel around the program), never wall time.
Batch setup_kernel(const Object& obj, const Bytes& packet, const Settings& s,
                   const std::string& unavailable, EngineResult& e) {
    if (!unavailable.empty()) {
        e.note = unavailable;
        return {};
    }
    auto created = kernel::Session::create(obj);
    if (!created) {
        e.note = "kernel session: " + created.error().message;
        return {};
    }
    auto session = std::make_shared<kernel::Session>(std::move(*created));
    const auto load = session->load(0, 1);
    if (!load.accepted) {
        e.note = "kernel verifier rejected it: " + load.error_line;
        return {};
    }
    auto once = session->test_run(0, packet, {}, 1);
    if (!once) {
        e.note = "BPF_PROG_TEST_RUN: " + once.error().message;
        return {};
    }
    e.r0 = once->retval;
    // Size the repeat count from one timed call of 1000 repetitions.
    auto t0 = Clock::now();
    auto probe = session->test_run(0, packet, {}, 1000);
    if (!probe) {
        e.note = "BPF_PROG_TEST_RUN: " + probe.error().message;
        return {};
    }
    const double per = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / 1000.0;
    const int repeat = static_cast<int>(std::clamp(s.batch_ms * 1e6 / per, 1000.0, 5e7));
    return [session, packet, repeat, &e] {
        auto r = session->test_run(0, packet, {}, repeat);
        if (!r) {
            e.note = "BPF_PROG_TEST_RUN: " + r.error().message;
            return std::nan("");
        }
        return static_cast<double>(r->duration_ns);
    };
}

Row bench_case(const Case& c, const Settings& s, const std::string& kernel_unavailable) {
    Row row;
    row.name = c.name;
    row.overhead = c.overhead;
    row.packet_bytes = c.packet.size();
    const std::string path = std::string(BPFLAB_BENCH_PROGRAM_DIR) + "/" + c.name + ".o";
    auto obj = load_file(path);
    if (!obj) {
        row.interp.note = "cannot load " + path + ": " + obj.error().message;
        row.agree = false;
        return row;
    }
    vm::MapSet maps(obj->maps);
    vm::RunInput input;
    input.packet = c.packet;

    vm::Interpreter interp(*obj, maps);
    row.instructions = interp.run(0, input).instructions;
    const vm::RunOptions options;
    std::vector<std::pair<Batch, EngineResult*>> engines;
    engines.emplace_back(
        setup_ours([&](vm::RunResult& r) { interp.run_into(0, input, options, r); }, s, row.interp),
        &row.interp);
    std::optional<jit::JitProgram> compiled[2];
    for (const bool checked : {false, true}) {
        EngineResult& e = checked ? row.jit_checked : row.jit;
        auto built = jit::JitProgram::compile(*obj, 0, maps, jit::JitOptions{checked});
        if (!built) {
            e.note = "JIT: " + built.error().message;
            continue;
        }
        jit::JitProgram& p = compiled[checked ? 1 : 0].emplace(std::move(*built));
        auto run = [&p, &input](vm::RunResult& r) { p.run_into(input, r); };
        engines.emplace_back(setup_ours(run, s, e), &e);
    }
    engines.emplace_back(setup_kernel(*obj, c.packet, s, kernel_unavailable, row.kernel),
                         &row.kernel);
    // Batches interleaved across engines: load from other processes that comes and goes
    // falls on every engine alike, and the ratios below pair batches taken together.
    for (int b = 0; b < s.batches; ++b)
        for (auto& [batch, e] : engines)
            if (batch) e->samples.push_back(batch());
    for (auto& [batch, e] : engines) {
        std::vector<double> ok;
        for (double v : e->samples)
            if (!std::isnan(v)) ok.push_back(v);
        if (!ok.empty()) e->ns = median(ok);
    }
    row.jit_kern = paired_ratio(row.jit.samples, row.kernel.samples);
    row.interp_jit = paired_ratio(row.interp.samples, row.jit.samples);

    std::optional<std::uint32_t> ref;
    for (const EngineResult* e : {&row.interp, &row.jit, &row.jit_checked, &row.kernel}) {
        if (!e->r0) continue;
        if (ref && *ref != *e->r0) row.agree = false;
        if (!ref) ref = e->r0;
    }
    return row;
}

// ---------------------------------------------------------------------------------------------
// Output.

std::string fmt(std::optional<double> v, const char* spec) {
    if (!v) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, spec, *v);
    return buf;
}

nlohmann::json engine_json(const EngineResult& e) {
    nlohmann::json j = {{"ns_per_run", e.ns ? nlohmann::json(*e.ns) : nlohmann::json()},
                        {"r0", e.r0 ? nlohmann::json(*e.r0) : nlohmann::json()}};
    if (!e.note.empty()) j["note"] = e.note;
    return j;
}

void print_table(const std::vector<Row>& rows) {
    std::printf("%-14s %6s %7s %10s %9s %11s %9s %9s %10s %9s\n", "program", "bytes", "insns",
                "interp ns", "jit ns", "jit-chk ns", "kernel ns", "jit/kern", "interp/jit",
                "interp ns/insn");
    for (const Row& r : rows) {
        const std::optional<double> per_insn =
            r.interp.ns && r.instructions > 0
                ? std::optional<double>(*r.interp.ns / static_cast<double>(r.instructions))
                : std::nullopt;
        std::printf("%-14s %6zu %7llu %10s %9s %11s %9s %9s %10s %9s%s\n", r.name.c_str(),
                    r.packet_bytes, static_cast<unsigned long long>(r.instructions),
                    fmt(r.interp.ns, "%.0f").c_str(), fmt(r.jit.ns, "%.0f").c_str(),
                    fmt(r.jit_checked.ns, "%.0f").c_str(), fmt(r.kernel.ns, "%.0f").c_str(),
                    fmt(r.jit_kern, "%.2f").c_str(), fmt(r.interp_jit, "%.1f").c_str(),
                    fmt(per_insn, "%.2f").c_str(),
                    r.overhead ? "   (fixed cost per run)" : "");
    }
    for (const Row& r : rows) {
        for (const auto& [engine, e] :
             {std::pair<const char*, const EngineResult*>{"interp", &r.interp},
              {"jit", &r.jit},
              {"jit-checked", &r.jit_checked},
              {"kernel", &r.kernel}}) {
            if (!e->note.empty())
                std::printf("  %s on %s: %s\n", r.name.c_str(), engine, e->note.c_str());
        }
        if (!r.agree) {
            std::printf(
                "  *** MISMATCH on %s: r0 (low 32 bits) interp %s, jit %s, jit-checked %s, kernel "
                "%s ***\n",
                r.name.c_str(), r.interp.r0 ? std::to_string(*r.interp.r0).c_str() : "-",
                r.jit.r0 ? std::to_string(*r.jit.r0).c_str() : "-",
                r.jit_checked.r0 ? std::to_string(*r.jit_checked.r0).c_str() : "-",
                r.kernel.r0 ? std::to_string(*r.kernel.r0).c_str() : "-");
        }
    }
}

void usage() {
    std::cerr << "usage: engines_bench [--json] [--no-kernel] [--batches N] [--batch-ms MS] "
                 "[--program NAME]\n";
}

}  // namespace

int main(int argc, char** argv) {
    Settings s;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--json") {
            s.json = true;
        } else if (a == "--no-kernel") {
            s.kernel = false;
        } else if (a == "--batches" && has_value) {
            s.batches = std::max(1, std::atoi(argv[++i]));
        } else if (a == "--batch-ms" && has_value) {
            s.batch_ms = std::max(1.0, std::atof(argv[++i]));
        } else if (a == "--program" && has_value) {
            s.only = argv[++i];
        } else {
            usage();
            return 2;
        }
    }
    std::string kernel_unavailable;
    if (!s.kernel) {
        kernel_unavailable = "kernel column skipped (--no-kernel)";
    } else if (std::string why; !kernel::available(&why)) {
        kernel_unavailable = "kernel column skipped: bpf(2) is not permitted here (" + why + ")";
    }
    if (!kernel_unavailable.empty()) std::cerr << "engines_bench: " << kernel_unavailable << "\n";

    std::vector<Row> rows;
    for (const Case& c : cases()) {
        if (!s.only.empty() && c.name != s.only) continue;
        if (!s.json) std::cerr << "engines_bench: " << c.name << " ...\n";
        rows.push_back(bench_case(c, s, kernel_unavailable));
    }
    bool all_agree = true;
    for (const Row& r : rows) all_agree = all_agree && r.agree;

    if (s.json) {
        nlohmann::json out = {
            {"batches", s.batches}, {"batch_ms", s.batch_ms}, {"rows", nlohmann::json::array()}};
        if (!kernel_unavailable.empty()) out["kernel_skipped"] = kernel_unavailable;
        for (const Row& r : rows) {
            out["rows"].push_back({
                {"program", r.name},
                {"fixed_cost_probe", r.overhead},
                {"packet_bytes", r.packet_bytes},
                {"instructions", r.instructions},
                {"interp", engine_json(r.interp)},
                {"jit", engine_json(r.jit)},
                {"jit_checked", engine_json(r.jit_checked)},
                {"kernel", engine_json(r.kernel)},
                {"jit_over_kernel", r.jit_kern ? nlohmann::json(*r.jit_kern) : nlohmann::json()},
                {"interp_over_jit",
                 r.interp_jit ? nlohmann::json(*r.interp_jit) : nlohmann::json()},
                {"r0_agree", r.agree},
            });
        }
        out["all_agree"] = all_agree;
        std::cout << out.dump(2) << "\n";
    } else {
        print_table(rows);
        if (!all_agree)
            std::printf("\n*** ENGINES DISAGREE on r0: see the MISMATCH lines above ***\n");
    }
    return all_agree ? 0 : 1;
}
