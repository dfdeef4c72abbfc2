; pkt_var_offset: Variable-offset packet access: a masked index (0..15) added to data, then a check of the moved pointer + 1 before a 1-byte read.
; expected: accept (packet-bounds)
.type xdp

r2 = *(u32 *)(r1 + 0)       ; data
r3 = *(u32 *)(r1 + 4)       ; data_end
r0 = 2
r4 = r2
r4 += 1
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 0)        ; the index comes from the packet
r5 &= 15
r6 = r2
r6 += r5                    ; data + [0, 15]
r4 = r6
r4 += 1
if r4 > r3 goto out
r0 = *(u8 *)(r6 + 0)
r0 &= 1
r0 += 1
out:
exit
