; map_null_check_copy: The NULL check is made on a copy of the pointer (r7); the kernel carries it to r0, which is then dereferenced.
; expected: accept (null-deref)
.type xdp
.map vals hash key=4 value=16 entries=8

*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
r7 = r0
if r7 == 0 goto out         ; check the copy
r0 = *(u64 *)(r0 + 0)       ; use the original
out:
r0 = 2
exit
