; dead_branch_range: A branch made dead by a range fact (r6 & 7 <= 7) guards an uninitialised register read.
; expected: accept (dead-branch)
.type xdp

call 7
r6 = r0
r6 &= 7
r0 = 2
if r6 > 7 goto bad          ; dead: r6 in [0, 7]
exit
bad:
r0 = r9                     ; uninitialised, unsafe if reachable
exit
