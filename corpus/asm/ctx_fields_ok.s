; ctx_fields_ok: Reads every xdp_md field the kernel allows at its size (data, data_end, data_meta, ingress_ifindex, rx_queue_index).
; expected: accept (ctx-field)
.type xdp

r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = *(u32 *)(r1 + 8)
r5 = *(u32 *)(r1 + 12)
r6 = *(u32 *)(r1 + 16)
r0 = 2
exit
