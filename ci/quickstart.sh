#!/usr/bin/env bash
# From a fresh clone to a results table: installs the dependencies, builds gauntlet (Release) and
# runs suites/quickstart.json on Fashion-MNIST. Extra arguments go to `gauntlet run`
# (e.g. --out DIR, --threads N).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/setup.sh
build=${GAUNTLET_BUILD_DIR:-build}
start=$(date +%s)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" --target gauntlet
built=$(date +%s)
echo "ci/quickstart.sh: build took $((built - start)) s"
"$build/gauntlet" run suites/quickstart.json "$@"
echo "ci/quickstart.sh: suite took $(( $(date +%s) - built )) s"
