// SPDX-License-Identifier: Apache-2.0
// bpflab bench: a branchy state machine over the frame's payload — a lexer for HTTP/1.x request
// heads (method, target, version, header names and values, line ends) that counts what it
// recognises and folds every transition into a digest.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define PAYLOAD_OFFSET 54  // Ethernet (14) + IPv4 (20) + TCP (20)
#define MAX_BYTES 900

enum {
    S_METHOD,
    S_TARGET,
    S_VERSION,
    S_LINE_END,
    S_NAME,
    S_VALUE_SPACE,
    S_VALUE,
    S_ERROR,
};

SEC("xdp")
int state_machine(struct xdp_md *ctx) {
    __u8 *data = (void *)(long)ctx->data;
    __u8 *end = (void *)(long)ctx->data_end;
    __u32 state = S_METHOD;
    __u32 digest = 0x811c9dc5;
    __u32 headers = 0, upper = 0, digits = 0, slashes = 0, errors = 0;
#pragma clang loop unroll(disable)
    for (__u32 i = 0; i < MAX_BYTES; i++) {
        __u8 *p = data + PAYLOAD_OFFSET + i;
        if (p + 1 > end) break;
        __u8 c = *p;
        __u32 next = state;
        if (state == S_METHOD) {
            if (c >= 'A' && c <= 'Z') upper++;
            else if (c == ' ') next = S_TARGET;
            else next = S_ERROR;
        } else if (state == S_TARGET) {
            if (c == '/') slashes++;
            else if (c == ' ') next = S_VERSION;
            else if (c < 0x21 || c > 0x7e) next = S_ERROR;
        } else if (state == S_VERSION) {
            if (c >= '0' && c <= '9') digits++;
            else if (c == '\r') next = S_LINE_END;
            else if (c != 'H' && c != 'T' && c != 'P' && c != '/' && c != '.') next = S_ERROR;
        } else if (state == S_LINE_END) {
            next = c == '\n' ? S_NAME : S_ERROR;
        } else if (state == S_NAME) {
            if (c == ':') {
                headers++;
                next = S_VALUE_SPACE;
            } else if (c == '\r') {
                next = S_LINE_END;
            } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-')) {
                next = S_ERROR;
            }
        } else if (state == S_VALUE_SPACE) {
            next = c == ' ' ? S_VALUE_SPACE : c == '\r' ? S_LINE_END : S_VALUE;
        } else if (state == S_VALUE) {
            if (c == '\r') next = S_LINE_END;
            else if (c >= '0' && c <= '9') digits++;
        } else {
            errors++;
            if (c == '\n') next = S_NAME;
        }
        digest = (digest ^ (c + (next << 8))) * 0x01000193;
        state = next;
    }
    return (int)(digest ^ (headers << 24) ^ (upper << 16) ^ (digits << 8) ^ slashes ^
                 (errors << 12) ^ state);
}

char LICENSE[] SEC("license") = "GPL";
