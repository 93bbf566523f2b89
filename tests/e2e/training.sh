#!/usr/bin/env bash
# The training engine through the real binary. A cell killed with SIGKILL at several points, then
# the same `gauntlet run`: it resumes from the last epoch's checkpoint and ends with eval, eval_ema
# and history (timings aside) identical to an uninterrupted run's. Training values the schema
# cannot check are refused with exit 2 before anything is written. The cell uses everything a checkpoint must carry: two phases (frozen
# backbone, then all), AdamW with a cosine schedule, ReduceLROnPlateau, EarlyStopping with
# restore_best_weights, EMA, dropout, MixUp.
set -u
bin=$1 src=$2
. "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$t"' EXIT
cat > "$t/suite.json" <<'JSON'
{
  "name": "resume",
  "data": {"source": "fashion-mnist:train", "test": "fashion-mnist:test", "subset": 3000,
           "test_subset": 300, "split": {"val": 0.1}, "input_size": 20},
  "axes": {
    "backbone": {"cnn": {"name": "simple_cnn", "channels": [8, 16], "convs_per_block": 1, "hidden": 32}},
    "augmentation": {"mix": {"ops": [{"op": "hflip"}], "mix": {"mixup_alpha": 0.4}}},
    "loss": ["cross_entropy"],
    "optimizer": {"adamw": {"name": "adamw", "lr": 0.004, "schedule": {"name": "cosine", "warmup_epochs": 1}}}
  },
  "train": {"batch_size": 32, "ema": {"decay": 0.9}, "dropout": 0.2,
            "reduce_on_plateau": {"patience": 1, "factor": 0.5},
            "phases": [{"epochs": 2, "freeze": "backbone", "optimizer": {"lr": 0.01}},
                       {"epochs": 5, "early_stopping": {"patience": 2, "restore_best_weights": true}}]},
  "evaluate": {"corruptions": ["contrast"], "severities": [3]}
}
JSON
run() { "$bin" run "$t/suite.json" --out "$1" --threads 1 --loader-threads 2; }
start() {  # start OUT LOG: the same run in the background, $! its pid (not a subshell's)
  "$bin" run "$t/suite.json" --out "$1" --threads 1 --loader-threads 2 > "$2" 2>&1 &
}
# Everything the run computes, without the wall-clock figures.
outcome() {
  /usr/bin/python3 - "$1" <<'PY'
import json, os, sys
d = sys.argv[1]
cells = sorted(c for c in os.listdir(d) if os.path.isdir(os.path.join(d, c)))
assert len(cells) == 1, cells
r = json.load(open(os.path.join(d, cells[0], "result.json")))
assert r["status"] == "ok", r.get("error")
for e in r["history"]:
    for k in ("seconds", "images_per_second"):
        e.pop(k)
print(json.dumps({k: r[k] for k in ("eval", "eval_ema", "history")}, sort_keys=True))
print(json.dumps(r["training"]["early_stops"]))
PY
}

expect "uninterrupted run" 0 "1 ran" -- run "$t/ref"
ref=$(outcome "$t/ref/runs/resume") || { echo "FAIL reference outcome"; exit 1; }
check "the reference trained two phases" -- grep -q '"phase": 2' "$t"/ref/runs/resume/*/result.json
check "no checkpoint is left after a finished cell" -- test -z "$(find "$t/ref" -name 'checkpoint.pt')"

resumed=0
for delay in 0 0.4 0.9 1.5; do
  out="$t/k$delay"
  start "$out" "$out.log"
  pid=$!
  # Wait for the first checkpoint, then a little more, then SIGKILL.
  for _ in $(seq 600); do
    [[ -n $(find "$out" -name checkpoint.pt 2>/dev/null) ]] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
  done
  sleep "$delay"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  if [[ -n $(find "$out" -name result.json 2>/dev/null) ]]; then
    echo "note: the run with delay $delay finished before the kill"
    continue
  fi
  expect "rerun after SIGKILL (delay ${delay}s) resumes" 0 "resuming after epoch" -- run "$out"
  check "... and ends where the uninterrupted run did" -- test "$(outcome "$out/runs/resume")" == "$ref"
  check "... with no checkpoint left" -- test -z "$(find "$out" -name 'checkpoint.pt')"
  resumed=$((resumed + 1))
done
check "at least two kills landed mid-training" -- test $resumed -ge 2

# A damaged checkpoint is not trusted: the cell starts over, with the same result.
out="$t/damaged"
start "$out" /dev/null
pid=$!
for _ in $(seq 600); do [[ -n $(find "$out" -name checkpoint.pt 2>/dev/null) ]] && break; sleep 0.05; done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
for f in $(find "$out" -name checkpoint.pt); do printf 'not a checkpoint' > "$f"; done
expect "a damaged checkpoint is ignored" 0 "ignoring a damaged checkpoint" -- run "$out"
check "... and the cell trains from the start to the same result" -- test "$(outcome "$out/runs/resume")" == "$ref"

# Ctrl-C (SIGINT): stops at a batch boundary, writes no result for the unfinished cell, exits 130
# and says how to go on; the same command then resumes and ends where the uninterrupted run did.
out="$t/sigint"
start "$out" "$out.log"
pid=$!
for _ in $(seq 600); do [[ -n $(find "$out" -name checkpoint.pt 2>/dev/null) ]] && break; sleep 0.05; done
kill -INT $pid
wait $pid
rc=$?
check "SIGINT: exit 130" -- test $rc -eq 130
check "... says how to go on" -- grep -q "Run the same command to go on" "$out.log"
check "... and wrote no result for the unfinished cell" -- test -z "$(find "$out" -name result.json)"
expect "... the same command resumes" 0 "resuming after epoch" -- run "$out"
check "... to the uninterrupted run's result" -- test "$(outcome "$out/runs/resume")" == "$ref"

bad() {  # bad NAME MESSAGE --set...: exit 2, the message, nothing written
  local name=$1 want=$2
  shift 2
  expect "$name" 2 "$want" -- "$bin" run "$t/suite.json" --out "$t/bad" "$@"
  check "... nothing written" -- test ! -e "$t/bad"
}
bad "class weights not one per class" "/axes/loss/w/class_weights: 3 values for the 10 classes" \
  --set '/axes/loss={"w": {"name": "cross_entropy", "class_weights": [1, 2, 3]}}'
bad "all-zero class weights" "/axes/loss/0/class_weights: at least one class weight must be > 0" \
  --set '/axes/loss=[{"name": "focal", "class_weights": [0, 0]}]'
bad "focal alpha not one per class" "/axes/loss/0/alpha: 2 values for the 10 classes" \
  --set '/axes/loss=[{"name": "focal", "alpha": [1, 2]}]'
bad "a cosine schedule no longer than its warm-up" "warmup" \
  --set '/train/phases/1/optimizer={"schedule": {"name": "cosine", "warmup_epochs": 5}}'
bad "freezing everything" "/train/phases/0/freeze" --set '/train/phases/0/freeze={"fraction": 1}'
bad "an unknown optimizer option" "/axes/optimizer/adamw/momentum" --set '/axes/optimizer/adamw/momentum=0.9'
bad "nesterov without momentum" "nesterov" --set '/axes/optimizer={"s": {"name": "sgd", "momentum": 0, "nesterov": true}}'
finish
