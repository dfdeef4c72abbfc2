; map_null_check_other: Two lookups; the second result is checked, the first one is dereferenced.
; expected: reject (null-deref), kernel says "invalid mem access 'map_value_or_null'"
.type xdp
.map vals hash key=4 value=16 entries=8

*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
r7 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out         ; checks the second lookup only
r0 = *(u64 *)(r7 + 0)       ; BUG: r7 may still be NULL
out:
r0 = 2
exit
