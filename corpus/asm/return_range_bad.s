; return_range_bad: A cgroup_skb (ingress) program returns 2; the allowed range is [0, 1].
; expected: reject (return-range), kernel says "should have been in [0, 1]"
.type cgroup_skb

r0 = 2                      ; BUG: only 0 and 1 are allowed
exit
