// SPDX-License-Identifier: Apache-2.0
// bpflab: loading and running programs in the running kernel through bpf(2) (via libbpf).
#include "checker/kernel.hpp"

#include "checker/kernel_btf.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace bpflab::kernel {
namespace {

static_assert(sizeof(bpf_insn) == sizeof(RawInsn));

constexpr std::size_t kLogSize = 64u << 20;

std::string kernel_name(const std::string& name) {
    std::string out;
    for (char c : name) {
        if (out.size() == BPF_OBJ_NAME_LEN - 1) break;
        out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.') ? c : '_';
    }
    return out;
}

std::string last_error_line(const std::string& log) {
    std::istringstream in(log);
    std::string line, last;
    std::vector<std::string> lines;
    while (std::getline(in, line)) lines.push_back(line);
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        const std::string& l = *it;
        if (l.empty() || l.rfind("processed ", 0) == 0 || l.rfind("verification time", 0) == 0 ||
            l.rfind("stack depth", 0) == 0 || l.find("END PROG LOAD LOG") != std::string::npos)
            continue;
        return l;
    }
    return {};
}

std::uint32_t processed_insns(const std::string& log) {
    const auto p = log.rfind("processed ");
    if (p == std::string::npos) return 0;
    return static_cast<std::uint32_t>(std::strtoul(log.c_str() + p + 10, nullptr, 10));
}

}  // namespace

bool available(std::string* why) {
    static const std::pair<bool, std::string> probe = [] {
        const bpf_insn prog[2] = {{BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
                                  {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}};
        const int fd =
            bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, "bpflab_probe", "GPL", prog, 2, nullptr);
        if (fd >= 0) {
            close(fd);
            return std::pair{true, std::string{}};
        }
        const int err = errno;
        std::string reason = "BPF_PROG_LOAD of a trivial program failed: ";
        reason += std::strerror(err);
        if (geteuid() != 0) reason += " (not running as root)";
        return std::pair{false, reason};
    }();
    if (why != nullptr) *why = probe.second;
    return probe.first;
}

Session::Session(const Object& object) : object_(&object) {}

Expected<Session> Session::create(const Object& object) {
    Session s(object);
    const bool elf = !object.programs.empty() && !object.programs.front().section.empty();
    if (elf) {
        s.btf_ = std::make_unique<ObjectBtf>();
        if (!s.btf_->load(object.path)) s.btf_.reset();  // programs then load without BTF
    }
    s.prog_fds_.assign(object.programs.size(), -1);
    for (const MapDef& m : object.maps) {
        if (m.inner_map)
            return Diagnostic{"map '" + m.name + "': maps of maps are not supported by the oracle",
                              std::nullopt, object.path};
        bpf_map_create_opts opts{};
        opts.sz = sizeof opts;
        opts.map_flags = m.flags;
        const int fd =
            bpf_map_create(static_cast<bpf_map_type>(m.type), kernel_name(m.name).c_str(),
                           m.key_size, m.value_size, m.max_entries, &opts);
        if (fd < 0)
            return Diagnostic{
                "creating map '" + m.name + "' in the kernel failed: " + std::strerror(errno),
                std::nullopt, object.path};
        s.map_fds_.push_back(fd);
        if (m.origin == MapOrigin::GlobalData && !m.initial_value.empty()) {
            const std::uint32_t zero = 0;
            std::vector<std::uint8_t> value(m.initial_value);
            value.resize(m.value_size, 0);
            if (bpf_map_update_elem(fd, &zero, value.data(), BPF_ANY) != 0)
                return Diagnostic{"initialising '" + m.name + "' failed: " + std::strerror(errno),
                                  std::nullopt, object.path};
        }
        if (m.origin == MapOrigin::GlobalData && m.read_only()) bpf_map_freeze(fd);
    }
    return s;
}

Session::Session(Session&& other) noexcept
    : object_(other.object_),
      btf_(std::move(other.btf_)),
      map_fds_(std::move(other.map_fds_)),
      prog_fds_(std::move(other.prog_fds_)) {
    other.map_fds_.clear();
    other.prog_fds_.clear();
}

Session::~Session() {
    for (int fd : prog_fds_)
        if (fd >= 0) close(fd);
    for (int fd : map_fds_)
        if (fd >= 0) close(fd);
}

LoadResult Session::load(std::size_t index, int log_level) {
    const Program& prog = object_->programs.at(index);
    LoadResult r;
    std::vector<RawInsn> code = prog.code.raw;
    for (std::size_t i = 0; i < prog.code.insns.size(); ++i) {
        const auto* l = std::get_if<LdImm64>(&prog.code.insns[i]);
        if (l == nullptr) continue;
        if (l->kind == LdImmKind::MapFd || l->kind == LdImmKind::MapValue) {
            const auto m = static_cast<std::size_t>(l->imm);
            if (m >= map_fds_.size()) {
                r.error = EINVAL;
                r.error_line = "reference to map " + std::to_string(m) + " which does not exist";
                return r;
            }
            code[prog.code.pc[i]].imm = map_fds_[m];
        }
    }
    std::string log(log_level > 0 ? kLogSize : 0, '\0');
    bpf_prog_load_opts opts{};
    opts.sz = sizeof opts;
    opts.expected_attach_type = static_cast<bpf_attach_type>(prog.expected_attach_type);
    opts.log_level = static_cast<std::uint32_t>(log_level);
    opts.log_buf = log_level > 0 ? log.data() : nullptr;
    opts.log_size = log_level > 0 ? static_cast<std::uint32_t>(log.size()) : 0;
    const auto type = prog.prog_type != 0 ? static_cast<bpf_prog_type>(prog.prog_type)
                                          : BPF_PROG_TYPE_SOCKET_FILTER;
    const std::string license =
        prog.license.empty() ? (object_->license.empty() ? "GPL" : object_->license) : prog.license;
    std::vector<bpf_func_info> func_info;
    if (btf_) func_info = btf_->func_info(prog);
    if (!func_info.empty()) {
        opts.prog_btf_fd = static_cast<std::uint32_t>(btf_->fd());
        opts.func_info = func_info.data();
        opts.func_info_cnt = static_cast<std::uint32_t>(func_info.size());
        opts.func_info_rec_size = sizeof(bpf_func_info);
    }
    const auto t0 = std::chrono::steady_clock::now();
    const int fd =
        bpf_prog_load(type, kernel_name(prog.name).c_str(), license.c_str(),
                      reinterpret_cast<const bpf_insn*>(code.data()), code.size(), &opts);
    const int err = errno;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    log.resize(std::strlen(log.c_str()));
    r.log = std::move(log);
    r.verified_insns = processed_insns(r.log);
    if (const auto at = r.log.find("verification time "); at != std::string::npos)
        r.verification_seconds = std::strtod(r.log.c_str() + at + 18, nullptr) * 1e-6;
    if (fd < 0) {
        r.error = err;
        r.error_line = last_error_line(r.log);
        if (r.error_line.empty()) r.error_line = std::strerror(err);
        return r;
    }
    r.accepted = true;
    if (r.verified_insns == 0) {
        bpf_prog_info info{};
        std::uint32_t len = sizeof info;
        if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) r.verified_insns = info.verified_insns;
    }
    if (prog_fds_[index] >= 0) close(prog_fds_[index]);
    prog_fds_[index] = fd;
    return r;
}

Expected<TestRun> Session::test_run(std::size_t index, const std::vector<std::uint8_t>& data,
                                    const std::vector<std::uint8_t>& ctx, int repeat) {
    const int fd = prog_fds_.at(index);
    if (fd < 0) return Diagnostic{"program is not loaded in the kernel", std::nullopt, {}};
    TestRun out;
    out.data_out.assign(data.size() + 4096, 0);
    out.ctx_out.assign(ctx.size(), 0);
    bpf_test_run_opts opts{};
    opts.sz = sizeof opts;
    opts.data_in = data.empty() ? nullptr : data.data();
    opts.data_size_in = static_cast<std::uint32_t>(data.size());
    opts.data_out = data.empty() ? nullptr : out.data_out.data();
    opts.data_size_out = data.empty() ? 0 : static_cast<std::uint32_t>(out.data_out.size());
    opts.ctx_in = ctx.empty() ? nullptr : ctx.data();
    opts.ctx_size_in = static_cast<std::uint32_t>(ctx.size());
    opts.ctx_out = ctx.empty() ? nullptr : out.ctx_out.data();
    opts.ctx_size_out = static_cast<std::uint32_t>(ctx.size());
    opts.repeat = repeat;
    if (bpf_prog_test_run_opts(fd, &opts) != 0)
        return Diagnostic{std::string("BPF_PROG_TEST_RUN failed: ") + std::strerror(errno),
                          std::nullopt, object_->path};
    out.retval = opts.retval;
    out.duration_ns = opts.duration;
    out.data_out.resize(opts.data_size_out);
    out.ctx_out.resize(opts.ctx_size_out);
    return out;
}

bool Session::update(std::size_t map, const std::vector<std::uint8_t>& key,
                     const std::vector<std::uint8_t>& value) {
    return bpf_map_update_elem(map_fds_.at(map), key.data(), value.data(), BPF_ANY) == 0;
}

std::optional<std::vector<std::uint8_t>> Session::lookup(
    std::size_t map, const std::vector<std::uint8_t>& key) const {
    std::vector<std::uint8_t> value(object_->maps.at(map).value_size);
    if (bpf_map_lookup_elem(map_fds_.at(map), key.data(), value.data()) != 0) return std::nullopt;
    return value;
}

std::vector<std::pair<std::vector<std::uint8_t>, std::vector<std::uint8_t>>> Session::entries(
    std::size_t map) const {
    std::vector<std::pair<std::vector<std::uint8_t>, std::vector<std::uint8_t>>> out;
    const MapDef& def = object_->maps.at(map);
    if (def.key_size == 0) return out;
    std::vector<std::uint8_t> key(def.key_size), next(def.key_size);
    const void* prev = nullptr;
    while (bpf_map_get_next_key(map_fds_.at(map), prev, next.data()) == 0) {
        if (auto v = lookup(map, next)) out.emplace_back(next, *v);
        key = next;
        prev = key.data();
    }
    return out;
}

}  // namespace bpflab::kernel
