; return_range_ok: A cgroup_skb program returns len & 1, which is in [0, 1].
; expected: accept (return-range)
.type cgroup_skb

r0 = *(u32 *)(r1 + 0)
r0 &= 1
exit
