#!/usr/bin/python3
"""Parity of gauntlet's metrics (harness/metrics.cpp) with scikit-learn, zero_division=0.

Usage:
  metrics_parity.py METRICS_DUMP                  # seeded random predictions files
  metrics_parity.py METRICS_DUMP --csv FILE.csv   # an existing predictions file (repeatable)

METRICS_DUMP is the program built from tests/parity/metrics_dump.cpp: given a predictions CSV
(header index,label,pred,p0,...,pK-1) it prints gauntlet's metrics as JSON. This script computes
the same fields with sklearn (accuracy_score, balanced_accuracy_score,
precision_recall_fscore_support with average macro/weighted/None, confusion_matrix with
labels=range(K)), compares every field to within 1e-12 absolute (integers exactly), prints one
line per case and exits 1 on any mismatch (2 on bad usage or a program that fails).

Runs with Debian's /usr/bin/python3, which sees python3-sklearn and python3-numpy.
"""

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import sklearn
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    precision_recall_fscore_support,
)

TOLERANCE = 1e-12


def sklearn_metrics(labels, preds, k):
    """The metrics JSON gauntlet should print, computed by sklearn."""
    n = len(labels)
    if n == 0:
        # sklearn rejects empty input; gauntlet documents all scores as 0 there.
        zeros = {"precision": 0.0, "recall": 0.0, "f1": 0.0}
        return {
            "n": 0, "accuracy": 0.0, "balanced_accuracy": 0.0,
            "macro": dict(zeros), "weighted": dict(zeros),
            "per_class": [dict(zeros, **{"class": c, "support": 0}) for c in range(k)],
            "confusion": [[0] * k for _ in range(k)],
        }
    y = np.asarray(labels, dtype=np.int64)
    p = np.asarray(preds, dtype=np.int64)
    with warnings.catch_warnings():
        # Undefined precision/recall and "y_pred contains classes not in y_true" are expected.
        warnings.simplefilter("ignore")
        averages = {}
        for average in ("macro", "weighted"):
            prec, rec, f1, _ = precision_recall_fscore_support(
                y, p, average=average, zero_division=0)
            averages[average] = {"precision": float(prec), "recall": float(rec), "f1": float(f1)}
        prec, rec, f1, support = precision_recall_fscore_support(
            y, p, average=None, labels=list(range(k)), zero_division=0)
        return {
            "n": n,
            "accuracy": float(accuracy_score(y, p)),
            "balanced_accuracy": float(balanced_accuracy_score(y, p)),
            "macro": averages["macro"],
            "weighted": averages["weighted"],
            "per_class": [
                {"class": c, "precision": float(prec[c]), "recall": float(rec[c]),
                 "f1": float(f1[c]), "support": int(support[c])}
                for c in range(k)
            ],
            "confusion": confusion_matrix(y, p, labels=list(range(k))).tolist(),
        }


def compare(got, want, path, problems, worst):
    """Appends a message per mismatch to problems; worst[0] tracks the largest float error."""
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            problems.append(f"{path}: keys {sorted(got) if isinstance(got, dict) else got!r}, "
                            f"expected {sorted(want)}")
            return
        for key in want:
            compare(got[key], want[key], f"{path}/{key}", problems, worst)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            problems.append(f"{path}: {got!r}, expected a list of {len(want)}")
            return
        for i, (g, w) in enumerate(zip(got, want)):
            compare(g, w, f"{path}/{i}", problems, worst)
    elif isinstance(want, int):
        if isinstance(got, bool) or not isinstance(got, int) or got != want:
            problems.append(f"{path}: {got!r}, expected integer {want}")
    else:
        if isinstance(got, bool) or not isinstance(got, (int, float)) or not math.isfinite(got):
            problems.append(f"{path}: {got!r}, expected {want!r}")
            return
        diff = abs(got - want)
        worst[0] = max(worst[0], diff)
        if not diff <= TOLERANCE:
            problems.append(f"{path}: {got!r}, sklearn {want!r} (|diff| {diff:.3g})")


def read_predictions(path):
    """(labels, preds, K) of a predictions CSV, K being the number of p columns."""
    with open(path, newline="") as f:
        rows = csv.reader(f)
        header = next(rows, None)
        if header is None or header[:3] != ["index", "label", "pred"] or len(header) < 4:
            raise ValueError(f"{path}: expected header index,label,pred,p0,...,pK-1")
        labels, preds = [], []
        for line_no, row in enumerate(rows, start=2):
            if not row:
                continue
            try:
                labels.append(int(row[1]))
                preds.append(int(row[2]))
            except (IndexError, ValueError) as e:
                raise ValueError(f"{path}:{line_no}: {e}") from None
    return labels, preds, len(header) - 3


def write_predictions(path, labels, preds, k, rng):
    """A predictions CSV as gauntlet writes it; probabilities peak at the predicted class."""
    probs = rng.dirichlet(np.ones(k), size=len(labels))
    probs[np.arange(len(labels)), preds] += 1.0
    probs /= probs.sum(axis=1, keepdims=True)
    with open(path, "w", newline="") as f:
        f.write("index,label,pred," + ",".join(f"p{c}" for c in range(k)) + "\n")
        for i, (y, p) in enumerate(zip(labels, preds)):
            f.write(f"{i},{y},{p}," + ",".join(f"{v:.6f}" for v in probs[i]) + "\n")


def make_case(rng, n, k, hit_rate, label_weights=None, never_predicted=(), never_true=(),
              absent=()):
    """Random labels and predictions with control over which classes occur where.

    label_weights: class frequencies (imbalance); never_predicted: classes no prediction uses;
    never_true: classes no label uses; absent: classes in neither. A prediction equals its label
    with probability hit_rate when allowed, otherwise it is another allowed class (uniform).
    """
    true_ok = [c for c in range(k) if c not in absent and c not in never_true]
    pred_ok = [c for c in range(k) if c not in absent and c not in never_predicted]
    w = np.ones(k) if label_weights is None else np.asarray(label_weights, dtype=float)
    w = np.array([w[c] for c in true_ok])
    labels = rng.choice(true_ok, size=n, p=w / w.sum())
    hit = (rng.random(n) < hit_rate) & np.isin(labels, pred_ok)
    preds = labels.copy()
    for i in np.flatnonzero(~hit):
        others = [c for c in pred_ok if c != labels[i]] or pred_ok
        preds[i] = others[rng.integers(len(others))]
    return labels.tolist(), preds.tolist()


def random_cases():
    """(name, labels, preds, K, seed) for every seeded case."""
    cases = []

    def add(name, seed, n, k, hit_rate, **kw):
        rng = np.random.default_rng(seed)
        labels, preds = make_case(rng, n, k, hit_rate, **kw)
        cases.append((name, labels, preds, k, seed))

    geometric10 = [0.5 ** (c / 2) for c in range(10)]  # class 0 is ~20x class 9
    add("k2-n1", 1, 1, 2, 0.5)
    add("k2-n2-all-wrong", 2, 2, 2, 0.0)
    add("k3-n90-all-wrong", 15, 90, 3, 0.0)
    add("k2-n500-imbalanced", 3, 500, 2, 0.9, label_weights=[0.95, 0.05])
    add("k2-n40-one-class-only", 4, 40, 2, 1.0, absent=(1,))
    add("k3-n300-imbalanced", 5, 300, 3, 0.7, label_weights=[0.7, 0.25, 0.05])
    add("k3-n200-class2-never-predicted", 6, 200, 3, 0.6, never_predicted=(2,))
    add("k3-n100-class1-predicted-never-true", 7, 100, 3, 0.6, never_true=(1,))
    add("k3-n60-class0-absent", 8, 60, 3, 0.5, absent=(0,))
    add("k3-n50-perfect", 9, 50, 3, 1.0)
    add("k10-n1", 10, 1, 10, 0.5)
    add("k10-n37-perfect", 11, 37, 10, 1.0)
    add("k10-n5000-imbalanced-7-never-predicted-9-absent", 12, 5000, 10, 0.6,
        label_weights=geometric10, never_predicted=(7,), absent=(9,))
    add("k10-n5000-near-chance", 13, 5000, 10, 0.1)
    add("k10-n777-3-never-true-5-never-predicted-0-absent", 14, 777, 10, 0.8,
        label_weights=geometric10, never_true=(3,), never_predicted=(5,), absent=(0,))
    # A seeded sweep over sizes, imbalance and missing classes.
    sweep = np.random.default_rng(20240)
    for i in range(24):
        k = int(sweep.choice([2, 3, 10]))
        n = int(sweep.integers(1, 5001))
        seed = 1000 + i
        kw = {"label_weights": sweep.dirichlet(np.full(k, 0.7))}
        if k > 2 and sweep.random() < 0.5:
            kw["never_predicted"] = (int(sweep.integers(k)),)
        if k > 2 and sweep.random() < 0.5:
            kw["absent"] = (int(sweep.integers(k)),)
            if kw["absent"] == kw.get("never_predicted"):
                del kw["never_predicted"]
        # Heavy imbalance may leave no label class; fall back to uniform then.
        if kw.get("absent") and kw["label_weights"].sum() - kw["label_weights"][kw["absent"][0]] <= 0:
            kw["label_weights"] = None
        add(f"sweep{i:02d}-k{k}-n{n}", seed, n, k, float(sweep.random()), **kw)
    return cases


def run_program(program, csv_path):
    result = subprocess.run([program, csv_path], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{program} {csv_path} exited {result.returncode}: "
                           f"{result.stderr.strip()}")
    return json.loads(result.stdout)


def check(name, program, csv_path, labels, preds, k):
    """Prints one line for the case; returns True when every field matches."""
    got = run_program(program, csv_path)
    want = sklearn_metrics(labels, preds, k)
    problems, worst = [], [0.0]
    compare(got, want, "", problems, worst)
    present = len(set(labels) | set(preds))
    summary = (f"{name}: K={k} n={len(labels)} classes present={present} "
               f"accuracy={want['accuracy']:.4f} max|diff|={worst[0]:.2g}")
    if problems:
        print(f"FAIL {summary}")
        for problem in problems[:10]:
            print(f"     {problem}")
        if len(problems) > 10:
            print(f"     ... and {len(problems) - 10} more")
        return False
    print(f"ok   {summary}")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("program", help="metrics_dump executable")
    parser.add_argument("--csv", action="append", default=[], metavar="FILE",
                        help="check this predictions CSV instead of random ones (repeatable)")
    args = parser.parse_args()
    if not os.access(args.program, os.X_OK):
        parser.error(f"{args.program} is not an executable")

    print(f"sklearn {sklearn.__version__}, numpy {np.__version__}, tolerance {TOLERANCE:g}")
    failures = 0
    try:
        if args.csv:
            for path in args.csv:
                labels, preds, k = read_predictions(path)
                failures += not check(path, args.program, path, labels, preds, k)
            total = len(args.csv)
        else:
            cases = random_cases()
            with tempfile.TemporaryDirectory(prefix="metrics_parity.") as tmp:
                for name, labels, preds, k, seed in cases:
                    path = os.path.join(tmp, name + ".csv")
                    write_predictions(path, labels, preds, k, np.random.default_rng(seed + 1))
                    # Round-trip through the file so that both sides read the same data.
                    assert read_predictions(path) == (labels, preds, k)
                    failures += not check(name, args.program, path, labels, preds, k)
            total = len(cases)
    except (RuntimeError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"{total - failures}/{total} cases match sklearn"
          + ("" if failures == 0 else f", {failures} FAILED"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
