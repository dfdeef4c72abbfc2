; return_range_unchecked: A cgroup_skb program returns an unbounded value read from the context.
; expected: reject (return-range), kernel says "should have been in [0, 1]"
.type cgroup_skb

r0 = *(u32 *)(r1 + 0)       ; BUG: any length
exit
