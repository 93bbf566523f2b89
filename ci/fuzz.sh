#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, ASan and UBSan in build-asan/ (shared with
# ci/sanitize.sh: same instrumentation, the libraries are compiled once) and runs each
# for SECONDS (default 60) on a seed corpus made from the test data: the .npy fixtures, the
# bad-input corpus (tests/data/bad/make_corpus.py) and the suites. A finding (crash, sanitizer
# report, an exception other than InputError, a timeout or running out of memory) fails the script
# and leaves the input in build-asan/findings/<target>/: turn it into a regression test (SECURITY.md).
# Usage: ci/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=${GAUNTLET_ASAN_BUILD_DIR:-build-asan}
start=$(date +%s)
CXX=${CXX:-clang++-14} cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGAUNTLET_FUZZ=ON \
  -DGAUNTLET_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target fuzz_numpy fuzz_idx fuzz_suite
echo "ci/fuzz.sh: build took $(( $(date +%s) - start )) s"

seeds=$build/seeds
rm -rf "$seeds" && mkdir -p "$seeds"
/usr/bin/python3 tests/data/bad/make_corpus.py "$seeds/bad"
declare -A corpus_of=([numpy]="tests/data/npy $seeds/bad/npz" [idx]="$seeds/bad/idx"
                      [suite]="suites $seeds/bad/suites")
failed=0
for target in numpy idx suite; do
  corpus=$build/corpus/$target findings=$build/findings/$target
  mkdir -p "$corpus" "$findings"
  for dir in ${corpus_of[$target]}; do
    find "$dir" -maxdepth 1 -type f -exec cp -t "$corpus" {} +
  done
  t0=$(date +%s)
  # -rss_limit_mb: a reader that allocates what a header declares shows up as a finding.
  if ! "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
       -max_len=65536 -artifact_prefix="$findings/" -print_final_stats=1 "$corpus" \
       > "$build/fuzz_$target.log" 2>&1; then
    echo "ci/fuzz.sh: fuzz_$target FOUND A PROBLEM; input in $findings/, log $build/fuzz_$target.log:"
    grep -A30 -m1 "ERROR\|==ERROR\|runtime error\|terminate" "$build/fuzz_$target.log" || tail -30 "$build/fuzz_$target.log"
    failed=1
  else
    echo "ci/fuzz.sh: fuzz_$target clean: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/fuzz_$target.log" \
      | grep -o '[0-9]*$') runs in $(( $(date +%s) - t0 )) s"
  fi
done
echo "ci/fuzz.sh: total $(( $(date +%s) - start )) s"
exit $failed
