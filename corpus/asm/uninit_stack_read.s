; uninit_stack_read: Reads a stack slot that was never written. Root (CAP_PERFMON) may; a CAP_BPF-only loader is rejected.
; expected: reject (uninit-stack), kernel says "invalid read from stack"; as root (CAP_PERFMON): accept
.type xdp

r0 = *(u64 *)(r10 - 8)      ; never written
r0 &= 1
r0 += 1
exit
