; pkt_end_minus_data: data_end - data gives the packet length as a scalar; it may be returned after masking.
; expected: accept (pointer-arith)
.type xdp

r2 = *(u32 *)(r1 + 0)       ; data
r3 = *(u32 *)(r1 + 4)       ; data_end
r3 -= r2
r0 = r3
r0 &= 1
r0 += 1
exit
