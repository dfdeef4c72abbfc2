; pointer_mul: Multiplies the context pointer: only addition and subtraction of scalars are allowed on pointers.
; expected: reject (pointer-arith), kernel says "pointer arithmetic with *= operator prohibited"
.type xdp

r1 *= 2                     ; BUG: multiplication of a pointer
r0 = 2
exit
