#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs everything bpflab needs to build, test and compile its corpus (Debian 12, as root).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git
  clang-19 llvm-19 lld-19
  libbpf-dev libelf-dev zlib1g-dev linux-libc-dev bpftool
  libboost-dev libboost-graph-dev libz3-dev
  nlohmann-json3-dev doctest-dev libcli11-dev libxbyak-dev libcapstone-dev
  graphviz
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi
