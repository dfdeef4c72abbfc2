; loop_capped: A loop whose exit depends on an unknown value, capped by a counter (at most 16 iterations).
; expected: accept (bounded-loop)
.type xdp

call 7
r6 = r0                     ; unknown exit value
r7 = 0                      ; counter
r8 = 0
loop:
r8 += 3
if r8 == r6 goto done       ; unknown trip count ...
r7 += 1
if r7 < 16 goto loop        ; ... capped at 16
done:
r0 = 2
exit
