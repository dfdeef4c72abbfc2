; pointer_into_map: Stores a map value pointer into the map value itself. Allowed with CAP_PERFMON (root); a CAP_BPF-only loader is rejected.
; expected: reject (pointer-leak), kernel says "leaks addr into map"; as root (CAP_PERFMON): accept
.type xdp
.map vals array key=4 value=16 entries=1

*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[vals] ll
call 1
if r0 == 0 goto out
*(u64 *)(r0 + 0) = r0       ; a pointer into memory user space can read
out:
r0 = 2
exit
