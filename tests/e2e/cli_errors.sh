#!/usr/bin/env bash
# Bad input through the real binary: exit 2, one clear message naming file and problem, and no
# output written.
set -u
bin=$1 src=$2
. "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
qs=$src/suites/quickstart.json

expect "help exits 0" 0 "gauntlet run" -- "$bin" --help
expect "run --help teaches the flags" 0 "--loader-threads" -- "$bin" run --help
expect "no subcommand is a usage error" 2 "" -- "$bin"
expect "unknown subcommand" 2 "" -- "$bin" frobnicate
expect "missing suite file" 2 "" -- "$bin" run "$t/nope.json"
expect "validate the quick start" 0 "expands to 4 cell(s)" -- "$bin" validate "$qs"

sed 's/"axes"/"axis"/' "$qs" > "$t/typo-top.json"
expect "misspelled top-level key" 2 'typo-top.json: /axis: unknown key "axis"; did you mean "axes"?' -- "$bin" validate "$t/typo-top.json"

sed 's/"optimizer": {/"optimiser": {/' "$qs" > "$t/typo-axis.json"
expect "misspelled axis key" 2 '/axes/optimiser: unknown key "optimiser"; did you mean "optimizer"?' -- "$bin" run "$t/typo-axis.json" --out "$t/out"

sed 's/"epochs": 4/"epochs": "three"/' "$qs" > "$t/type.json"
expect "wrong type names the pointer" 2 '/train/epochs: expected an integer' -- "$bin" validate "$t/type.json"

sed 's/"lr": 0.05/"lr": -0.05/' "$qs" > "$t/neg.json"
expect "negative lr" 2 '/axes/optimizer/sgd/lr' -- "$bin" validate "$t/neg.json"

sed 's/"severities": \[1, 3, 5\]/"severities": [1, 3, 6]/' "$qs" > "$t/sev.json"
expect "severity out of range" 2 '/evaluate/severities/2' -- "$bin" validate "$t/sev.json"

printf '{"name": "x",\n "data": {"source": "fashion-mnist:train"},\n "axes": {,}}\n' > "$t/syntax.json"
expect "invalid JSON names line and column" 2 'syntax.json: not valid JSON at line 3' -- "$bin" validate "$t/syntax.json"

expect "--set without =" 2 'expected PATH=VALUE' -- "$bin" validate "$qs" --set train.epochs
expect "--set to a bad value" 2 '/train/epochs: must be >= 1' -- "$bin" validate "$qs" --set train.epochs=0
expect "--set names the axis value" 0 "" -- "$bin" validate "$qs" --set /axes/optimizer/sgd/lr=0.1
expect "--threads out of range" 2 "" -- "$bin" run "$qs" --threads -1 --out "$t/out"

expect "missing data file" 2 'nope.npz: cannot open' -- "$bin" run "$qs" --set data.source="$t/nope.npz" --out "$t/out"
printf 'not a zip' > "$t/bad.npz"
expect "corrupt npz" 2 'bad.npz' -- "$bin" run "$qs" --set data.source="$t/bad.npz" --out "$t/out"
expect "unknown data scheme" 2 'unknown data spec' -- "$bin" run "$qs" --set data.source=mnist:train --out "$t/out"
expect "subset larger than the data" 2 '/data/subset' -- "$bin" run "$qs" --set data.subset=100000 --out "$t/out"
/usr/bin/python3 -c '
import sys, numpy as np
imgs = np.zeros((20, 8, 8), np.uint8)
np.savez(sys.argv[1], images=imgs, labels=np.array([0, 1] * 9 + [1, 10**10]))
np.savez(sys.argv[2], images=imgs, labels=np.zeros(20, np.int64))
' "$t/huge-label.npz" "$t/one-class.npz"
cat > "$t/npz-suite.json" <<'JSON'
{"name": "npz", "data": {"source": "x.npz"},
 "axes": {"backbone": ["simple_cnn"], "augmentation": [[]], "loss": ["cross_entropy"], "optimizer": ["sgd"]},
 "train": {"epochs": 1}}
JSON
expect "a label far out of range" 2 'huge-label.npz[labels]: label 10000000000 of image 19 is outside 0..99999' -- \
  "$bin" run "$t/npz-suite.json" --set data.source="$t/huge-label.npz" --out "$t/out"
expect "a single class" 2 'one-class.npz: a classifier needs at least 2 classes' -- \
  "$bin" run "$t/npz-suite.json" --set data.source="$t/one-class.npz" --out "$t/out"
expect "a seed too large for an integer" 2 '/axes/seeds/0: must be <= 9007199254740991' -- \
  "$bin" validate "$qs" --set '/axes/seeds=[1e19]'
check "bad input wrote nothing" -- test ! -e "$t/out"
mkdir -p "$t/runs/cell"
echo '{"a": 1}' > "$t/runs/cell/result.json"
expect "report on a result.json that is not one" 2 'cell/result.json: not a gauntlet result' -- "$bin" report "$t/runs" --out "$t/rep"
expect "compare on a result.json that is not one" 2 'cell/result.json: not a gauntlet result' -- "$bin" compare "$t/runs" "$t/runs"

finish
