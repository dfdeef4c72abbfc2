; pkt_check_14: data + 14 > data_end check, then a 2-byte read at offset 12 (the EtherType).
; expected: accept (packet-bounds)
.type xdp

r2 = *(u32 *)(r1 + 0)       ; data
r3 = *(u32 *)(r1 + 4)       ; data_end
r0 = 2
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = *(u16 *)(r2 + 12)
r0 &= 1
r0 += 1
out:
exit
