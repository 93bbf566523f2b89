#!/usr/bin/env bash
# MixUp, CutMix, offline expansion and combinators through the real binary on Fashion-MNIST:
# results are identical for 1 and 3 loader threads; the expanded set is cached by content and a
# rerun reads it (and a damaged entry is made again) with an identical eval; bad mix and expand
# values are refused with their pointer, exit 2 and nothing written.
set -u
bin=$1 src=$2
. "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cat > "$t/suite.json" <<'JSON'
{
  "name": "mixexp",
  "data": {"source": "fashion-mnist:train", "test": "fashion-mnist:test", "subset": 800,
           "test_subset": 300, "split": {"val": 0.1}, "input_size": 20},
  "axes": {
    "backbone": {"cnn": {"name": "simple_cnn", "channels": [8, 16], "convs_per_block": 1, "hidden": 32}},
    "augmentation": {
      "mixup": {"ops": [{"op": "hflip"}], "mix": {"mixup_alpha": 0.2}},
      "both": {"mix": {"mixup_alpha": 0.4, "cutmix_alpha": 1.0, "switch_prob": 0.5}},
      "x3": {"ops": [{"op": "one_of", "ops": [{"op": "rotate", "degrees": 10},
                                               {"op": "some_of", "n": [1, 2], "ops": [{"op": "zoom"}, {"op": "erase"}]}]}],
             "expand": 2}
    },
    "loss": [{"name": "cross_entropy", "label_smoothing": 0.1}],
    "optimizer": {"adam": {"name": "adam", "lr": 0.003}}
  },
  "train": {"epochs": 2, "batch_size": 32},
  "evaluate": {"corruptions": ["contrast"], "severities": [3]}
}
JSON
expand_field() {  # expand_field RUNS FIELD: the x3 cell's result.json expand.FIELD
  /usr/bin/python3 -c '
import json, os, sys
d = sys.argv[1]
for c in sorted(c for c in os.listdir(d) if os.path.isdir(os.path.join(d, c))):
    r = json.load(open(os.path.join(d, c, "result.json")))
    if "expand" in r:
        print(json.dumps(r["expand"][sys.argv[2]]))
' "$1" "$2"
}

expect "run A (1 loader thread)" 0 "3 ran, 0 skipped" -- "$bin" run "$t/suite.json" --out "$t/a" --loader-threads 1 --threads 2
check "the expanded cell trained on 3 x 720 images" -- test "$(expand_field "$t/a/runs/mixexp" train_images)" = 2160
check "the first expansion was made, not read" -- test "$(expand_field "$t/a/runs/mixexp" cache_hit)" = false
check "the expansion is in the cache" -- test "$(ls "$t/a/cache"/expand-*.npz | wc -l)" -eq 1
expect "run B (3 loader threads)" 0 "3 ran" -- "$bin" run "$t/suite.json" --out "$t/b" --loader-threads 3 --threads 2
check "eval identical for 1 and 3 loader threads" -- same_evals "$t/a/runs/mixexp" "$t/b/runs/mixexp"
check "results follow the format and match sklearn" -- \
  /usr/bin/python3 "$src/tests/e2e/check_results.py" "$t/a/runs/mixexp" --min-cells 3
check "preview grids: augmentation where the cell has per-epoch ops, corruptions everywhere, same for any loader threads" -- \
  /usr/bin/python3 -c '
import json, os, sys
a, b = sys.argv[1:]
seen = {}
for c in sorted(os.listdir(a)):
    if not os.path.isdir(os.path.join(a, c)):
        continue
    r = json.load(open(os.path.join(a, c, "result.json")))
    label = r["config"]["labels"]["augmentation"]
    # mixup has per-epoch ops; both only mixes batches; the ops of x3 make its offline copies, once.
    want = (["augmentation_preview.png"] if label == "mixup" else []) + ["corruption_preview.png"]
    assert r["explain"]["previews"] == want, (label, r["explain"])
    for name in want:
        one, three = (open(os.path.join(d, c, "explain", name), "rb").read() for d in (a, b))
        assert one[:8] == b"\x89PNG\r\n\x1a\n" and one == three, (label, name)
    seen[label] = True
assert sorted(seen) == ["both", "mixup", "x3"], seen
' "$t/a/runs/mixexp" "$t/b/runs/mixexp"
check "the cell pages of the report show the previews with their captions" -- bash -c "
  grep -l 'explain/augmentation_preview.png' '$t/a/reports/mixexp/cells/'*.html | wc -l | grep -qx 1 &&
  grep -q 'Augmentation preview: the first training image of each class' '$t/a/reports/mixexp/cells/'*.html &&
  grep -q 'Corruption preview: test image 0' '$t/a/reports/mixexp/cells/'*.html"

cp -r "$t/a/runs" "$t/a-before"
expect "rerun" 0 "3 ran" -- "$bin" run "$t/suite.json" --out "$t/a" --rerun --threads 2
check "the rerun read the expansion from the cache" -- test "$(expand_field "$t/a/runs/mixexp" cache_hit)" = true
check "and reproduced every eval" -- same_evals "$t/a-before/mixexp" "$t/a/runs/mixexp"
for f in "$t/a/cache"/expand-*.npz; do printf 'damaged' > "$f"; done
expect "rerun over a damaged cache entry" 0 "3 ran" -- "$bin" run "$t/suite.json" --out "$t/a" --rerun --threads 2
check "the damaged entry was made again" -- test "$(expand_field "$t/a/runs/mixexp" cache_hit)" = false
check "with the same eval" -- same_evals "$t/a-before/mixexp" "$t/a/runs/mixexp"

expect "a negative alpha is refused" 2 "/axes/augmentation/mixup/mix/mixup_alpha" -- \
  "$bin" run "$t/suite.json" --out "$t/bad" --set /axes/augmentation/mixup/mix/mixup_alpha=-1
expect "an unknown mix key is refused" 2 "did you mean" -- \
  "$bin" validate "$t/suite.json" --set '/axes/augmentation/mixup/mix/mixup_alph=1'
expect "a bad op inside expand is refused with its pointer" 2 "/axes/augmentation/x3/expand/ops/0" -- \
  "$bin" run "$t/suite.json" --out "$t/bad" --set '/axes/augmentation/x3={"expand": {"copies": 1, "ops": [{"op": "brightness", "factor": [2, 1]}]}}'
check "nothing was written for bad input" -- test ! -e "$t/bad"
finish
