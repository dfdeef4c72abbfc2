; fill_partial_pointer: A spilled pointer slot with one byte overwritten fills back as a scalar; dereferencing it is rejected.
; expected: reject (spill-fill), kernel says "invalid mem access 'scalar'"
.type xdp
.map vals array key=4 value=16 entries=1

*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
*(u64 *)(r10 - 16) = r0     ; spill the pointer
*(u8 *)(r10 - 16) = 0       ; overwrite one byte of the slot
r1 = *(u64 *)(r10 - 16)     ; fill: now only a scalar
r0 = *(u64 *)(r1 + 0)       ; BUG: dereferences a scalar
out:
r0 = 2
exit
