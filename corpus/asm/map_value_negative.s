; map_value_negative: Moves a map value pointer 4 bytes back and reads there.
; expected: reject (map-value-bounds), kernel says "invalid access to map value, value_size=16 off=-4 size=4"
.type xdp
.map vals array key=4 value=16 entries=1

*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
r0 += -4
r0 = *(u32 *)(r0 + 0)       ; BUG: before the value
out:
r0 = 2
exit
