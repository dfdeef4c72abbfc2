; ctx_past_end: Reads xdp_md at offset 24, past its last field.
; expected: reject (ctx-field), kernel says "invalid bpf_context access off=24 size=4"
.type xdp

r0 = *(u32 *)(r1 + 24)      ; BUG: xdp_md is 24 bytes
r0 = 2
exit
