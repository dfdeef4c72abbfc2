; uninit_r0_exit: Exits without setting r0 on one path.
; expected: reject (uninit-register), kernel says "R0 !read_ok"
.type xdp

r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
if r2 == r3 goto done       ; empty packet: skip the assignment
r0 = 2
done:
exit                        ; BUG: r0 unset when the packet is empty
