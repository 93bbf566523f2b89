#!/usr/bin/env bash
# `gauntlet augment` through the real binary: the preview grid, the augmented set (same bytes for
# any thread count and run, different for another seed), and bad input (exit 2, nothing written).
set -u
bin=$1 src=$2
. "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
py=/usr/bin/python3
echo '[{"op": "hflip"}, {"op": "rotate", "degrees": 20, "fill": "reflect"}, {"op": "erase", "p": 0.5}]' > "$t/p.json"

expect "preview grid" 0 "preview, 4 images x 5 draws" -- \
  "$bin" augment fashion-mnist:test --pipeline "$t/p.json" --preview "$t/grid.png" --samples 4 --draws 5 --cell 48
check "... a PNG: 4 rows, original + 5 draws" -- $py -c '
import sys
from PIL import Image
im = Image.open(sys.argv[1])
assert im.format == "PNG" and im.mode == "RGB" and im.size[0] >= 6 * 48 and im.size[1] >= 4 * 48, im.size
' "$t/grid.png"
expect "augmented set, 1 thread" 0 "10000 images of fashion-mnist:test, one draw each (epoch 0, seed 3)" -- \
  "$bin" augment fashion-mnist:test --pipeline "$t/p.json" --out "$t/a1.npz" --seed 3
expect "augmented set, 2 threads" 0 "one draw each" -- \
  "$bin" augment fashion-mnist:test --pipeline "$t/p.json" --out "$t/a2.npz" --seed 3 --threads 2
expect "augmented set, another seed" 0 "one draw each" -- \
  "$bin" augment fashion-mnist:test --pipeline "$t/p.json" --out "$t/b.npz" --seed 4
check "same bytes for any thread count; another seed differs; labels kept" -- $py - "$t" <<'PY'
import gzip, sys
import numpy as np
t = sys.argv[1]
a1, a2, b = (np.load(f"{t}/{n}.npz") for n in ("a1", "a2", "b"))
assert a1["images"].shape == (10000, 28, 28, 1) and a1["images"].dtype == np.uint8
assert np.array_equal(a1["images"], a2["images"])
assert not np.array_equal(a1["images"], b["images"])
d = "/usr/share/datasets/fashion-mnist/"
labels = np.frombuffer(gzip.open(d + "t10k-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
assert np.array_equal(a1["labels"], labels)
clean = np.frombuffer(gzip.open(d + "t10k-images-idx3-ubyte.gz").read(), np.uint8, offset=16).reshape(-1, 28, 28, 1)
changed = (a1["images"] != clean).any(axis=(1, 2, 3)).mean()
assert changed > 0.9, changed  # rotation by U(-20, 20) changes nearly every image
PY

echo '[{"op": "rotate", "degrees": 200}]' > "$t/bad.json"
expect "a pipeline value out of range" 2 "bad.json: /0/degrees: must be <= 180, got 200" -- \
  "$bin" augment fashion-mnist:test --pipeline "$t/bad.json" --out "$t/x.npz"
echo '[{"op": "rotat"}]' > "$t/typo.json"
expect "a misspelt op, with a did-you-mean" 2 'did you mean "rotate"?' -- \
  "$bin" augment fashion-mnist:test --pipeline "$t/typo.json" --out "$t/x.npz"
expect "neither --out nor --preview" 2 "give --out FILE.npz, --preview FILE.png or both" -- \
  "$bin" augment fashion-mnist:test --pipeline "$t/p.json"
check "nothing written by the failed calls" -- test ! -e "$t/x.npz" -a -z "$(find "$t" -name '*.tmp-*')"

finish
