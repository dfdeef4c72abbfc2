; array_const_key_nonnull: Dereferences an array map lookup with a constant in-range key without a NULL check: recent kernels (6.18 here) know such a lookup cannot fail; older ones reject it.
; expected: accept (null-deref)
.type xdp
.map vals array key=4 value=16 entries=1

*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
r0 = *(u64 *)(r0 + 0)       ; key 0 < max_entries: never NULL
r0 = 2
exit
