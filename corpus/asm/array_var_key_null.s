; array_var_key_null: An array map lookup with an unknown key may fail; dereferencing it unchecked is rejected.
; expected: reject (null-deref), kernel says "invalid mem access 'map_value_or_null'"
.type xdp
.map vals array key=4 value=16 entries=1

call 7
*(u32 *)(r10 - 4) = r0      ; unknown key
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
r0 = *(u64 *)(r0 + 0)       ; BUG: the key may be out of range
r0 = 2
exit
