; jmp32_signed_zext: w6 = w0 then a 32-bit signed check (w6 s<= 63): negative 32-bit values pass and are large once zero-extended.
; expected: reject (signed-unsigned), kernel says "R0 unbounded memory access"
.type xdp
.map vals array key=4 value=64 entries=1

call 7
w6 = w0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
if w6 s> 63 goto out        ; BUG: w6 in [0x80000000, 0xffffffff] passes
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
