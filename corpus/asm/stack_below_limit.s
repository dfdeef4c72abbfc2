; stack_below_limit: Writes below the 512-byte stack frame.
; expected: reject (stack-bounds), kernel says "invalid write to stack R10 off=-520 size=8"
.type xdp

*(u64 *)(r10 - 520) = 0     ; BUG: the frame is fp-512 .. fp-1
r0 = 2
exit
