; pkt_check_reversed: The bounds check written the other way round (data_end < data + 8 exits), then an 8-byte read.
; expected: accept (packet-bounds)
.type xdp

r2 = *(u32 *)(r1 + 0)       ; data
r3 = *(u32 *)(r1 + 4)       ; data_end
r0 = 2
r4 = r2
r4 += 8
if r3 < r4 goto out
r5 = *(u64 *)(r2 + 0)
out:
exit
