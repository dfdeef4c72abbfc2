; signed_then_unsigned: An unsigned check (r6 <= 63) after a useless signed one bounds r6; the signed check must not confuse the unsigned bound.
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
if r6 s< -5 goto out        ; says nothing useful
if r6 > 63 goto out         ; unsigned: r6 in [0, 63]
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
