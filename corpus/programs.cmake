# SPDX-License-Identifier: Apache-2.0
# name                      source                          cpu
bpflab_bpf_object(xdp_count  c/xdp_count.c  v4)
