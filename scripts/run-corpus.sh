#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up, builds, and runs bpflab over every object of the bundled corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default
bpflab=build/cli/bpflab
status=0
for obj in build/corpus/*.o; do
  echo "=== $obj"
  "$bpflab" list "$obj" || status=1
  "$bpflab" disasm "$obj" --source >"build/corpus/$(basename "$obj" .o).disasm.txt" || status=1
  echo "    disassembly: build/corpus/$(basename "$obj" .o).disasm.txt ($(wc -l <"build/corpus/$(basename "$obj" .o).disasm.txt") lines)"
  "$bpflab" cfg "$obj" --dot "build/corpus/$(basename "$obj" .o).dot" >/dev/null || status=1
done
echo
echo "corpus: $(ls build/corpus/*.o | wc -l) objects listed, disassembled and graphed (status $status)"
exit $status
