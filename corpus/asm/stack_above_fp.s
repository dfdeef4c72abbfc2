; stack_above_fp: Writes at fp+0, above the frame.
; expected: reject (stack-bounds), kernel says "invalid write to stack R10 off=0 size=8"
.type xdp

*(u64 *)(r10 + 0) = 0       ; BUG: fp itself is past the frame
r0 = 2
exit
