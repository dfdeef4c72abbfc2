; ctx_write_len: Writes __sk_buff.len, which is read-only.
; expected: reject (ctx-field), kernel says "invalid bpf_context access off=0 size=4"
.type sched_cls

*(u32 *)(r1 + 0) = 0        ; BUG: len is read-only
r0 = 0
exit
