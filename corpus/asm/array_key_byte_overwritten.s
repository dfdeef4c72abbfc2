; array_key_byte_overwritten: The constant key 0 at fp-4 gets its second byte overwritten with 1 (key 256, past max_entries), so the lookup may fail and the unchecked dereference is unsafe.
; expected: reject (null-deref)
.type xdp
.map vals array key=4 value=16 entries=1

*(u32 *)(r10 - 4) = 0
*(u8 *)(r10 - 3) = 1        ; key = 0x100
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
r0 = *(u64 *)(r0 + 0)       ; may be NULL
r0 = 2
exit
