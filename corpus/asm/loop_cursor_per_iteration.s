; loop_cursor_per_iteration: Four times, moves a map value pointer on by 8 plus a loaded byte masked to 0..7, and reads a byte there: every offset stays in the 64-byte value, which a non-relational domain proves only with each iteration apart (unrolled).
; expected: accept (bounded-loop)
.type xdp
.map vals array key=4 value=64 entries=1

*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
r6 = 4
loop:
r2 = *(u8 *)(r0 + 0)     ; offset at most 3 * 15 = 45
r2 &= 7
r0 += r2
r0 += 8
r6 += -1
if r6 != 0 goto loop
r2 = *(u8 *)(r0 + 0)     ; offset at most 4 * 15 = 60
out:
r0 = 2
exit
