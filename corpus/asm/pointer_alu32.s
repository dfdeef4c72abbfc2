; pointer_alu32: 32-bit addition on a packet pointer.
; expected: reject (pointer-arith), kernel says "32-bit pointer arithmetic prohibited"
.type xdp

r2 = *(u32 *)(r1 + 0)       ; data
r3 = *(u32 *)(r1 + 4)       ; data_end
w2 += 1                     ; BUG: 32-bit arithmetic on a pointer
r0 = 2
exit
