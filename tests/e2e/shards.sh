#!/usr/bin/env bash
# `gauntlet run --shard I/N`: two shards run at once on one --out train every cell exactly once,
# and their results have the eval sections of the same suite run on one machine; shard 1 alone
# writes cells.json, and `gauntlet report` draws the whole table afterwards. Shards run into
# separate folders (two machines) and `gauntlet merge`d give the one-machine results, mCE included;
# merge refuses two different results for one cell, writing nothing.
set -u
bin=$1 src=$2
. "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$t"' EXIT
# The 4-cell suite both scale-out tests use (2 backbones x 2 augmentations, 2 epochs).
sed 's/"name": "four"/"name": "sharded"/' "$src/tests/e2e/four_cells.json" > "$t/suite.json"
expect "one machine" 0 "4 ran" -- "$bin" run "$t/suite.json" --out "$t/one" --threads 1
"$bin" run "$t/suite.json" --out "$t/sh" --threads 1 --shard 1/2 > "$t/s1.log" 2>&1 &
p1=$!
"$bin" run "$t/suite.json" --out "$t/sh" --threads 1 --shard 2/2 > "$t/s2.log" 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check "both shards exit 0" -- test $r1 -eq 0 -a $r2 -eq 0
n1=$(grep -c "epoch 2/2" "$t/s1.log"); n2=$(grep -c "epoch 2/2" "$t/s2.log")
check "the 4 cells split 2 + 2 (by estimated cost) and ran once each" -- test "$n1" -eq 2 -a "$n2" -eq 2
check "shard 1 says what it runs" -- grep -q "shard 1/2: 2 of the suite's 4 cells" "$t/s1.log"
check "every cell has its result" -- test "$(find "$t/sh/runs/sharded" -name result.json | wc -l)" -eq 4
check "eval sections equal the one-machine run's" -- same_evals "$t/one/runs/sharded" "$t/sh/runs/sharded"
check "cells.json was written (by shard 1)" -- test -f "$t/sh/runs/sharded/cells.json"
expect "report draws the whole table" 0 "| wide | flip |" -- "$bin" report "$t/sh/runs/sharded" --out "$t/sh"
check "... with all four cells" -- test "$(grep -c '^| \(small\|wide\) |' "$t/sh/reports/sharded/summary.md")" -eq 4
# Two machines: separate folders, merged.
expect "machine A: shard 1/2" 0 "2 ran" -- "$bin" run "$t/suite.json" --out "$t/a" --threads 1 --shard 1/2
expect "machine B: shard 2/2" 0 "2 ran" -- "$bin" run "$t/suite.json" --out "$t/b" --threads 1 --shard 2/2
expect "merge" 0 "merged 4 cell(s) of suite sharded from 2 folder(s)" -- \
  "$bin" merge "$t/a/runs/sharded" "$t/b/runs/sharded" --out "$t/m"
check "merged eval sections equal the one-machine run's" -- same_evals "$t/one/runs/sharded" "$t/m/runs/sharded"
robust() {  # every cell's robustness section (mCE against the baseline), in cell-id order
  /usr/bin/python3 - "$1" <<'PY'
import json, os, sys
d = sys.argv[1]
for c in sorted(c for c in os.listdir(d) if os.path.isdir(os.path.join(d, c))):
    print(c, json.dumps(json.load(open(os.path.join(d, c, "result.json")))["robustness"], sort_keys=True))
PY
}
check "... and so are mCE and every robustness score" -- test "$(robust "$t/m/runs/sharded")" == "$(robust "$t/one/runs/sharded")"
check "... the mCE baseline is set in every merged cell" -- /usr/bin/python3 -c '
import json, glob, sys
rs = [json.load(open(f)) for f in glob.glob(sys.argv[1] + "/*/result.json")]
assert len(rs) == 4 and all(r["robustness"]["baseline"] == "small/none/cross_entropy/adam" for r in rs), rs
' "$t/m/runs/sharded"
check "the merged table has all four cells" -- test "$(grep -c '^| \(small\|wide\) |' "$t/m/reports/sharded/summary.md")" -eq 4
expect "merging the same folders again changes nothing" 0 "merged 4 cell(s)" -- \
  "$bin" merge "$t/a/runs/sharded" "$t/b/runs/sharded" "$t/m/runs/sharded" --out "$t/m"
# A cell with other results in two folders: refused, nothing written.
cp -r "$t/b" "$t/b2"
cell=$(ls -d "$t/b2/runs/sharded"/*/ | head -n 1)
/usr/bin/python3 - "$cell/result.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
r["eval"]["clean"]["accuracy"] += 0.01
json.dump(r, open(sys.argv[1], "w"), indent=2)
PY
expect "merge refuses a cell with two different results" 2 "has other results in" -- \
  "$bin" merge "$t/b/runs/sharded" "$t/b2/runs/sharded" --out "$t/bad"
check "... writing nothing" -- test ! -e "$t/bad"
cp -r "$t/a/runs/sharded" "$t/other"
/usr/bin/python3 -c '
import json, glob, sys
for f in glob.glob(sys.argv[1] + "/*/result.json"):
    r = json.load(open(f)); r["config"]["suite"] = "other"; json.dump(r, open(f, "w"))
' "$t/other"
expect "merge refuses folders of another suite" 2 "belongs to suite" -- \
  "$bin" merge "$t/b/runs/sharded" "$t/other" --out "$t/bad2"
check "... writing nothing" -- test ! -e "$t/bad2"
expect "a shard past N is refused" 2 "--shard" -- "$bin" run "$t/suite.json" --out "$t/bad" --shard 3/2
check "... writing nothing" -- test ! -e "$t/bad"
finish
