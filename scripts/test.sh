#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up, builds with warnings as errors, and runs the whole test suite, then again under
# AddressSanitizer + UndefinedBehaviorSanitizer. Pass --fast to skip the sanitizer build.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
jobs=$(nproc)
cmake --preset ci
cmake --build --preset ci -j "$jobs"
ctest --preset ci -j "$jobs"
if [ "${1:-}" != "--fast" ]; then
  cmake --preset asan
  cmake --build --preset asan -j "$jobs"
  ctest --preset asan -j "$jobs"
fi
