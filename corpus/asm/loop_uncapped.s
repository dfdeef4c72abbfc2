; loop_uncapped: A loop whose only exit tests a value it does not change: the kernel sees the same state again.
; expected: reject (may-not-terminate), kernel says "infinite loop detected"
.type xdp

call 7
r6 = r0
loop:
r7 = r6
r7 &= 1
if r6 != 0 goto loop        ; BUG: r6 never changes
r0 = 2
exit
