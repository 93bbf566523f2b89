#!/usr/bin/python3
"""Checks every result.json under a runs folder against the DESIGN.md result format, and its
metrics against scikit-learn computed from the predictions CSV written beside it.

Usage: check_results.py RUNS_DIR [--min-cells N]
Exits 1 on the first kind of problem found (all problems are printed), 0 otherwise.
"""

import argparse
import csv
import json
import math
import os
import sys
import warnings

import numpy as np
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, confusion_matrix,
                             precision_recall_fscore_support)

TOL = 1e-12
TOP_KEYS = {"schema", "cell_id", "config", "env", "dataset", "history", "status", "eval", "robustness"}
EVAL_KEYS = {"n", "accuracy", "balanced_accuracy", "macro", "weighted", "per_class", "confusion"}
ENV_KEYS = {"gauntlet", "git_sha", "libtorch", "opencv", "compiler", "cpu", "gpu", "threads"}


def close(a, b):
    return abs(a - b) <= TOL


def check_holdout(name, ev, rows, k, problems):
    labels = np.array([int(r["label"]) for r in rows], dtype=np.int64)
    preds = np.array([int(r["pred"]) for r in rows], dtype=np.int64)
    if ev["n"] != len(rows):
        problems.append(f"{name}: n {ev['n']} but {len(rows)} prediction rows")
        return
    for r in rows:
        probs = [float(r[f"p{c}"]) for c in range(k)]
        top = sorted(probs)[-2:]
        # pred comes from unrounded logits; with probabilities printed to 6 digits, only a clear
        # winner must be the argmax.
        clear = top[1] - top[0] > 1e-5
        if abs(sum(probs) - 1.0) > 1e-4 or (clear and int(r["pred"]) != int(np.argmax(probs))):
            problems.append(f"{name}: row {r['index']}: probabilities do not sum to 1 or argmax != pred")
            break
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = {"accuracy": accuracy_score(labels, preds),
                "balanced_accuracy": balanced_accuracy_score(labels, preds)}
        for avg in ("macro", "weighted"):
            p, r, f, _ = precision_recall_fscore_support(labels, preds, average=avg, zero_division=0)
            want[avg] = {"precision": p, "recall": r, "f1": f}
        p, r, f, s = precision_recall_fscore_support(labels, preds, labels=list(range(k)),
                                                     average=None, zero_division=0)
        cm = confusion_matrix(labels, preds, labels=list(range(k)))
    for key in ("accuracy", "balanced_accuracy"):
        if not close(ev[key], want[key]):
            problems.append(f"{name}: {key} {ev[key]!r} != sklearn {want[key]!r}")
    for avg in ("macro", "weighted"):
        for m in ("precision", "recall", "f1"):
            if not close(ev[avg][m], float(want[avg][m])):
                problems.append(f"{name}: {avg}.{m} {ev[avg][m]!r} != sklearn {want[avg][m]!r}")
    for c in range(k):
        pc = ev["per_class"][c]
        if pc["class"] != c or pc["support"] != int(s[c]) or not (
                close(pc["precision"], p[c]) and close(pc["recall"], r[c]) and close(pc["f1"], f[c])):
            problems.append(f"{name}: per_class[{c}] {pc} != sklearn p={p[c]} r={r[c]} f1={f[c]} support={s[c]}")
    if ev["confusion"] != cm.tolist():
        problems.append(f"{name}: confusion matrix differs from sklearn")


def check_cell(path, problems):
    with open(path) as f:
        res = json.load(f)
    where = os.path.relpath(path)
    missing = TOP_KEYS - res.keys()
    if missing:
        problems.append(f"{where}: missing keys {sorted(missing)}")
        return
    if res["schema"] != "gauntlet.result/1":
        problems.append(f"{where}: schema {res['schema']!r}")
    if res["cell_id"] != os.path.basename(os.path.dirname(path)):
        problems.append(f"{where}: cell_id does not match its folder")
    if res["status"] != "ok":
        problems.append(f"{where}: status {res['status']!r}: {res.get('error')}")
        return
    if ENV_KEYS - res["env"].keys():
        problems.append(f"{where}: env lacks {sorted(ENV_KEYS - res['env'].keys())}")
    if not res["history"] or "val_accuracy" not in res["history"][0]:
        problems.append(f"{where}: empty or incomplete history")
    k = len(res["dataset"]["classes"])
    if "clean" not in res["eval"]:
        problems.append(f"{where}: no clean hold-out")
    for hid, ev in res["eval"].items():
        if EVAL_KEYS - ev.keys():
            problems.append(f"{where}: eval[{hid}] lacks {sorted(EVAL_KEYS - ev.keys())}")
            continue
        csv_path = os.path.join(os.path.dirname(path), "predictions", hid + ".csv")
        with open(csv_path, newline="") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames != ["index", "label", "pred"] + [f"p{c}" for c in range(k)]:
                problems.append(f"{csv_path}: header {reader.fieldnames}")
                continue
            rows = list(reader)
        check_holdout(f"{where}: {hid}", ev, rows, k, problems)
    return len(res["eval"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("runs")
    ap.add_argument("--min-cells", type=int, default=1)
    args = ap.parse_args()
    problems, cells, holdouts = [], 0, 0
    for entry in sorted(os.listdir(args.runs)):
        path = os.path.join(args.runs, entry, "result.json")
        if os.path.isfile(path):
            cells += 1
            holdouts += check_cell(path, problems) or 0
    if cells < args.min_cells:
        problems.append(f"{args.runs}: {cells} result.json files, expected at least {args.min_cells}")
    for p in problems:
        print("FAIL", p)
    print(f"check_results: {cells} cells, {holdouts} hold-outs checked against sklearn, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
