; loop_overrun_after_unroll: Zeroes a 16-byte stack buffer one byte per iteration, but runs 20 iterations: the 17th writes at fp+0. The first 16 iterations are safe, so unrolling them must not hide the later ones.
; expected: reject (stack-bounds), kernel says "invalid write to stack R1 off=0 size=1"
.type xdp

r6 = 0
loop:
r1 = r10
r1 += -16
r1 += r6
*(u8 *)(r1 + 0) = 0      ; BUG: r6 runs to 19, the buffer is fp-16 .. fp-1
r6 += 1
if r6 < 20 goto loop
r0 = 2
exit
