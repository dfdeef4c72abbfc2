; ctx_write_mark: Writes __sk_buff.mark (offset 8), which tc programs may set, and reads len.
; expected: accept (ctx-field)
.type sched_cls

r2 = *(u32 *)(r1 + 0)
*(u32 *)(r1 + 8) = r2
r0 = 0
exit
