; uninit_after_call: Caller-saved registers r1-r5 are clobbered by a helper call; reading r1 after the call is rejected.
; expected: reject (uninit-register), kernel says "R1 !read_ok"
.type xdp

r6 = r1
call 7
r0 = *(u32 *)(r1 + 0)       ; BUG: r1 is scratched by the call
exit
