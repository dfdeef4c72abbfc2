; map_value_ptr_arith: Constant pointer arithmetic forth and back on a map value (+12, -4) and a write at the resulting offset 8.
; expected: accept (map-value-bounds)
.type xdp
.map vals array key=4 value=16 entries=1

*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
r0 += 12
r0 += -4
*(u64 *)(r0 + 0) = 1        ; offset 8, size 8: in bounds
out:
r0 = 2
exit
