#!/usr/bin/env bash
# Installs the dependencies, configures and builds gauntlet (Release), and runs every test through
# ctest except those labelled gpu (unit tests two at a time, then e2e/parity/bench tests one at a
# time); then the hardening runs (SECURITY.md): the unit tests under
# ASan + UBSan (ci/sanitize.sh) and each fuzz target for 60 s (ci/fuzz.sh), unless
# GAUNTLET_CI_HARDENING=0. Usage: ci/test.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
build=${GAUNTLET_BUILD_DIR:-build}
jobs=$(nproc)
start=$(date +%s)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$jobs"
echo "ci/test.sh: build took $(( $(date +%s) - start )) s"
# Unit tests (hundreds of short processes) two at a time; then the e2e, parity and benchmark
# tests one at a time: they train or time with all cores and must not fight.
failed=0
ctest --test-dir "$build" --output-on-failure -j "$jobs" -LE 'gpu|e2e|parity|bench' "$@" || failed=1
ctest --test-dir "$build" --output-on-failure -L 'e2e|parity|bench' -LE gpu "$@" || failed=1
echo "ci/test.sh: build and tests took $(( $(date +%s) - start )) s"
if [[ $failed != 0 ]]; then
  echo "ci/test.sh: FAILED (see the ctest output above)"
  exit 1
fi
if [[ ${GAUNTLET_CI_HARDENING:-1} != 0 ]]; then
  hardening=$(date +%s)
  ci/sanitize.sh
  ci/fuzz.sh "${GAUNTLET_FUZZ_SECONDS:-60}"
  echo "ci/test.sh: sanitizers and fuzzing took $(( $(date +%s) - hardening )) s"
fi
echo "ci/test.sh: total $(( $(date +%s) - start )) s"
