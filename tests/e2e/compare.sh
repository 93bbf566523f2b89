#!/usr/bin/env bash
# `gauntlet compare` through the real binary. One real run (the quick-start suite shrunk to one
# cell, two seeds) is the base; candidates are edited copies (tests/e2e/compare_fixtures.py):
# identical -> exit 0, no evidence anywhere; 15% of the correct predictions on one corruption
# flipped -> exit 1, that hold-out a regression, every other not; bad input -> exit 2. Also the
# suite's compare section and its precedence, --match, --map, the JSON, the figure and
# ci/regression-gate.sh.
set -u
bin=$1 src=$2 metrics_dump=$3
. "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fx=(/usr/bin/python3 "$src/tests/e2e/compare_fixtures.py")
small=(--set data.subset=1500 --set data.test_subset=400 --set train.epochs=1 --set /evaluate/severities=[2,5]
       --set '/axes/optimizer=["sgd"]' --set '/axes/augmentation={"none":[]}' --set /axes/seeds=[0,1] --threads 2)
qs=$src/suites/quickstart.json
bad=c.gaussian_noise.5

expect "base run (1 cell x 2 seeds)" 0 "2 ran" -- "$bin" run "$qs" "${small[@]}" --out "$t/base"
base=$t/base/runs/quickstart
cp -r "$base" "$t/same"
"${fx[@]}" degrade "$base" "$t/worse" --holdout $bad --fraction 0.15 --metrics-dump "$metrics_dump" >/dev/null

# Identical results: nothing to report.
expect "identical copy: exit 0" 0 "**No evidence of change**: 0 of 6 hold-outs of 1 cell pair (1 of them seed groups)" -- \
  "$bin" compare "$base" "$t/same" --json "$t/same.json"
check "identical copy: every verdict is no evidence, deltas 0, p 1" -- /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "gauntlet.compare/1" and d["summary"]["verdict"] == "no evidence", d["summary"]
hs = [h for g in d["groups"] for h in g["holdouts"]]
assert len(hs) == 6 and all(h["verdict"] == "no evidence" for h in hs), hs
assert all(h["delta"] == 0 and h["ci"] == [0, 0] and h["mcnemar"]["p_holm"] == 1 for h in hs)
assert d["groups"][0]["seeds"] == [0, 1] and all(h["seeds"] == 2 for h in hs)
' "$t/same.json"

# A planted regression on one corruption, over two seeds (a seed group) and for one seed alone.
expect "degraded candidate: exit 1" 1 "**Regression**: 1 of 6 hold-outs of 1 cell pair" -- \
  "$bin" compare "$base" "$t/worse" --json "$t/worse.json" --markdown "$t/worse.md" --figure "$t/fig/worse.png"
check "degraded candidate: only $bad regressed, the others no evidence" -- /usr/bin/python3 -c '
import json, sys
d, bad = json.load(open(sys.argv[1])), sys.argv[2]
assert d["summary"]["regressions"] == 1 and d["summary"]["verdict"] == "regression", d["summary"]
for h in d["groups"][0]["holdouts"]:
    want = "regression" if h["holdout"] == bad else "no evidence"
    assert h["verdict"] == want, (h["holdout"], h["verdict"])
    if h["holdout"] == bad:
        # 15% of the correct predictions flipped: delta = -0.15 * base accuracy per seed.
        per = h["per_seed"]
        assert len(per) == 2 and all(abs(s["delta"] + 0.15 * s["base_accuracy"]) < 0.003 for s in per), per
        assert h["ci"][1] < 0 and h["mcnemar"]["c"] == 0 and h["mcnemar"]["p_holm"] < 1e-6, h
        assert h["delta_sd"] is not None and h["macro_f1"]["delta"] < 0
        assert h["confusion_growth"] and h["confusion_growth"][0]["growth"] > 0
' "$t/worse.json" $bad
check "markdown: verdict first, table row, class pairs of the regressed hold-out" -- /usr/bin/python3 -c '
import sys
md, bad = open(sys.argv[1]).read(), sys.argv[2]
assert md.startswith("**Regression**"), md[:80]
assert "| cell | hold-out | base acc | cand acc | delta | 95% CI | McNemar p (Holm) | macro F1 delta | verdict |" in md
row = next(l for l in md.splitlines() if "| " + bad + " |" in l)
assert row.endswith("| **regression** |") and "(sd " in row, row
assert "### Class pairs that degraded most" in md and ", " + bad + ": " in md
' "$t/worse.md" $bad
if command -v gnuplot >/dev/null; then
  check "figure drawn with its .dat and .gp" -- test -s "$t/fig/worse.png" -a -s "$t/fig/worse.dat" -a -s "$t/fig/worse.gp"
else
  check "no gnuplot: .dat and .gp still written" -- test -s "$t/fig/worse.dat" -a -s "$t/fig/worse.gp"
fi
cell0=$(grep -l '"seed": 0' "$base"/*/result.json)
wcell0=$t/worse/$(basename "$(dirname "$cell0")")/result.json
expect "single result.json files: exit 1" 1 "**Regression**: 1 of 6 hold-outs of 1 cell pair" -- \
  "$bin" compare "$cell0" "$wcell0"
expect "the same bootstrap seed gives the same output" 0 "" -- \
  bash -c "cmp <('$bin' compare '$base' '$t/worse' 2>/dev/null) <('$bin' compare '$base' '$t/worse' 2>/dev/null)"

# Tolerance and alpha from the suite's compare section; command-line flags win.
/usr/bin/python3 - "$qs" "$t/tolerant.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["compare"] = {"tolerance": 0.5, "alpha": 0.01, "resamples": 500, "match": ["backbone", "augmentation", "loss", "optimizer", "seed"]}
json.dump(s, open(sys.argv[2], "w"), indent=2)
PY
expect "a suite with a compare section validates" 0 "expands to 4 cell(s)" -- "$bin" validate "$t/tolerant.json"
expect "the quick start still validates" 0 "expands to 4 cell(s)" -- "$bin" validate "$qs"
expect "suite tolerance 0.5 hides the drop: exit 0" 0 "**No evidence of change**" -- \
  "$bin" compare "$base" "$t/worse" --suite "$t/tolerant.json" --json "$t/tolerant-out.json"
check "suite values are used" -- /usr/bin/python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))["options"]
assert (o["tolerance"], o["alpha"], o["resamples"]) == (0.5, 0.01, 500), o
' "$t/tolerant-out.json"
expect "--tolerance on the command line wins over the suite" 1 "**Regression**" -- \
  "$bin" compare "$base" "$t/worse" --suite "$t/tolerant.json" --tolerance 0
sed 's/"tolerance"/"tolerence"/' "$t/tolerant.json" > "$t/typo.json"
expect "a misspelled compare key is bad input" 2 '/compare/tolerence' -- \
  "$bin" compare "$base" "$t/worse" --suite "$t/typo.json"

# Matching: --match without the seed pairs by seed within a key; --map pairs different labels;
# unmatched cells, one-sided hold-outs and failed cells are listed.
expect "--match backbone pairs cells by seed" 1 "**Regression**: 1 of 6 hold-outs of 1 cell pair" -- \
  "$bin" compare "$base" "$t/worse" --match backbone
expect "--match with an unknown field" 2 "unknown field 'colour'" -- "$bin" compare "$base" "$t/same" --match backbone,colour
cp -r "$base" "$t/other"
ocell=$(dirname "$(grep -l '"seed": 1' "$t/other"/*/result.json)")
"${fx[@]}" relabel-cell "$ocell" --optimizer adam
expect "a relabelled candidate cell is listed as unmatched" 0 "unmatched candidate cell: cnn/none/cross_entropy/adam/seed1" -- \
  "$bin" compare "$base" "$t/other"
expect "... and its base partner too" 0 "unmatched base cell: cnn/none/cross_entropy/sgd/seed1" -- \
  "$bin" compare "$base" "$t/other"
expect "... with the closest cell and the field that differs" 0 \
  "closest candidate cell cnn/none/cross_entropy/adam/seed1 differs in optimizer" -- "$bin" compare "$base" "$t/other"
expect "leaving optimizer out of --match pairs them" 0 "Every cell and hold-out was matched" -- \
  "$bin" compare "$base" "$t/other" --match backbone,augmentation,loss,seed,train,data
expect "... and names what differs in the pair" 0 '`/optimizer/name`: "sgd" -> "adam"' -- \
  "$bin" compare "$base" "$t/other" --match backbone,augmentation,loss,seed,train,data
expect "identical configs: nothing differs" 0 "Nothing: configs, data and code versions are identical." -- \
  "$bin" compare "$base" "$t/same"
cp -r "$base" "$t/renamed"
"${fx[@]}" relabel-cell "$(dirname "$(grep -l '"seed": 1' "$t/renamed"/*/result.json)")" --optimizer sgd2 --label-only
expect "a renamed but unchanged cell still pairs (configs are matched, not labels)" 0 \
  "Every cell and hold-out was matched" -- "$bin" compare "$base" "$t/renamed"
echo '[{"base": {"optimizer": "sgd", "seed": 1}, "candidate": {"optimizer": "adam", "seed": 1}}]' > "$t/map.json"
expect "--map pairs them" 0 "Every cell and hold-out was matched" -- "$bin" compare "$base" "$t/other" --map "$t/map.json"
echo '[{"base": {"optimiser": "sgd"}, "candidate": {"optimizer": "adam"}}]' > "$t/badmap.json"
expect "--map with an unknown field" 2 "badmap.json: /0/base/optimiser: unknown field" -- \
  "$bin" compare "$base" "$t/other" --map "$t/badmap.json"
cp -r "$base" "$t/partial"
pcells=("$t/partial"/*/)
"${fx[@]}" drop-holdout "${pcells[0]}" --holdout c.contrast.2
"${fx[@]}" fail "${pcells[1]}"
expect "a candidate cell that failed where the base succeeded is a regression" 1 \
  "**Regression**: 1 candidate cell failed where the base succeeded" -- "$bin" compare "$base" "$t/partial"
expect "... and the failure is named" 1 "**candidate failed**: cnn/none/cross_entropy/sgd/seed" -- \
  "$bin" compare "$base" "$t/partial"
expect "a hold-out on one side only is listed" 1 "hold-out c.contrast.2 of cnn/none/cross_entropy/sgd/seed" -- \
  "$bin" compare "$base" "$t/partial"

# Bad input: exit 2 with one message naming the files.
cp -r "$base" "$t/relabelled"
rcell=$(dirname "$(grep -l '"seed": 0' "$t/relabelled"/*/result.json)")
"${fx[@]}" relabel "$rcell" --holdout clean
expect "a mismatched labels column: exit 2 naming both files" 2 "index 0 has label" -- \
  "$bin" compare "$base" "$t/relabelled"
expect "... naming the candidate file" 2 "$rcell/predictions/clean.csv" -- "$bin" compare "$base" "$t/relabelled"
cp -r "$base" "$t/short"
scell=$(dirname "$(grep -l '"seed": 0' "$t/short"/*/result.json)")
sed -i '$d' "$scell/predictions/clean.csv"
expect "a predictions file with fewer samples: exit 2" 2 "not the same hold-out" -- "$bin" compare "$base" "$t/short"
expect "a missing folder: exit 2" 2 "does not exist" -- "$bin" compare "$base" "$t/nope"
mkdir "$t/empty"
expect "a folder without results: exit 2" 2 "no result.json" -- "$bin" compare "$t/empty" "$base"
expect "nothing matches: exit 2" 2 "no cell of" -- "$bin" compare "$cell0" "$ocell/result.json"
expect "--alpha out of range: exit 2" 2 "" -- "$bin" compare "$base" "$t/same" --alpha 1.5

# The local regression gate: compare's exit code, outputs in a folder.
expect "ci/regression-gate.sh fails on the regression" 1 "regression-gate: REGRESSION (exit 1)" -- \
  env GAUNTLET_BIN="$bin" GAUNTLET_GATE_OUT="$t/gate" bash "$src/ci/regression-gate.sh" "$base" "$t/worse"
check "gate wrote Markdown and JSON" -- test -s "$t/gate/compare.md" -a -s "$t/gate/compare.json"
expect "ci/regression-gate.sh passes identical results, extra arguments reach compare" 0 "no regression (exit 0)" -- \
  env GAUNTLET_BIN="$bin" GAUNTLET_GATE_OUT="$t/gate2" bash "$src/ci/regression-gate.sh" "$base" "$t/same" --tolerance 0.01
check "... with the tolerance given" -- grep -q '"tolerance": 0.01' "$t/gate2/compare.json"
check "no temporary files left" -- test -z "$(find "$t" -name '*.tmp-*')"

finish
