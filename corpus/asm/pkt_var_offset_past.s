; pkt_var_offset_past: As pkt_var_offset, but reads 2 bytes where only 1 was checked: one byte past the checked range.
; expected: reject (packet-bounds), kernel says "invalid access to packet"
.type xdp

r2 = *(u32 *)(r1 + 0)       ; data
r3 = *(u32 *)(r1 + 4)       ; data_end
r0 = 2
r4 = r2
r4 += 1
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 0)
r5 &= 15
r6 = r2
r6 += r5
r4 = r6
r4 += 1
if r4 > r3 goto out
r0 = *(u16 *)(r6 + 0)       ; BUG: one byte past the checked range
r0 = 2
out:
exit
