#!/usr/bin/env bash
# The regression gate, locally: compares a candidate's results with a base's and exits as
# `gauntlet compare` does (0 no regression, 1 a regression, 2 bad input). Builds gauntlet (Release)
# first when the binary is missing, like ci/quickstart.sh.
#
# Usage: ci/regression-gate.sh BASE CANDIDATE [extra gauntlet compare arguments]
#   BASE, CANDIDATE   runs folders (gauntlet-out/runs/<suite>) or single result.json files
#   e.g.              ci/regression-gate.sh main-out/runs/quickstart gauntlet-out/runs/quickstart \
#                       --suite suites/quickstart.json --tolerance 0.01
# Environment: GAUNTLET_GATE_OUT  folder for compare.md, compare.json, compare.png
#                                 (default gauntlet-out/compare)
#              GAUNTLET_BIN       the gauntlet binary (default $GAUNTLET_BUILD_DIR/gauntlet)
#              GAUNTLET_BUILD_DIR build folder (default build)
set -uo pipefail
if (($# < 2)); then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
base=$1 cand=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GAUNTLET_BUILD_DIR:-$root/build}
bin=${GAUNTLET_BIN:-$build/gauntlet}
out=${GAUNTLET_GATE_OUT:-gauntlet-out/compare}

if [[ ! -x $bin ]]; then
  echo "regression-gate: $bin missing; building it" >&2
  "$root/ci/setup.sh" || exit 2
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 2
  cmake --build "$build" -j "$(nproc)" --target gauntlet || exit 2
fi

mkdir -p "$out"
"$bin" compare "$base" "$cand" --markdown "$out/compare.md" --json "$out/compare.json" \
  --figure "$out/compare.png" "$@"
rc=$?
echo "regression-gate: Markdown $out/compare.md, JSON $out/compare.json, figure $out/compare.png"
case $rc in
  0) echo "regression-gate: no regression (exit 0)" ;;
  1) echo "regression-gate: REGRESSION (exit 1)" ;;
  *) echo "regression-gate: bad input (exit $rc)" ;;
esac
exit $rc
