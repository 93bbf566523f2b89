#!/usr/bin/env bash
# The quick-start suite, shrunk, through the real binary on Fashion-MNIST: results follow the
# format and match scikit-learn; two runs in a row, and runs differing only in --loader-threads,
# give byte-identical eval sections and predictions; finished cells are skipped unless --rerun.
set -u
bin=$1 src=$2
. "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
small=(--set data.subset=1500 --set data.test_subset=400 --set train.epochs=2 --set /evaluate/severities=[2,5] --threads 2)
qs=$src/suites/quickstart.json

expect "run A (1 loader thread)" 0 "4 ran, 0 skipped" -- "$bin" run "$qs" "${small[@]}" --out "$t/a" --loader-threads 1
expect "run B (same flags)" 0 "4 ran" -- "$bin" run "$qs" "${small[@]}" --out "$t/b" --loader-threads 1
expect "run C (3 loader threads)" 0 "4 ran" -- "$bin" run "$qs" "${small[@]}" --out "$t/c" --loader-threads 3
check "results follow the format and match sklearn" -- \
  /usr/bin/python3 "$src/tests/e2e/check_results.py" "$t/a/runs/quickstart" --min-cells 4

check "eval identical across two runs" -- same_evals "$t/a/runs/quickstart" "$t/b/runs/quickstart"
check "eval identical for 1 and 3 loader threads" -- same_evals "$t/a/runs/quickstart" "$t/c/runs/quickstart"
check "predictions identical for 1 and 3 loader threads" -- \
  diff -r -q --exclude=result.json "$t/a/runs/quickstart" "$t/c/runs/quickstart"
check "loader threads are recorded" -- grep -q '"loader_threads": 3' -r "$t/c/runs/quickstart"
check "compute threads are recorded" -- grep -q '"threads": 2' -r "$t/a/runs/quickstart"
check "summary table written" -- grep -q '| cnn | none | cross_entropy | sgd | 0 |' "$t/a/reports/quickstart/summary.md"

cp -r "$t/a/runs" "$t/a-before"
expect "second run skips finished cells" 0 "0 ran, 4 skipped" -- "$bin" run "$qs" "${small[@]}" --out "$t/a"
check "skipped cells are untouched" -- diff -r -q "$t/a-before" "$t/a/runs"
expect "--rerun runs them again" 0 "4 ran, 0 skipped" -- "$bin" run "$qs" "${small[@]}" --out "$t/a" --rerun
check "rerun reproduces eval" -- same_evals "$t/a-before/quickstart" "$t/a/runs/quickstart"
expect "a changed value is a new cell" 0 "4 ran, 0 skipped" -- "$bin" run "$qs" "${small[@]}" --out "$t/a" --set train.batch_size=32
expect "report redraws the table from result files" 0 "| cnn |" -- "$bin" report "$t/a/runs/quickstart" --out "$t/r"
check "the old cells stay on disk as a cache" -- test "$(ls -d "$t/a/runs/quickstart"/*/ | wc -l)" -eq 8
check "report shows only the suite's current cells" -- test "$(grep -c '^| cnn |' "$t/r/reports/quickstart/summary.md")" -eq 4
check "cells.json lists the current cells" -- /usr/bin/python3 -c '
import json, sys
m = json.load(open(sys.argv[1] + "/cells.json"))
assert m["schema"] == "gauntlet.cells/1" and len(m["cells"]) == 4, m
for c in m["cells"]:
    assert json.load(open(sys.argv[1] + "/" + c + "/result.json"))["config"]["train"]["batch_size"] == 32
' "$t/a/runs/quickstart"
# A result made by other code (another source hash) is stale: that cell runs again, the rest skip.
one=$(ls -d "$t/a/runs/quickstart"/*/ | head -n 1)
/usr/bin/python3 - "$one/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r["env"]["source_hash"]) == 16, r["env"]
r["env"]["source_hash"] = "0000000000000000"
json.dump(r, open(sys.argv[1], "w"), indent=2)
PY
expect "a result made by other code runs again" 0 "result was made by other code (source hash 0000000000000000" -- \
  "$bin" run "$qs" "${small[@]}" --out "$t/a" --set train.batch_size=32
check "... and only that cell" -- bash -c '[[ $1 == *"1 ran, 3 skipped"* ]]' _ "$last_out"
check "no temporary files left" -- test -z "$(find "$t/a" -name '*.tmp-*')"

finish
