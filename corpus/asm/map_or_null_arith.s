; map_or_null_arith: Arithmetic on a map value pointer before its NULL check is prohibited.
; expected: reject (pointer-arith), kernel says "pointer arithmetic on map_value_or_null prohibited"
.type xdp
.map vals hash key=4 value=16 entries=8

*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
r0 += 8                     ; BUG: r0 is map_value_or_null
if r0 == 0 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
