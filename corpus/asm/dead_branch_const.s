; dead_branch_const: An unsafe access (r0 dereferenced as a pointer while it is a scalar) under a branch that a constant makes dead.
; expected: accept (dead-branch)
.type xdp

r1 = 5
r0 = 2
if r1 > 10 goto bad         ; never taken
exit
bad:
r0 = *(u64 *)(r0 + 0)       ; unsafe if it were reachable
exit
