#!/usr/bin/env bash
# A challenge-format .npz (uint8 NHWC RGB images, integer labels) through the real binary:
# stratified split, resize, training, corrupted hold-outs, results that match scikit-learn.
set -u
bin=$1 src=$2
. "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
/usr/bin/python3 - "$t/cells.npz" <<'PY'
import sys
import numpy as np
rng = np.random.default_rng(0)
n, side, k = 240, 20, 4
labels = rng.integers(0, k, n)
images = rng.integers(0, 60, (n, side, side, 3)).astype(np.uint8)
for i, y in enumerate(labels):  # a bright square whose colour channel and corner give the class
    r0, c0 = (2, 2) if y % 2 == 0 else (10, 10)
    images[i, r0:r0 + 8, c0:c0 + 8, y // 2] = 220
np.savez_compressed(sys.argv[1], images=images, labels=labels)
PY
cat > "$t/suite.json" <<JSON
{
  "name": "npz-e2e",
  "data": {"source": "$t/cells.npz", "split": {"val": 0.2, "test": 0.25}, "input_size": 24},
  "axes": {
    "backbone": {"tiny": {"name": "simple_cnn", "channels": [8, 16], "convs_per_block": 1, "hidden": 0}},
    "augmentation": {"none": []},
    "loss": ["cross_entropy"],
    "optimizer": ["adam"]
  },
  "train": {"epochs": 3, "batch_size": 16},
  "evaluate": {"corruptions": ["contrast"], "severities": [1, 5]}
}
JSON
expect "run on an npz" 0 "1 ran" -- "$bin" run "$t/suite.json" --out "$t/out" --threads 1
check "results follow the format and match sklearn" -- \
  /usr/bin/python3 "$src/tests/e2e/check_results.py" "$t/out/runs/npz-e2e" --min-cells 1
check "stratified split counts recorded" -- /usr/bin/python3 -c '
import json, glob, sys
r = json.load(open(glob.glob(sys.argv[1] + "/*/result.json")[0]))
c = r["dataset"]["counts"]
assert c["train"]["n"] + c["val"]["n"] + c["test"]["n"] == 240, c
for k in range(4):  # per class: round(count * fraction) to test and to val, the rest to train
    total = c["train"]["per_class"][k] + c["val"]["per_class"][k] + c["test"]["per_class"][k]
    assert c["test"]["per_class"][k] == int(total * 0.25 + 0.5), (k, c)
    assert c["val"]["per_class"][k] == int(total * 0.2 + 0.5), (k, c)
assert r["holdouts"]["c.contrast.5"]["table"] == "small", r["holdouts"]
assert r["model"]["input_size"] == 24
' "$t/out/runs/npz-e2e"
# An imbalanced training set with sampler oversample: every class up to the largest count.
expect "run with sampler oversample" 0 "1 ran" -- "$bin" run "$t/suite.json" --out "$t/over" --threads 1 \
  --set train.sampler=oversample --set train.epochs=1
check "the sampler and the epoch length are recorded" -- /usr/bin/python3 -c '
import json, glob, sys
r = json.load(open(glob.glob(sys.argv[1] + "/*/result.json")[0]))
assert r["config"]["train"]["sampler"] == "oversample", r["config"]["train"]
per_class = r["dataset"]["counts"]["train"]["per_class"]
assert r["training"]["samples_per_epoch"] == len(per_class) * max(per_class), (r["training"], per_class)
' "$t/over/runs/npz-e2e"
finish
