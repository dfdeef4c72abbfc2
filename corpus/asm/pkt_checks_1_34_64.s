; pkt_checks_1_34_64: Three nested checks (1, 34, 64 bytes), each followed by a read at its last byte.
; expected: accept (packet-bounds)
.type xdp

r2 = *(u32 *)(r1 + 0)       ; data
r3 = *(u32 *)(r1 + 4)       ; data_end
r0 = 2
r4 = r2
r4 += 1
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 0)
r4 = r2
r4 += 34
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 33)
r4 = r2
r4 += 64
if r4 > r3 goto out
r5 = *(u64 *)(r2 + 56)
out:
exit
