; signed_check_only: A signed upper check (r6 s<= 63) leaves r6 negative (huge as unsigned); the map value offset may be below the value.
; expected: reject (map-value-bounds), kernel says "math between map_value pointer and register with unbounded min value is not allowed"
.type xdp
.map vals array key=4 value=64 entries=1

call 7
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
if r6 s> 63 goto out        ; BUG: no lower bound, r6 may be negative
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
