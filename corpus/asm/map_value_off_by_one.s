; map_value_off_by_one: Reads 4 bytes at offset 13 of a 16-byte map value: one byte past the end.
; expected: reject (map-value-bounds), kernel says "invalid access to map value, value_size=16 off=13 size=4"
.type xdp
.map vals array key=4 value=16 entries=1

*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
r0 = *(u32 *)(r0 + 13)      ; BUG: bytes 13 .. 16, value_size is 16
out:
r0 = 2
exit
