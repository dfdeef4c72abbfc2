; alu32_and_zext: w6 &= 63 clears the upper half (32-bit ALU results are zero-extended), so r6 in [0, 63] indexes a 64-byte map value.
; expected: accept (alu32-bounds)
.type xdp
.map vals array key=4 value=64 entries=1

call 7
r6 = r0
w6 &= 63                    ; zero-extended: r6 in [0, 63]
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
