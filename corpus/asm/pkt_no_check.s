; pkt_no_check: Reads the first packet byte without any data_end check.
; expected: reject (packet-bounds), kernel says "invalid access to packet, off=0 size=1"
.type xdp

r2 = *(u32 *)(r1 + 0)       ; data
r3 = *(u32 *)(r1 + 4)       ; data_end
r0 = *(u8 *)(r2 + 0)        ; BUG: no bounds check
r0 = 2
exit
