; stack_full_frame: Writes and reads the deepest and the shallowest stack slots (fp-512 and fp-8).
; expected: accept (stack-bounds)
.type xdp

*(u64 *)(r10 - 512) = 1
*(u64 *)(r10 - 8) = 1
r0 = *(u64 *)(r10 - 512)
r1 = *(u64 *)(r10 - 8)
r0 += r1
exit
