; spill_fill_pointer: A checked map value pointer spilled to the stack and filled back is still a map value pointer and may be dereferenced.
; expected: accept (spill-fill)
.type xdp
.map vals array key=4 value=16 entries=1

*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
*(u64 *)(r10 - 16) = r0     ; spill the pointer
r0 = 0
r1 = *(u64 *)(r10 - 16)     ; fill it back
r0 = *(u64 *)(r1 + 8)
out:
r0 = 2
exit
