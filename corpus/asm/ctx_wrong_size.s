; ctx_wrong_size: Reads xdp_md.data (a 4-byte field) with an 8-byte load.
; expected: reject (ctx-field), kernel says "invalid bpf_context access off=0 size=8"
.type xdp

r0 = *(u64 *)(r1 + 0)       ; BUG: data is a __u32
r0 = 2
exit
