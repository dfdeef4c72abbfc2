; pkt_unbounded_add: Adds an unbounded scalar to a packet pointer.
; expected: reject (pointer-arith), kernel says "math between pkt pointer and register with unbounded min value is not allowed"
.type xdp

r2 = *(u32 *)(r1 + 0)       ; data
r3 = *(u32 *)(r1 + 4)       ; data_end
r6 = r2
r7 = r3
call 7
r6 += r0                    ; BUG: r0 is unbounded
r4 = r6
r4 += 1
if r4 > r7 goto done
r0 = *(u8 *)(r6 + 0)
done:
r0 = 2
exit
