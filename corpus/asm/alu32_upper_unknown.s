; alu32_upper_unknown: A 32-bit check (w6 <= 63) on a 64-bit value says nothing about its upper half; using r6 as a map value offset is out of bounds.
; expected: reject (map-value-bounds), kernel says "math between map_value pointer and register with unbounded min value is not allowed"
.type xdp
.map vals array key=4 value=64 entries=1

call 7
r6 = r0                     ; 64-bit move: the upper half stays unknown
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
if w6 > 63 goto out         ; bounds only the low 32 bits
r0 += r6                    ; BUG: r6 may be up to 2^64 - 1
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
