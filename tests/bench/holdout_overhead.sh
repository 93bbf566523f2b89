#!/usr/bin/env bash
# How much of a cell's evaluation is spent outside inference: making (or reading back) the
# perturbed hold-outs and resizing them for the model. Trains simple_cnn briefly on 96 x 96 RGB
# images (Fashion-MNIST enlarged and tinted) and evaluates it on all 19 ImageNet-C corruptions x 5
# severities; the first cell makes the hold-outs (cache miss), a second run with another model
# reads them from the cache. Reads `timing` from result.json.
# Usage: tests/bench/holdout_overhead.sh GAUNTLET [TEST_IMAGES=1000] [THREADS=2]
set -euo pipefail
bin=$1 n=${2:-1000} threads=${3:-2}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
/usr/bin/python3 - "$t" "$n" <<'PY'
import gzip, sys
import numpy as np
import cv2
out, n = sys.argv[1], int(sys.argv[2])
d = "/usr/share/datasets/fashion-mnist/"
def load(prefix, count):
    im = np.frombuffer(gzip.open(d + prefix + "-images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 28, 28)[:count]
    lb = np.frombuffer(gzip.open(d + prefix + "-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)[:count]
    big = np.stack([cv2.resize(x, (96, 96), interpolation=cv2.INTER_LINEAR) for x in im])
    rgb = np.stack([big, (big * 0.8).astype(np.uint8), big], -1)
    return rgb, lb.astype(np.int64)
for name, prefix, count in (("train", "train", 2000), ("test", "t10k", n)):
    x, y = load(prefix, count)
    np.savez(f"{out}/{name}.npz", images=x, labels=y)
PY
cat > "$t/suite.json" <<JSON
{"name": "overhead", "seed": 0,
 "data": {"source": "$t/train.npz", "test": "$t/test.npz", "split": {"val": 0.1}, "input_size": 96},
 "axes": {"backbone": {"cnn": {"name": "simple_cnn", "channels": [16, 32, 64], "convs_per_block": 2, "hidden": 128}},
          "augmentation": {"none": []}, "loss": ["cross_entropy"], "optimizer": {"adam": "adam"}},
 "train": {"epochs": 1, "batch_size": 64},
 "evaluate": {"corruptions": ["imagenet-c", "speckle_noise", "gaussian_blur", "spatter", "saturate"], "severities": [1, 2, 3, 4, 5]}}
JSON
"$bin" run "$t/suite.json" --out "$t/out" --threads "$threads" > "$t/log1"
"$bin" run "$t/suite.json" --out "$t/out" --threads "$threads" --set '/axes/optimizer={"adam2": {"name": "adam", "lr": 0.0005}}' > "$t/log2"
/usr/bin/python3 - "$t/out/runs/overhead" <<'PY'
import glob, json, sys
for f in sorted(glob.glob(sys.argv[1] + "/*/result.json"), key=lambda f: json.load(open(f))["timing"]["holdout_cache"]["hits"]):
    r = json.load(open(f)); tm = r["timing"]; h = tm["holdout_seconds"]
    outside = h["making"] + h["reading_cache"] + h["preparing"]
    print(f'{r["config"]["labels"]["optimizer"]:<6} hold-outs {len(r["eval"])}, images {r["eval"]["clean"]["n"]} each: '
          f'eval {tm["eval_seconds"]:.1f} s, inference {tm["inference_seconds"]:.1f} s, making {h["making"]:.1f} s, '
          f'reading cache {h["reading_cache"]:.2f} s, preparing {h["preparing"]:.2f} s; cache {tm["holdout_cache"]}; '
          f'outside inference {100 * outside / tm["eval_seconds"]:.1f}% of eval')
PY
