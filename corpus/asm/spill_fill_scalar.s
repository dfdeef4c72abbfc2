; spill_fill_scalar: A bounded scalar spilled to the stack and filled back keeps its bounds, so it still indexes the map value safely.
; expected: accept (spill-fill)
.type xdp
.map vals array key=4 value=64 entries=1

call 7
r6 = r0
r6 &= 63
*(u64 *)(r10 - 16) = r6     ; spill a bounded scalar
r6 = 0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
r7 = *(u64 *)(r10 - 16)     ; fill: r7 in [0, 63]
r0 += r7
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
