; signed_both_sides: Signed checks on both sides (0 s<= r6 s<= 63) bound r6 as unsigned too.
; expected: accept (signed-unsigned)
.type xdp
.map vals array key=4 value=64 entries=1

call 7
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
if r6 s> 63 goto out
if r6 s< 0 goto out
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
