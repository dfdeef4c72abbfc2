#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up, builds, and verifies every program of the bundled corpus (clang-compiled objects and
# assembly tests) with bpflab's default domain, beside the running kernel's verifier when bpf(2)
# is permitted. Prints one line per program and a summary table; writes the JSON report to
# build/corpus/verify.json. The corpus holds unsafe programs on purpose, so FAIL rows are
# expected (corpus/manifest.json and corpus/asm/manifest.json give each program's verdict).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default
status=0
build/cli/bpflab verify build/corpus/*.o corpus/asm/*.s --kernel --json build/corpus/verify.json "$@" ||
  status=$?
echo
if [ "$status" -le 1 ]; then
  echo "corpus verified (JSON report: build/corpus/verify.json; exit status $status: 1 means some program was rejected)"
  exit 0
fi
echo "bpflab verify failed with exit status $status (see docs/cli.md)"
exit "$status"
