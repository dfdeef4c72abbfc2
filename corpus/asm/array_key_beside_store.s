; array_key_beside_store: The constant key 0 at fp-4 stays known when the other half of its 8-byte slot (fp-8) is written afterwards, so the lookup of an in-range key cannot fail.
; expected: accept (null-deref)
.type xdp
.map vals array key=4 value=16 entries=1

*(u32 *)(r10 - 4) = 0
*(u32 *)(r10 - 8) = 7       ; beside the key
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
r0 = *(u64 *)(r0 + 0)       ; key 0 < max_entries: never NULL
r0 = 2
exit
