; map_null_missing: Dereferences the result of a hash map lookup without a NULL check.
; expected: reject (null-deref), kernel says "invalid mem access 'map_value_or_null'"
.type xdp
.map vals hash key=4 value=16 entries=8

*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
r0 = *(u64 *)(r0 + 0)       ; BUG: r0 may be NULL
r0 = 2
exit
