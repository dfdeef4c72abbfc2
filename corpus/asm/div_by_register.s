; div_by_register: Division and modulo by a register that may be zero: defined in eBPF (x / 0 = 0, x % 0 = x), so accepted.
; expected: accept (division-by-zero-ok)
.type xdp

call 7
r6 = r0
call 7
r7 = r0
r0 = r6
r0 /= r7                    ; r7 may be 0
w6 %= w7                    ; 32-bit modulo, w7 may be 0
r0 += r6
r0 &= 1
r0 += 1
exit
