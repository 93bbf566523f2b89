#!/usr/bin/env bash
# Hold-outs through the real binary: corruptions, a profile and an external set in one run; the
# content-addressed cache (a second model reads it; its images equal `gauntlet perturb`'s);
# CE/mCE against a named baseline cell; `gauntlet eval` adding a hold-out to finished cells from
# their saved weights; `perturb --preview`; and bad input (exit 2, naming what is wrong).
set -u
bin=$1 src=$2
. "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
py=/usr/bin/python3

# 400 Fashion-MNIST test images as a plain .npz (classes by index), the suite's test source.
$py - "$t/test.npz" <<'PY'
import gzip, sys
import numpy as np
d = "/usr/share/datasets/fashion-mnist/"
images = np.frombuffer(gzip.open(d + "t10k-images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 28, 28)
labels = np.frombuffer(gzip.open(d + "t10k-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
np.savez(sys.argv[1], images=images[:400], labels=labels[:400].astype(np.int64))
PY
qs=$src/suites/quickstart.json
small=(--set data.subset=1500 --set data.test='"'"$t/test.npz"'"' --set data.test_subset=400
       --set train.epochs=1 --set '/evaluate/severities=[2,5]' --set '/evaluate/profiles=["hidden-like"]'
       --set '/evaluate/baseline=cnn/none/cross_entropy/sgd' --set '/axes/augmentation={"none":[]}' --threads 2)

expect "run: 2 cells, corruptions + profile + baseline" 0 "2 ran" -- "$bin" run "$qs" "${small[@]}" --out "$t/a"
runs=$t/a/runs/quickstart
check "results match scikit-learn on every hold-out" -- $py "$src/tests/e2e/check_results.py" "$runs" --min-cells 2
check "hold-outs, cache entries, weights, CE/mCE" -- $py - "$runs" "$t/a/cache" <<'PY'
import glob, json, os, sys
runs, cache = sys.argv[1:]
want = {"clean", "c.gaussian_noise.2", "c.gaussian_noise.5", "c.contrast.2", "c.contrast.5", "p.hidden-like"}
rs = [json.load(open(f)) for f in glob.glob(runs + "/*/result.json")]
assert len(rs) == 2
for r in rs:
    assert set(r["eval"]) == want, sorted(r["eval"])
    assert r["holdouts"]["c.contrast.2"]["table"] == "small" and r["holdouts"]["c.contrast.2"]["parameters"] == [0.5]
    assert r["holdouts"]["p.hidden-like"]["profile"]["name"] == "hidden-like"
    assert os.path.getsize(os.path.join(runs, r["cell_id"], "model.pt")) > 1000
    rb = r["robustness"]
    assert rb["baseline"] == "cnn/none/cross_entropy/sgd" and rb["measure"] == "error"
    # mCE recomputed from the per-severity accuracies of this cell and the baseline's.
    base = next(x for x in rs if x["config"]["labels"]["optimizer"] == "sgd")
    ces = []
    for c in ("gaussian_noise", "contrast"):
        e = sum(1 - r["eval"][f"c.{c}.{s}"]["accuracy"] for s in (2, 5))
        b = sum(1 - base["eval"][f"c.{c}.{s}"]["accuracy"] for s in (2, 5))
        assert abs(rb["per_corruption"][c]["ce"] - e / b) < 1e-12
        ces.append(e / b)
    assert abs(rb["mce"] - sum(ces) / 2) < 1e-12, (rb["mce"], ces)
    if r is base:
        assert rb["mce"] == 1.0
    assert abs(rb["gap"] - (r["eval"]["clean"]["accuracy"] - rb["mean_corruption_accuracy"])) < 1e-12
    assert len(rb["class_accuracy"]["p.hidden-like"]) == 10
timings = sorted((r["timing"]["holdout_cache"]["misses"], r["timing"]["holdout_cache"]["hits"]) for r in rs)
assert timings == [(0, 0), (5, 0)], timings  # the first cell made 5 hold-outs; the second kept them in memory
assert len(glob.glob(cache + "/*.npz")) == 5
PY

expect "perturb a profile" 0 "profile hidden-like" -- \
  "$bin" perturb "$t/test.npz" --profile hidden-like --out "$t/hidden.npz" --seed 0 --threads 2
# eval: a new hold-out for finished cells, from their weights, without retraining.
expect "eval adds x.hidden to every cell" 0 "2 evaluated, 0 skipped" -- \
  "$bin" eval "$runs" --holdout hidden="$t/hidden.npz" --threads 2
check "... with predictions that match scikit-learn" -- $py "$src/tests/e2e/check_results.py" "$runs" --min-cells 2
check "... and the same accuracy as the p.hidden-like hold-out (same images, same weights)" -- $py -c '
import glob, json, sys
for f in glob.glob(sys.argv[1] + "/*/result.json"):
    e = json.load(open(f))["eval"]
    assert e["x.hidden"]["accuracy"] == e["p.hidden-like"]["accuracy"], f
    assert e["x.hidden"]["confusion"] == e["p.hidden-like"]["confusion"], f
' "$runs"
expect "compare sees the added hold-out" 0 "x.hidden" -- "$bin" compare "$runs" "$runs"

# eval is all or nothing: a damaged model.pt is bad input and no result changes.
cp -r "$runs" "$t/damaged"
dcell=$(ls -d "$t/damaged"/*/ | head -n 1)
head -c 100 "$dcell/model.pt" > "$dcell/model.pt.cut" && mv "$dcell/model.pt.cut" "$dcell/model.pt"
sums=$(cat "$t/damaged"/*/result.json | md5sum)
expect "eval: a damaged model.pt" 2 "model.pt: cannot load the weights" -- \
  "$bin" eval "$t/damaged" --holdout again="$t/hidden.npz"
check "... and no result.json changed" -- test "$(cat "$t/damaged"/*/result.json | md5sum)" = "$sums"
# A baseline cell without weights is not evaluated, but still scores the others: mCE stays.
cp -r "$runs" "$t/nobase"
bcell=$(dirname "$(grep -l '"optimizer": "sgd"' "$t/nobase"/*/result.json)")
rm "$bcell/model.pt"
expect "eval: the baseline cell has no weights" 0 "1 evaluated, 1 skipped" -- \
  "$bin" eval "$t/nobase" --holdout again="$t/hidden.npz"
check "... and the others keep their mCE" -- $py -c '
import glob, json, sys
rs = [json.load(open(f)) for f in glob.glob(sys.argv[1] + "/*/result.json")]
assert all(r["robustness"]["mce"] is not None for r in rs), [r["robustness"]["mce"] for r in rs]
assert sum("x.again" in r["eval"] for r in rs) == 1
' "$t/nobase"

expect "a second run with another model reads the cache" 0 "1 ran" -- \
  "$bin" run "$qs" "${small[@]}" --set '/axes/optimizer={"sgd2": {"name": "sgd", "lr": 0.02}}' \
  --set /evaluate/baseline=cnn/none/cross_entropy/sgd2 --out "$t/a"
check "... 5 cache hits, nothing made" -- $py -c '
import glob, json, sys
r = [json.load(open(f)) for f in glob.glob(sys.argv[1] + "/*/result.json")
     if json.load(open(f))["config"]["labels"]["optimizer"] == "sgd2"][0]
assert r["timing"]["holdout_cache"] == {"hits": 5, "misses": 0}, r["timing"]
assert r["timing"]["holdout_seconds"]["making"] == 0
' "$runs"

# perturb reproduces the run's hold-out images (same seed, same test images), byte for byte.
expect "perturb --out" 0 "hold-out c.contrast.5 (small table, seed 0)" -- \
  "$bin" perturb "$t/test.npz" --corruption contrast --severity 5 --out "$t/contrast5.npz" --seed 0
check "perturb's images are the cached hold-outs" -- $py - "$t/a/cache" "$t/contrast5.npz" "$t/hidden.npz" <<'PY'
import glob, sys
import numpy as np
cached = [np.load(f)["images"] for f in glob.glob(sys.argv[1] + "/*.npz")]
for f in sys.argv[2:]:
    got = np.load(f)
    assert got["images"].dtype == np.uint8 and got["images"].shape == (400, 28, 28, 1), got["images"].shape
    assert sum(np.array_equal(got["images"], c) for c in cached) == 1, f
PY
expect "perturb --preview (rows corruptions, columns severities)" 0 "19 corruption(s) x 5 severities" -- \
  "$bin" perturb "$t/test.npz" --corruption imagenet-c,speckle_noise,gaussian_blur,spatter,saturate --preview "$t/grid.png"
check "... a PNG that PIL reads, one row per corruption" -- $py -c '
import sys
from PIL import Image
im = Image.open(sys.argv[1])
assert im.format == "PNG" and im.mode == "RGB" and im.size[1] >= 19 * 96, (im.format, im.mode, im.size)
' "$t/grid.png"

# The cache only saves time: when it cannot be written, cells still run (with a warning).
mkdir -p "$t/nocache" && echo "not a folder" > "$t/nocache/cache"
expect "an unwritable cache costs a warning, not the run" 0 "not cached" -- \
  "$bin" run "$qs" "${small[@]}" --out "$t/nocache"

# Bad input: exit 2 with the file or flag and what is wrong.
expect "perturb: unknown corruption" 2 'unknown corruption "gausian_noise"' -- \
  "$bin" perturb "$t/test.npz" --corruption gausian_noise --severity 1 --out "$t/x.npz"
expect "perturb: --out needs one corruption and severity" 2 "give one corruption and one --severity" -- \
  "$bin" perturb "$t/test.npz" --corruption contrast,fog --severity 1 --out "$t/x.npz"
expect "perturb: a name in both families needs no --family (ImageNet-C)" 0 "hold-out c.pixelate.1" -- \
  "$bin" perturb "$t/test.npz" --corruption pixelate --severity 1 --out "$t/x.npz"
expect "perturb: --family bloodmnist-c picks the blood op" 0 "hold-out c.bloodmnist-c.pixelate.1" -- \
  "$bin" perturb "$t/test.npz" --corruption pixelate --family bloodmnist-c --severity 1 --out "$t/x.npz"
expect "perturb: an --out path that cannot be written" 2 "--out: " -- \
  "$bin" perturb "$t/test.npz" --corruption contrast --severity 1 --out "$t/nocache/cache/x.npz"
check "no temporary file left by the perturb calls" -- test -z "$(find "$t" -name '*.tmp-*')"
$py - "$t/bad_labels.npz" <<'PY'
import sys
import numpy as np
np.savez(sys.argv[1], images=np.zeros((4, 28, 28), np.uint8), labels=np.array([0, 1, 12, 3]))
PY
expect "eval: a class the model does not know" 2 "bad_labels.npz: classes 12 are not among the training classes" -- \
  "$bin" eval "$runs" --holdout odd="$t/bad_labels.npz"
expect "eval: a bad hold-out name" 2 "expected NAME=DATA" -- "$bin" eval "$runs" --holdout "Big Name=$t/hidden.npz"
expect "eval: a hold-out name given twice" 2 'hold-out "a" given twice' -- \
  "$bin" eval "$runs" --holdout a="$t/hidden.npz" --holdout a="$t/contrast5.npz"
check "a failed eval changes no result" -- bash -c '! grep -l "x.odd" "$1"/*/result.json' _ "$runs"
expect "suite: unknown profile, with a did-you-mean" 2 'unknown profile "hiden-like"; did you mean "hidden-like"?' -- \
  "$bin" validate "$qs" --set '/evaluate/profiles=["hiden-like"]'
echo '{"name": "mine", "ops": [{"op": "corrupt", "corruption": "fog", "severity": [4, 2]}]}' > "$t/mine.json"
expect "profile file: severity range min > max" 2 "mine.json: /ops/0: corrupt: severity [4, 2] has min > max" -- \
  "$bin" perturb "$t/test.npz" --profile "$t/mine.json" --out "$t/x.npz"
echo '{"name": "mine", "ops": [{"op": "corrupt", "corruption": "fog"}], "wieghts": [1]}' > "$t/typo.json"
expect "profile file: unknown key, with a did-you-mean" 2 'typo.json: /wieghts: unknown key "wieghts"; did you mean "weights"?' -- \
  "$bin" perturb "$t/test.npz" --profile "$t/typo.json" --out "$t/x.npz"
expect "suite: a baseline that names no cell" 2 '/evaluate/baseline: no cell of the suite has the labels "cnn/none/cross_entropy/rmsprop"' -- \
  "$bin" validate "$qs" --set /evaluate/baseline=cnn/none/cross_entropy/rmsprop

finish
