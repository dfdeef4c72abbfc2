// SPDX-License-Identifier: Apache-2.0
// Tests for core/platform.hpp: program type tables and helper prototypes.
#include <doctest/doctest.h>

#include <linux/bpf.h>

#include "core/platform.hpp"

namespace bpflab {

TEST_CASE("helper prototypes: sorted, at least 50, names agree with the UAPI list") {
    const auto protos = helper_protos();
    CHECK(protos.size() >= 50);
    for (std::size_t i = 0; i < protos.size(); ++i) {
        CAPTURE(protos[i].name);
        if (i > 0) CHECK(protos[i - 1].id < protos[i].id);
        REQUIRE(helper_name(protos[i].id).has_value());
        CHECK(*helper_name(protos[i].id) == protos[i].name);
        CHECK(helper_proto(protos[i].id) == &protos[i]);
    }
    CHECK(helper_proto(BPF_FUNC_map_lookup_elem)->ret == RetKind::MapValueOrNull);
    CHECK(helper_name(BPF_FUNC_user_ringbuf_drain) == "user_ringbuf_drain");
    CHECK_FALSE(helper_name(0).has_value());
    CHECK_FALSE(helper_name(100000).has_value());
    CHECK(helper_proto(100000) == nullptr);
}

TEST_CASE("context layouts: XDP and __sk_buff fields, access rules per type") {
    const auto* xdp = program_type_info(BPF_PROG_TYPE_XDP);
    REQUIRE(xdp != nullptr);
    CHECK(xdp->ctx_size == 24);
    CHECK(find_ctx_field(*xdp, 4)->kind == CtxFieldKind::PacketEnd);
    CHECK(find_ctx_field(*xdp, 24) == nullptr);

    const auto* sf = program_type_info(BPF_PROG_TYPE_SOCKET_FILTER);
    const auto* tc = program_type_info(BPF_PROG_TYPE_SCHED_CLS);
    REQUIRE(sf != nullptr);
    REQUIRE(tc != nullptr);
    CHECK_FALSE(sf->direct_packet_access);
    CHECK(tc->direct_packet_access);
    CHECK(find_ctx_field(*sf, 76) == nullptr);  // data is not readable from socket filters
    CHECK(find_ctx_field(*tc, 76)->kind == CtxFieldKind::PacketStart);
    CHECK(find_ctx_field(*tc, 8)->writable);    // mark
    CHECK_FALSE(find_ctx_field(*sf, 8)->writable);
    CHECK(find_ctx_field(*sf, 48 + 19)->name == "cb");
    for (auto t : {BPF_PROG_TYPE_KPROBE, BPF_PROG_TYPE_TRACEPOINT, BPF_PROG_TYPE_RAW_TRACEPOINT,
                   BPF_PROG_TYPE_PERF_EVENT, BPF_PROG_TYPE_CGROUP_SKB, BPF_PROG_TYPE_SCHED_ACT})
        CHECK(program_type_info(t) != nullptr);
    CHECK(program_type_info(BPF_PROG_TYPE_LSM) == nullptr);
}

}  // namespace bpflab
