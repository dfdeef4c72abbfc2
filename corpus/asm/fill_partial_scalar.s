; fill_partial_scalar: Writes 4 bytes of an 8-byte slot and fills all 8: four bytes are uninitialised. A loader with CAP_PERFMON (root) may read uninitialised stack; a CAP_BPF-only loader may not.
; expected: reject (uninit-stack), kernel says "invalid read from stack"; as root (CAP_PERFMON): accept
.type xdp

*(u32 *)(r10 - 8) = 7      ; writes fp-8 .. fp-5 only
r0 = *(u64 *)(r10 - 8)      ; reads fp-8 .. fp-1: four bytes never written
r0 &= 1
r0 += 1
exit
