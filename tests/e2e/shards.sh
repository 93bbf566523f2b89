#!/usr/bin/env bash
# `gauntlet run --shard I/N`: two shards run at once on one --out train every cell exactly once,
# and their results have the eval sections of the same suite run on one machine; shard 1 alone
# writes cells.json, and `gauntlet report` draws the whole table afterwards.
set -u
bin=$1 src=$2
. "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$t"' EXIT
cat > "$t/suite.json" <<'JSON'
{
  "name": "sharded",
  "data": {"source": "fashion-mnist:train", "test": "fashion-mnist:test", "subset": 1500,
           "test_subset": 200, "split": {"val": 0.1}, "input_size": 16},
  "axes": {
    "backbone": {"small": {"name": "simple_cnn", "channels": [8], "convs_per_block": 1, "hidden": 16},
                 "wide": {"name": "simple_cnn", "channels": [16, 32], "convs_per_block": 1, "hidden": 32}},
    "augmentation": {"none": [], "flip": [{"op": "hflip"}]},
    "loss": ["cross_entropy"],
    "optimizer": ["adam"]
  },
  "train": {"epochs": 2, "batch_size": 32},
  "evaluate": {"corruptions": ["contrast"], "severities": [2]}
}
JSON
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
expect "a shard past N is refused" 2 "--shard" -- "$bin" run "$t/suite.json" --out "$t/bad" --shard 3/2
check "... writing nothing" -- test ! -e "$t/bad"
finish
