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
# Preprocessing: centre crop, bicubic resize, the training split's z-score. result.json records the
# numbers; `gauntlet eval` on the test images again (an external hold-out) must predict exactly as
# the run's clean evaluation did, which it only does with the recorded crop, resize and mean/std.
/usr/bin/python3 - "$t/cells.npz" "$t/train.npz" "$t/test.npz" <<'PY'
import sys
import numpy as np
d = np.load(sys.argv[1])
np.savez(sys.argv[2], images=d["images"][:180], labels=d["labels"][:180])
np.savez(sys.argv[3], images=d["images"][180:], labels=d["labels"][180:])
PY
pre='{"center_crop": 0.8, "resize": "bicubic", "normalize": "dataset"}'
expect "run with data.preprocess" 0 "1 ran" -- "$bin" run "$t/suite.json" --out "$t/pre" --threads 1 \
  --set train.epochs=1 --set data.source="$t/train.npz" --set data.test="$t/test.npz" \
  --set 'data.split={"val": 0.2, "test": 0}' --set "data.preprocess=$pre"
expect "eval the test images again" 0 "" -- "$bin" eval "$t/pre/runs/npz-e2e" --holdout "again=$t/test.npz" --threads 1
check "the record holds the training split's z-score and eval reproduces the clean predictions" -- \
  /usr/bin/python3 -c '
import glob, json, sys
import cv2
import numpy as np
cell = glob.glob(sys.argv[1] + "/*/result.json")[0].rsplit("/", 1)[0]
r = json.load(open(cell + "/result.json"))
p = r["preprocess"]
assert p["normalize"] == "dataset" and p["resize"] == "bicubic" and p["center_crop"] == 0.8, p
assert r["config"]["data"]["preprocess"]["normalize"] == "dataset", r["config"]["data"]
# The centre 16 x 16 of 20 x 20 (offset 2), bicubic to 24: the source'"'"'s per-channel statistics,
# within what a stratified 80 % sample can move them.
imgs = np.load(sys.argv[2])["images"]
prep = np.stack([cv2.resize(x[2:18, 2:18], (24, 24), interpolation=cv2.INTER_CUBIC) for x in imgs]) / 255.0
mean, std = prep.reshape(-1, 3).mean(0), prep.reshape(-1, 3).std(0)
assert np.allclose(p["mean"], mean, atol=0.01) and np.allclose(p["std"], std, atol=0.01), (p, mean, std)
assert abs(p["mean"][2] - p["mean"][0]) > 0.03, p  # the channels differ: per channel, not pooled
a = open(cell + "/predictions/clean.csv").read()
b = open(cell + "/predictions/x.again.csv").read()
assert a == b, "eval predicted the test images differently from the run"
' "$t/pre/runs/npz-e2e" "$t/train.npz"
finish
