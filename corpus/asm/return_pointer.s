; return_pointer: A socket filter returns the stack pointer. Root (CAP_PERFMON) may leak pointers; a CAP_BPF-only loader is rejected.
; expected: reject (pointer-leak), kernel says "R0 leaks addr as return value"; as root (CAP_PERFMON): accept
.type socket_filter

r0 = r10
exit
