#!/usr/bin/env bash
# Installs the dependencies, configures and builds gauntlet (Release), and runs every test through
# ctest except those labelled gpu; then the hardening runs (SECURITY.md): the unit tests under
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
# The e2e tests train with 2 LibTorch threads each; run tests one at a time so they do not fight.
ctest --test-dir "$build" --output-on-failure -LE gpu "$@"
if [[ ${GAUNTLET_CI_HARDENING:-1} != 0 ]]; then
  hardening=$(date +%s)
  ci/sanitize.sh
  ci/fuzz.sh "${GAUNTLET_FUZZ_SECONDS:-60}"
  echo "ci/test.sh: sanitizers and fuzzing took $(( $(date +%s) - hardening )) s"
fi
echo "ci/test.sh: total $(( $(date +%s) - start )) s"
