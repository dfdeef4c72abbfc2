; pkt_wrong_branch: Reads on the side of the check where the packet is too short.
; expected: reject (packet-bounds), kernel says "invalid access to packet"
.type xdp

r2 = *(u32 *)(r1 + 0)       ; data
r3 = *(u32 *)(r1 + 4)       ; data_end
r0 = 2
r4 = r2
r4 += 4
if r4 <= r3 goto out
r0 = *(u32 *)(r2 + 0)       ; BUG: here data + 4 > data_end
r0 = 2
out:
exit
