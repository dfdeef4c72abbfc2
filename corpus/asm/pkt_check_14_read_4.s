; pkt_check_14_read_4: data + 14 > data_end check, then a 4-byte read at offset 12: two bytes past the checked range.
; expected: reject (packet-bounds), kernel says "invalid access to packet, off=12 size=4"
.type xdp

r2 = *(u32 *)(r1 + 0)       ; data
r3 = *(u32 *)(r1 + 4)       ; data_end
r0 = 2
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 12)      ; BUG: bytes 12 .. 15, only 14 checked
r0 = 2
out:
exit
