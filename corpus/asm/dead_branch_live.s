; dead_branch_live: As dead_branch_range with the bound one too small (r6 > 6): the branch is live and reads an uninitialised register.
; expected: reject (uninit-register), kernel says "R9 !read_ok"
.type xdp

call 7
r6 = r0
r6 &= 7
r0 = 2
if r6 > 6 goto bad          ; taken when r6 == 7
exit
bad:
r0 = r9                     ; BUG: uninitialised
exit
