#!/usr/bin/env bash
# `gauntlet audit` through the real binary: synthetic:bloodcell with planted dirt scored with
# --truth (all duplicates and conflicts, >= 95% of outliers, <= 1% of clean images flagged), the
# three files it writes, a MedMNIST-style .npz with ?split=, and bad input (exit 2, nothing written).
set -u
bin=$1 src=$2
. "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
spec='synthetic:bloodcell?n=2000&seed=5&size=64&outliers=30&duplicates=40&conflicts=20'
expect "audit a synthetic set against its planted dirt" 0 "planted dirt: 40/40 duplicate copies found, 20/20 conflict copies found" -- \
  "$bin" audit "$spec" --out "$t/a" --truth "$t/truth.json"
echo "$last_out" | tail -2
check "audit.json holds the issue's keys, 0-based, and >= 95% of the planted outliers" -- /usr/bin/python3 - "$t" <<'PY'
import json, sys
d = sys.argv[1]
a = json.load(open(d + "/a/audit.json")); t = json.load(open(d + "/truth.json"))
for k in ("duplicates", "conflicts", "near_duplicates", "outliers", "class_counts"):
    assert k in a, k
assert sum(a["class_counts"]) == a["n"] == 2000
assert len(a["conflicts"]) == 20, len(a["conflicts"])
flagged = {o["index"] for o in a["outliers"]}
assert all(o["reasons"] and o["score"] >= 1 for o in a["outliers"])
found = sum(i in flagged for i in t["outliers"])
assert found >= 0.95 * len(t["outliers"]), (found, len(t["outliers"]))
planted = set(t["outliers"]) | {i for p in t["duplicates"] + t["conflicts"] for i in p}
clean_flagged = len(flagged - planted)
assert clean_flagged <= 0.01 * (2000 - len(planted)), clean_flagged
PY
check "audit.md and audit.png written" -- test -s "$t/a/audit.md" -a -s "$t/a/audit.png"
/usr/bin/python3 - "$t/med.npz" <<'PY'
import sys, numpy as np
r = np.random.default_rng(0)
imgs = lambda n: r.integers(0, 255, (n, 3, 16, 16)).astype(np.uint8)  # NCHW, as some tools save
np.savez(sys.argv[1], train_images=imgs(30), train_labels=r.integers(0, 3, (30, 1)).astype(np.uint8),
         test_images=imgs(10), test_labels=r.integers(0, 3, (10, 1)).astype(np.uint8))
PY
expect "a MedMNIST archive needs a split" 2 "choose a split with" -- "$bin" audit "$t/med.npz" --out "$t/m"
check "nothing written on bad input" -- test ! -e "$t/m"
expect "audit a MedMNIST test split (NCHW)" 0 "audited 10 images" -- "$bin" audit "$t/med.npz?split=test" --out "$t/m"
expect "--truth needs a synthetic source" 2 "only a synthetic: source" -- \
  "$bin" audit "$t/med.npz?split=test" --out "$t/m2" --truth "$t/x.json"
check "nothing written when --truth cannot be honoured" -- test ! -e "$t/m2"
# data.clean in a suite: the audit's findings dropped before the split, recorded in result.json.
cat > "$t/suite.json" <<JSON
{
  "name": "clean-e2e",
  "data": {"source": "synthetic:bloodcell?n=600&seed=2&size=64&outliers=6&duplicates=8&conflicts=4",
           "clean": true, "split": {"folds": 3, "fold": 1, "test": 0.2}, "input_size": 32},
  "axes": {"backbone": {"tiny": {"name": "simple_cnn", "channels": [8], "convs_per_block": 1, "hidden": 0}},
           "augmentation": {"none": []}, "loss": ["cross_entropy"], "optimizer": ["adam"]},
  "train": {"epochs": 1, "batch_size": 64},
  "evaluate": {"corruptions": [], "severities": [1]}
}
JSON
expect "run a suite with data.clean and k-fold" 0 "1 ran" -- "$bin" run "$t/suite.json" --out "$t/out" --threads 1
check "result.json records what data.clean dropped and the fold" -- /usr/bin/python3 - "$t/out/runs/clean-e2e" <<'PY'
import glob, json, sys
r = json.load(open(glob.glob(sys.argv[1] + "/*/result.json")[0]))
c = r["dataset"]["cleaning"]
assert len(c["duplicates"]) == 8 and len(c["conflicts"]) == 8, c
assert len(c["outliers"]) >= 6, c  # all planted: at 64 px the audit finds them
assert c["removed"] == len(c["duplicates"]) + len(c["conflicts"]) + len(c["outliers"]), c
n = sum(r["dataset"]["counts"][p]["n"] for p in ("train", "val", "test"))
assert n == 600 - c["removed"] == c["kept"], (n, c)
assert r["config"]["data"]["split"] == {"test": 0.2, "folds": 3, "fold": 1}, r["config"]["data"]["split"]
PY
finish
