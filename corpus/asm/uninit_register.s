; uninit_register: Reads r3, which is never written (only r1 and r10 are set on entry).
; expected: reject (uninit-register), kernel says "R3 !read_ok"
.type xdp

r0 = r3                     ; BUG: r3 is uninitialised
exit
