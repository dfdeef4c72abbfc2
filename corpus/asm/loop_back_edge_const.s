; loop_back_edge_const: A counting loop from 0 to 8 that sums bytes of a 64-byte map value at a loop-varying offset.
; expected: accept (bounded-loop)
.type xdp
.map vals array key=4 value=64 entries=1

*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
r6 = 0
r7 = 0
loop:
r1 = r0
r1 += r6
r2 = *(u8 *)(r1 + 0)
r7 += r2
r6 += 8
if r6 < 64 goto loop
out:
r0 = 2
exit
