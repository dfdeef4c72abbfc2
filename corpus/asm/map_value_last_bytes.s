; map_value_last_bytes: Reads the last 8 bytes of a 16-byte map value (offset 8, size 8).
; expected: accept (map-value-bounds)
.type xdp
.map vals array key=4 value=16 entries=1

*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
r0 = *(u64 *)(r0 + 8)       ; bytes 8 .. 15 of 16
out:
r0 = 2
exit
