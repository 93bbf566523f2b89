#!/usr/bin/env bash
# Crash safety: `gauntlet run` on a 3-cell suite killed with SIGKILL at pseudo-random points (fixed
# seed, 3 trials), then run again to completion: every cell's eval section is identical to an
# uninterrupted run's, and no temporary, truncated or corrupt file is left (every .json parses,
# every .npz opens, no *.tmp-* file, no lock).
set -u
bin=$1 src=$2
. "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$t"' EXIT
cat > "$t/suite.json" <<'JSON'
{
  "name": "crash",
  "data": {"source": "fashion-mnist:train", "test": "fashion-mnist:test", "subset": 1000,
           "test_subset": 200, "split": {"val": 0.1}, "input_size": 16},
  "axes": {
    "backbone": {"cnn": {"name": "simple_cnn", "channels": [8], "convs_per_block": 1, "hidden": 16}},
    "augmentation": {"none": [], "flip": [{"op": "hflip"}], "rot": [{"op": "rotate", "degrees": 10}]},
    "loss": ["cross_entropy"],
    "optimizer": ["adam"]
  },
  "train": {"epochs": 2, "batch_size": 50},
  "evaluate": {"corruptions": ["contrast"], "severities": [3]}
}
JSON
run() { "$bin" run "$t/suite.json" --out "$1" --threads 1 --loader-threads 1; }
intact() {  # intact OUT: nothing half-written under OUT
  /usr/bin/python3 - "$1" <<'PY'
import json, os, sys, zipfile
import numpy as np
bad = []
for root, dirs, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(root, f)
        if ".tmp-" in f or f == ".lock":
            bad.append(p + ": left over")
        elif f.endswith(".json"):
            try:
                json.load(open(p))
            except Exception as e:
                bad.append("%s: %s" % (p, e))
        elif f.endswith(".npz"):
            try:
                with np.load(p) as z:
                    for k in z.files:
                        z[k]
            except Exception as e:
                bad.append("%s: %s" % (p, e))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
PY
}

t0=$(date +%s.%N)
expect "uninterrupted run" 0 "3 ran" -- run "$t/ref"
full=$(/usr/bin/python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$t0" "$(date +%s.%N)")
check "the uninterrupted run leaves nothing half-written" -- intact "$t/ref"
# Kill points spread over the run's length, from a fixed seed.
delays=$(/usr/bin/python3 -c "
import random, sys
r = random.Random(10)
print(' '.join('%.2f' % (r.uniform(0.15, 0.9) * float(sys.argv[1])) for _ in range(3)))" "$full")
killed=0
for d in $delays; do
  out="$t/k$d"
  "$bin" run "$t/suite.json" --out "$out" --threads 1 --loader-threads 1 > "$out.log" 2>&1 &
  pid=$!
  sleep "$d"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null
  expect "rerun after SIGKILL at ${d}s" 0 "" -- run "$out"
  check "cells after SIGKILL at ${d}s are identical to the uninterrupted run's" -- \
    same_evals "$t/ref/runs/crash" "$out/runs/crash"
  check "nothing half-written after SIGKILL at ${d}s" -- intact "$out"
done
check "at least 2 of the 3 runs were killed mid-way" -- test $killed -ge 2
finish
