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
cmake --build "$build" -j "$(nproc)" --target fuzz_numpy fuzz_idx fuzz_suite fuzz_safetensors
echo "ci/fuzz.sh: build took $(( $(date +%s) - start )) s"

seeds=$build/seeds
rm -rf "$seeds" && mkdir -p "$seeds"
/usr/bin/python3 tests/data/bad/make_corpus.py "$seeds/bad"
declare -A corpus_of=([numpy]="tests/data/npy $seeds/bad/npz" [idx]="$seeds/bad/idx"
                      [suite]="suites $seeds/bad/suites" [safetensors]="$seeds/safetensors")
# Seeds for the safetensors reader: a valid file (two tensors) and a few near misses.
/usr/bin/python3 - "$seeds/safetensors" <<'PY'
import json, os, struct, sys
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
def st(header, data):
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + data
ok = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
      "b": {"dtype": "F16", "shape": [1, 2], "data_offsets": [8, 12]}, "__metadata__": {"k": "v"}}
files = {"ok": st(ok, bytes(12)),
         "overlap": st({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                        "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, bytes(8)),
         "outside": st({"a": {"dtype": "BF16", "shape": [4], "data_offsets": [0, 8]}}, bytes(4)),
         "bad_json": struct.pack("<Q", 5) + b"{\"a\":",
         "huge_len": struct.pack("<Q", 1 << 62) + b"{}"}
for name, data in files.items():
    open(os.path.join(out, name), "wb").write(data)
PY
# One target per core at a time: each still runs its full SECONDS.
run_target() {
  local target=$1 corpus=$build/corpus/$1 findings=$build/findings/$1 t0
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
    return 1
  fi
  echo "ci/fuzz.sh: fuzz_$target clean: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/fuzz_$target.log" \
    | grep -o '[0-9]*$') runs in $(( $(date +%s) - t0 )) s"
}
failed=0
for target in numpy idx suite safetensors; do
  while (( $(jobs -rp | wc -l) >= $(nproc) )); do wait -n || failed=1; done
  run_target "$target" &
done
while (( $(jobs -rp | wc -l) > 0 )); do wait -n || failed=1; done
echo "ci/fuzz.sh: total $(( $(date +%s) - start )) s"
exit $failed
