// SPDX-License-Identifier: Apache-2.0
// checker/verifier/soundness: every corpus program a domain accepts runs inside that domain's
// invariants (interpreter and JIT), and a deliberately wrong invariant is caught.
#include "checker/verifier/soundness.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/asm.hpp"
#include "core/load.hpp"
#include "core/platform.hpp"
#include "core/vm/interp.hpp"
#include "tests/corpus/corpus_util.hpp"

namespace bpflab::verify {
namespace {

/// A corpus file and the program type assembly files need.
struct CorpusFile {
    std::string path;
    std::string type;
};

std::vector<CorpusFile> corpus_files() {
    std::vector<CorpusFile> out;
    for (const auto& o : corpus_test::read_manifest())
        out.push_back({corpus_test::object_path(o["object"].get<std::string>()), ""});
    const auto asm_manifest = nlohmann::json::parse(
        corpus_test::read_text(corpus_test::source_dir() + "/asm/manifest.json"));
    for (const auto& e : asm_manifest)
        out.push_back({corpus_test::source_dir() + "/asm/" + e["file"].get<std::string>(),
                       e["type"].get<std::string>()});
    return out;
}

Object load(const CorpusFile& f) {
    LoadOptions lo;
    lo.type = f.type;
    auto obj = load_file(f.path, lo);
    REQUIRE_MESSAGE(obj.has_value(), f.path);
    return std::move(*obj);
}

ProgramResult verify_with_facts(const Object& obj, const Program& p, const std::string& domain) {
    VerifyOptions opt;
    opt.domain = domain;
    opt.record_facts = true;
    return verify_program(obj, p, opt);
}

std::string describe(const SoundnessReport& r) {
    return describe_report(r);
}

/// A scalar seen at run time where the facts say "scalar only": the place to plant a wrong fact.
struct Sighting {
    std::uint32_t pc = 0;
    std::uint32_t frame = 0;
    int reg = 0;
    std::uint64_t value = 0;
};

/// Runs run 0 of check_runs' inputs and returns the first nonzero scalar whose facts (every
/// context at its pc) say Scalar only.
std::optional<Sighting> find_scalar(const Object& obj, std::size_t index,
                                    const ProgramResult& res) {
    vm::MapSet maps(obj.maps);
    vm::Interpreter interp(obj, maps);
    std::optional<Sighting> found;
    vm::RunOptions ro;
    ro.hook = [&](const vm::ConcreteState& s) {
        if (found || s.program != index) return;
        for (int r = 0; r < 10; ++r) {
            if (!s.is_init(r) || s.tags[r].kind != vm::RegionKind::None || s.regs[r] == 0) continue;
            bool all_scalar = false;
            for (const PointFacts& p : res.facts)
                if (p.pc == s.pc && p.frame == s.frame) {
                    all_scalar = p.regs[r].kinds.is(Kind::Scalar);
                    if (!all_scalar) break;
                }
            if (all_scalar) {
                found = Sighting{s.pc, s.frame, r, s.regs[r]};
                return;
            }
        }
    };
    (void)interp.run(index, soundness_input(obj.programs[index], 1, 0), ro);
    return found;
}

/// A random straight-line program over tracing words (raw_tracepoint): loads r2-r9 from the
/// context, then `ops` ALU (64- and 32-bit, immediates and registers, sign-extending moves,
/// byte swaps), stack spills and fills of every width and forward conditional jumps (every
/// condition, both widths), then `r0 = 0; exit`. Every operation is defined on every input, so the
/// program is safe; the check is whether the verifier's facts hold the values the runs produce.
std::string random_program(std::mt19937_64& rng, int ops, int loop_bound = 0) {
    std::vector<Instruction> code;
    for (Reg r = 2; r <= 9; ++r)
        code.push_back(Load{Size::DW, false, r, 1, static_cast<std::int16_t>(8 * (r - 2))});
    // With a loop, r9 is its counter and the body leaves it alone.
    const Reg regs = loop_bound > 0 ? 7 : 8;
    auto reg = [&] { return static_cast<Reg>(2 + rng() % regs); };
    auto imm = [&]() -> std::int32_t {
        switch (rng() % 4) {
            case 0:
                return static_cast<std::int32_t>(rng() % 64);
            case 1:
                return -static_cast<std::int32_t>(rng() % 64);
            case 2:
                return static_cast<std::int32_t>(1u << (rng() % 31));
            default:
                return static_cast<std::int32_t>(rng());
        }
    };
    auto operand = [&] {
        Operand o;
        o.is_reg = (rng() & 1) != 0;
        if (o.is_reg)
            o.reg = reg();
        else
            o.imm = imm();
        return o;
    };
    std::vector<std::size_t> jumps;  // patched to land inside the body or at its end
    std::vector<std::size_t> exits;  // patched to land at the end
    // Eight zeroed stack slots for spills and fills of every width.
    for (std::int16_t k = 1; k <= 8; ++k) {
        Store st;
        st.size = Size::DW;
        st.dst = kFramePointer;
        st.off = static_cast<std::int16_t>(-8 * k);
        code.push_back(st);
    }
    // Narrow some inputs first so that the facts carry bounds worth checking.
    for (Reg r = 2; r <= 9; ++r) {
        Alu a;
        a.dst = r;
        switch (rng() % 7) {
            case 0:
                a.op = AluOp::And;
                a.src.imm = static_cast<std::int32_t>(rng() % 1024);
                break;
            case 1:
                a.op = AluOp::Mov;
                a.src.imm = imm();
                break;
            case 2:
                a.op = AluOp::Arsh;
                a.src.imm = 48 + static_cast<std::int32_t>(rng() % 16);
                break;
            case 3:
                a.op = AluOp::Mov;
                a.is64 = false;
                a.src.is_reg = true;
                a.src.reg = r;
                break;
            case 4: {
                Jmp j;
                j.cond = static_cast<Cond>(rng() % 11);
                j.is32 = (rng() % 4) == 0;
                j.dst = r;
                j.src.imm = imm();
                exits.push_back(code.size());
                code.push_back(j);
                continue;
            }
            default:
                continue;
        }
        code.push_back(a);
    }
    const int body = ops;
    std::size_t loop_head = 0;
    if (loop_bound > 0) {
        Alu zero9;
        zero9.op = AluOp::Mov;
        zero9.dst = 9;
        code.push_back(zero9);
        loop_head = code.size();
    }
    for (int i = 0; i < body; ++i) {
        const auto pick = rng() % 10;
        if (pick < 6) {
            static constexpr AluOp kOps[] = {AluOp::Add,  AluOp::Sub, AluOp::Mul,  AluOp::Div,
                                             AluOp::SDiv, AluOp::Mod, AluOp::SMod, AluOp::Or,
                                             AluOp::And,  AluOp::Xor, AluOp::Lsh,  AluOp::Rsh,
                                             AluOp::Arsh, AluOp::Neg, AluOp::Mov};
            Alu a;
            a.op = kOps[rng() % std::size(kOps)];
            a.is64 = (rng() % 3) != 0;
            a.dst = reg();
            a.src = a.op == AluOp::Neg ? Operand{} : operand();
            if ((a.op == AluOp::Lsh || a.op == AluOp::Rsh || a.op == AluOp::Arsh) && !a.src.is_reg)
                a.src.imm = static_cast<std::int32_t>(rng() % (a.is64 ? 64 : 32));
            code.push_back(a);
        } else if (pick == 6) {
            Alu a;
            a.op = AluOp::MovSx;
            a.is64 = (rng() & 1) != 0;
            a.dst = reg();
            a.src.is_reg = true;
            a.src.reg = reg();
            static constexpr std::uint8_t kBits[] = {8, 16, 32};
            a.sx_bits = kBits[rng() % (a.is64 ? 3 : 2)];
            code.push_back(a);
        } else if (pick == 7 && (rng() & 1)) {
            static constexpr Size kSizes[] = {Size::B, Size::H, Size::W, Size::DW, Size::DW};
            const Size size = kSizes[rng() % std::size(kSizes)];
            const auto width = static_cast<int>(bytes(size));
            const int at = -8 * (1 + static_cast<int>(rng() % 8)) +
                           width * static_cast<int>(rng() % (8 / width));
            if (rng() & 1) {
                Store st;
                st.size = size;
                st.dst = kFramePointer;
                st.off = static_cast<std::int16_t>(at);
                st.src = operand();
                code.push_back(st);
            } else {
                code.push_back(
                    Load{size, false, reg(), kFramePointer, static_cast<std::int16_t>(at)});
            }
        } else if (pick == 7) {
            static constexpr std::uint8_t kBits[] = {16, 32, 64};
            static constexpr EndianKind kKinds[] = {EndianKind::ToLe, EndianKind::ToBe,
                                                    EndianKind::Swap};
            code.push_back(Endian{kKinds[rng() % 3], kBits[rng() % 3], reg()});
        } else {
            Jmp j;
            j.cond = static_cast<Cond>(rng() % 11);
            j.is32 = (rng() & 1) != 0;
            j.dst = reg();
            j.src = operand();
            jumps.push_back(code.size());
            code.push_back(j);
        }
    }
    if (loop_bound > 0) {  // r9 += 1; if r9 < bound goto head
        Alu inc;
        inc.dst = 9;
        inc.src.imm = 1;
        code.push_back(inc);
        Jmp back;
        back.cond = Cond::Lt;
        back.dst = 9;
        back.src.imm = loop_bound;
        back.offset = static_cast<std::int16_t>(static_cast<std::int64_t>(loop_head) -
                                                static_cast<std::int64_t>(code.size()) - 1);
        code.push_back(back);
    }
    // Body jumps land inside the body (at the loop's increment at the latest) or at the end.
    const std::size_t end = loop_bound > 0 ? code.size() - 2 : code.size();
    for (std::size_t at : jumps) {
        auto& j = std::get<Jmp>(code[at]);
        const std::size_t span = end - at;  // 1..span: the target is at + 1 + offset <= end
        j.offset = static_cast<std::int16_t>(rng() % span);
    }
    const std::size_t exit_at = code.size();
    for (std::size_t at : exits)
        std::get<Jmp>(code[at]).offset = static_cast<std::int16_t>(exit_at - at - 1);
    Alu zero;
    zero.op = AluOp::Mov;
    zero.dst = 0;
    code.push_back(zero);
    code.push_back(Exit{});
    std::string text = ".type raw_tracepoint\n";
    for (const Instruction& insn : code) text += print_instruction(insn, Syntax::Linux) + "\n";
    return text;
}

}  // namespace

TEST_CASE("soundness: corpus programs accepted by a domain run inside its invariants") {
    // BPFLAB_SOUNDNESS_RUNS=N, BPFLAB_SOUNDNESS_SEED=S and BPFLAB_SOUNDNESS_DOMAINS=all widen
    // the default sweep; BPFLAB_SOUNDNESS_VERBOSE=1 prints one line per (program, domain).
    std::vector<std::string> domains = {"zone+tnum", "interval", "kernel"};
    const auto known = verifier_domains();
    for (const std::string& d : domains)
        REQUIRE(std::find(known.begin(), known.end(), d) != known.end());
    if (const char* all = std::getenv("BPFLAB_SOUNDNESS_DOMAINS"); all && std::string(all) == "all")
        domains = known;
    SoundnessOptions opt;
    opt.runs = 20;
    if (const char* n = std::getenv("BPFLAB_SOUNDNESS_RUNS")) opt.runs = std::max(1, std::atoi(n));
    if (const char* seed = std::getenv("BPFLAB_SOUNDNESS_SEED"))
        opt.seed = std::strtoull(seed, nullptr, 0);
    const bool verbose = std::getenv("BPFLAB_SOUNDNESS_VERBOSE") != nullptr;
    std::map<std::string, int> programs;
    int runs = 0, jit_runs = 0, violations = 0, faults = 0;
    std::uint64_t points = 0;
    std::size_t fact_points = 0, reached_points = 0;
    for (const CorpusFile& f : corpus_files()) {
        const Object obj = load(f);
        for (std::size_t i = 0; i < obj.programs.size(); ++i) {
            for (const std::string& d : domains) {
                const ProgramResult res = verify_with_facts(obj, obj.programs[i], d);
                if (!res.pass) continue;
                const SoundnessReport rep = check_runs(obj, i, res, opt);
                CHECK_MESSAGE(rep.violation_count == 0, f.path, " ", obj.programs[i].name,
                              " domain ", d, ": ", rep.violation_count, " violations",
                              describe(rep));
                CHECK_MESSAGE(rep.jit_mismatches == 0, f.path, " ", obj.programs[i].name,
                              describe(rep));
                CHECK(rep.runs == opt.runs);
                CHECK(rep.checked_points > 0);
                ++programs[d];
                runs += rep.runs;
                jit_runs += rep.jit_runs;
                points += rep.checked_points;
                violations += rep.violation_count;
                faults += rep.faults;
                fact_points += rep.fact_points;
                reached_points += rep.reached_points;
                if (verbose)
                    std::cout << d << " " << f.path.substr(f.path.rfind('/') + 1) << ":"
                              << obj.programs[i].name << " points " << rep.checked_points
                              << " reached " << rep.reached_points << "/" << rep.fact_points
                              << " violations " << rep.violation_count << " jit "
                              << (rep.jit_error.empty() ? std::to_string(rep.jit_runs)
                                                        : rep.jit_error)
                              << "\n";
            }
        }
    }
    std::string per;
    for (const auto& [d, n] : programs) per += " " + d + "=" + std::to_string(n);
    MESSAGE("soundness: programs checked per domain:"
            << per << "; " << runs << " interpreter runs, " << jit_runs << " JIT runs, " << points
            << " points checked, " << faults << " faults, " << violations << " violations");
    for (const std::string& d : domains) CHECK(programs[d] > 0);
}

TEST_CASE("soundness: random ALU and branch programs stay inside every domain's invariants") {
    // BPFLAB_SOUNDNESS_RANDOM=N programs (default 24) of 24 operations, 40 runs each.
    int programs = 24;
    if (const char* n = std::getenv("BPFLAB_SOUNDNESS_RANDOM"))
        programs = std::max(1, std::atoi(n));
    const auto dir =
        std::filesystem::temp_directory_path() / ("bpflab_soundness_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::mt19937_64 rng(0x50d5);
    SoundnessOptions opt;
    opt.runs = 40;
    opt.jit = false;
    std::map<std::string, int> accepted;
    std::uint64_t points = 0;
    int rejected = 0;
    for (int k = 0; k < programs; ++k) {
        // Every third program runs its body in a loop of 2-7 iterations.
        const std::string text =
            random_program(rng, 24, k % 3 == 2 ? 2 + static_cast<int>(rng() % 6) : 0);
        const auto path = dir / ("random_" + std::to_string(k) + ".s");
        std::ofstream(path) << text;
        LoadOptions lo;
        auto obj = load_file(path.string(), lo);
        REQUIRE_MESSAGE(obj.has_value(), (obj ? std::string{} : obj.error().to_string()), "\n",
                        text);
        for (const std::string& d : verifier_domains()) {
            const ProgramResult res = verify_with_facts(*obj, obj->programs.front(), d);
            if (!res.pass) {
                ++rejected;
                continue;
            }
            ++accepted[d];
            const SoundnessReport rep = check_runs(*obj, 0, res, opt);
            points += rep.checked_points;
            CHECK_MESSAGE(rep.sound(), "domain ", d, ": ", describe(rep), "\nprogram:\n", text);
        }
    }
    std::filesystem::remove_all(dir);
    std::string per;
    for (const auto& [d, n] : accepted) per += " " + d + "=" + std::to_string(n);
    MESSAGE("random programs: " << programs << ", accepted per domain:" << per << " (" << rejected
                                << " (program, domain) rejections); " << points
                                << " points checked");
}

TEST_CASE("soundness: zone domains without the kernel-style packet range") {
    // Programs the relational domains accept on their own (`--no-packet-range`).
    SoundnessOptions opt;
    opt.runs = 20;
    int checked = 0;
    for (const CorpusFile& f : corpus_files()) {
        const Object obj = load(f);
        for (std::size_t i = 0; i < obj.programs.size(); ++i) {
            const ProgramTypeInfo* type = program_type_info(obj.programs[i].prog_type);
            if (type == nullptr || !type->direct_packet_access) continue;
            for (const char* d : {"zone", "zone+tnum"}) {
                VerifyOptions vo;
                vo.domain = d;
                vo.record_facts = true;
                vo.check.packet_range = false;
                const ProgramResult res = verify_program(obj, obj.programs[i], vo);
                if (!res.pass) continue;
                const SoundnessReport rep = check_runs(obj, i, res, opt);
                CHECK_MESSAGE(rep.sound(), f.path, " ", obj.programs[i].name, " domain ", d,
                              " without packet range: ", describe(rep));
                ++checked;
            }
        }
    }
    MESSAGE("soundness without packet range: " << checked << " (program, domain) pairs checked");
}

TEST_CASE("soundness: inputs are deterministic under the seed and vary across runs") {
    const Object obj = load({corpus_test::object_path("xdp_count"), ""});
    const Program& p = obj.programs.front();
    CHECK(soundness_input(p, 7, 3).packet == soundness_input(p, 7, 3).packet);
    std::vector<std::size_t> sizes;
    for (int run = 0; run < 100; ++run) sizes.push_back(soundness_input(p, 7, run).packet.size());
    CHECK(*std::min_element(sizes.begin(), sizes.end()) < 14);
    CHECK(*std::max_element(sizes.begin(), sizes.end()) > 200);
    CHECK(std::count_if(sizes.begin(), sizes.end(), [](std::size_t n) { return n <= 80; }) >= 20);
}

TEST_CASE("soundness: a wrong invariant is reported") {
    // The first accepted program in which a nonzero scalar occurs at a scalar-only fact.
    std::optional<Object> obj;
    std::size_t index = 0;
    ProgramResult res;
    std::optional<Sighting> seen;
    for (const CorpusFile& f : corpus_files()) {
        Object o = load(f);
        for (std::size_t i = 0; i < o.programs.size() && !seen; ++i) {
            res = verify_with_facts(o, o.programs[i], "zone+tnum");
            if (!res.pass) continue;
            seen = find_scalar(o, i, res);
            index = i;
        }
        if (seen) {
            obj.emplace(std::move(o));
            break;
        }
    }
    REQUIRE(seen.has_value());
    CAPTURE(obj->programs[index].name);
    CAPTURE(seen->pc);
    SoundnessOptions opt;
    opt.runs = 3;
    opt.jit = false;
    REQUIRE(check_runs(*obj, index, res, opt).violation_count == 0);

    SUBCASE("an upper bound below a value that occurs") {
        ProgramResult bad = res;
        for (PointFacts& p : bad.facts)
            if (p.pc == seen->pc && p.frame == seen->frame) {
                RegFact& f = p.regs[seen->reg];
                f.umax = seen->value - 1;
                f.umin = std::min(f.umin, f.umax);
            }
        const SoundnessReport rep = check_runs(*obj, index, bad, opt);
        REQUIRE(rep.violation_count > 0);
        const Violation& v = rep.violations.front();
        CHECK(v.pc == seen->pc);
        CHECK(v.what.find("unsigned bounds") != std::string::npos);
        MESSAGE("planted in " << obj->programs[index].name << ":" << describe(rep));
        CHECK(!v.concrete.empty());
        CHECK(!v.invariant.empty());
        CHECK(!v.input.empty());
    }
    SUBCASE("known bits that contradict the value") {
        ProgramResult bad = res;
        for (PointFacts& p : bad.facts)
            if (p.pc == seen->pc && p.frame == seen->frame) {
                p.regs[seen->reg].known_mask = 0;
                p.regs[seen->reg].known_value = 0;
                p.regs[seen->reg].umin = 0;
                p.regs[seen->reg].smin = INT64_MIN;
            }
        const SoundnessReport rep = check_runs(*obj, index, bad, opt);
        REQUIRE(rep.violation_count > 0);
        const std::string& what = rep.violations.front().what;
        const bool bits_or_bounds = what.find("bounds") != std::string::npos ||
                                    what.find("known bits") != std::string::npos;
        CHECK(bits_or_bounds);
    }
    SUBCASE("a wrong kind") {
        ProgramResult bad = res;
        for (PointFacts& p : bad.facts)
            if (p.pc == seen->pc && p.frame == seen->frame)
                p.regs[seen->reg].kinds = KindSet(Kind::Ctx);
        const SoundnessReport rep = check_runs(*obj, index, bad, opt);
        REQUIRE(rep.violation_count > 0);
        CHECK(rep.violations.front().what.find("allows only ctx") != std::string::npos);
    }
    SUBCASE("a wrong context beside a right one at the same pc is no violation") {
        ProgramResult two = res;
        std::vector<PointFacts> extra;
        for (const PointFacts& p : two.facts)
            if (p.pc == seen->pc && p.frame == seen->frame) {
                PointFacts wrong = p;
                wrong.regs[seen->reg].kinds = KindSet(Kind::Ctx);
                extra.push_back(wrong);
            }
        REQUIRE(!extra.empty());
        two.facts.insert(two.facts.begin(), extra.begin(), extra.end());
        CHECK(check_runs(*obj, index, two, opt).violation_count == 0);
    }
    SUBCASE("an instruction the facts call unreachable") {
        ProgramResult bad = res;
        std::erase_if(bad.facts, [&](const PointFacts& p) {
            return p.pc == seen->pc && p.frame == seen->frame;
        });
        const SoundnessReport rep = check_runs(*obj, index, bad, opt);
        REQUIRE(rep.violation_count > 0);
        CHECK(rep.violations.front().invariant == "unreachable");
    }
    SUBCASE("an accepted program without facts is refused") {
        ProgramResult bad = res;
        bad.facts.clear();
        CHECK_THROWS_AS((void)check_runs(*obj, index, bad, opt), std::invalid_argument);
    }
}

}  // namespace bpflab::verify
