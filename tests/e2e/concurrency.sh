#!/usr/bin/env bash
# Two `gauntlet run` processes on the same --out: every cell runs exactly once (a cell being run by
# one is skipped by the other), both exit 0, and the results are complete; a lock left by a killed
# process is taken over; a lock held by a live process is respected.
set -u
bin=$1 src=$2
. "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$t"' EXIT
cat > "$t/suite.json" <<'JSON'
{
  "name": "two",
  "data": {"source": "fashion-mnist:train", "test": "fashion-mnist:test", "subset": 2000,
           "test_subset": 200, "split": {"val": 0.1}, "input_size": 20},
  "axes": {
    "backbone": {"cnn": {"name": "simple_cnn", "channels": [8, 16], "convs_per_block": 1, "hidden": 32}},
    "augmentation": {"none": [], "flip": [{"op": "hflip"}], "rot": [{"op": "rotate"}]},
    "loss": ["cross_entropy"],
    "optimizer": ["adam"]
  },
  "train": {"epochs": 3, "batch_size": 32}
}
JSON
"$bin" run "$t/suite.json" --out "$t/out" --threads 1 > "$t/a.log" 2>&1 &
a=$!
for _ in $(seq 600); do [[ -n $(find "$t/out" -name .lock 2>/dev/null) ]] && break; sleep 0.05; done
"$bin" run "$t/suite.json" --out "$t/out" --threads 1 > "$t/b.log" 2>&1 &
b=$!
wait $a; ra=$?
wait $b; rb=$?
check "both runs exit 0" -- test $ra -eq 0 -a $rb -eq 0
ran=$(cat "$t/a.log" "$t/b.log" | grep -c "epoch 3/3")
check "the 3 cells were trained 3 times in all, not more" -- test "$ran" -eq 3
check "the second run left the first's cell alone" -- grep -q "being run by another gauntlet process" "$t/b.log"
check "every cell has its result" -- test "$(find "$t/out/runs/two" -name result.json | wc -l)" -eq 3
check "no lock is left" -- test -z "$(find "$t/out" -name .lock)"
expect "a third run finds everything done" 0 "0 ran, 3 skipped" -- "$bin" run "$t/suite.json" --out "$t/out"

# A stale lock (its process is gone) is taken over; a live one is respected.
cell=$(ls -d "$t/out/runs/two"/*/ | head -n 1)
rm "$cell/result.json"
sleep 1000 &
live=$!
echo "$(hostname) $live" > "$cell/.lock"
expect "a live holder's cell is skipped" 0 "being run by another gauntlet process (pid $live" -- \
  "$bin" run "$t/suite.json" --out "$t/out"
kill $live; wait $live 2>/dev/null
expect "a dead holder's lock is taken over" 0 "took over the stale lock of pid $live" -- \
  "$bin" run "$t/suite.json" --out "$t/out"
check "... and the cell ran" -- test -f "$cell/result.json"
finish
