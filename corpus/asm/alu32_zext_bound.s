; alu32_zext_bound: A 32-bit move zero-extends, so a 32-bit check (w6 <= 63) bounds the 64-bit register used as a map value offset.
; expected: accept (alu32-bounds)
.type xdp
.map vals array key=4 value=64 entries=1

call 7                      ; bpf_get_prandom_u32: an unknown scalar
w6 = w0                     ; 32-bit move: the upper half is zero
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
if w6 > 63 goto out         ; bounds the low half, hence all of r6
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
