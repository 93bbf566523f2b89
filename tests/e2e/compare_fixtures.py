#!/usr/bin/python3
"""Builds result folders for tests/e2e/compare.sh from one real run, by editing copies of it.

Usage:
  compare_fixtures.py degrade SRC DST --holdout H --fraction F --metrics-dump BIN [--seed S]
      Copy runs folder SRC to DST; in every cell, flip a fraction F of the correct predictions of
      hold-out H to a wrong class ((label + 1) mod K, its probability swapped with the label's),
      and rewrite eval[H] of result.json with metrics_dump (gauntlet's own metrics code).
  compare_fixtures.py reseed CELL DST --seed S
      Copy cell folder CELL into runs folder DST as the same cell trained with seed S (config.seed
      and cell_id changed, predictions unchanged).
  compare_fixtures.py relabel CELL --holdout H
      Change the label of index 0 in CELL's predictions of H (the files now disagree on samples).
  compare_fixtures.py drop-holdout CELL --holdout H
      Remove H from CELL's eval and its predictions file (a hold-out on one side only).
  compare_fixtures.py fail CELL
      Mark CELL as failed (status failed, error message, no eval).
  compare_fixtures.py relabel-cell CELL --optimizer NAME [--label-only]
      Give CELL another optimizer (label, config.optimizer.name) and cell_id: a cell with no partner.
      With --label-only only the label changes (a renamed, unchanged cell).
Fixed seeds: the same arguments give the same files.
"""

import argparse
import csv
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys


def load(cell):
    with open(os.path.join(cell, "result.json")) as f:
        return json.load(f)


def save(cell, result):
    with open(os.path.join(cell, "result.json"), "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")


def read_rows(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_rows(path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    with open(path, "w") as f:
        f.write(buf.getvalue())


def new_id(old, salt):
    return hashlib.sha256((old + salt).encode()).hexdigest()[:16]


def cells(runs):
    return sorted(os.path.join(runs, d) for d in os.listdir(runs)
                  if os.path.isfile(os.path.join(runs, d, "result.json")))


def degrade(a):
    shutil.copytree(a.src, a.dst)
    for cell in cells(a.dst):
        path = os.path.join(cell, "predictions", a.holdout + ".csv")
        header, rows = read_rows(path)
        k = len(header) - 3
        correct = [i for i, r in enumerate(rows) if r[1] == r[2]]
        rng = random.Random(a.seed)
        flip = rng.sample(correct, round(a.fraction * len(correct)))
        for i in flip:
            label = int(rows[i][1])
            wrong = (label + 1) % k
            rows[i][2] = str(wrong)
            rows[i][3 + label], rows[i][3 + wrong] = rows[i][3 + wrong], rows[i][3 + label]
        write_rows(path, header, rows)
        metrics = subprocess.run([a.metrics_dump, path], check=True, capture_output=True, text=True)
        result = load(cell)
        result["eval"][a.holdout] = json.loads(metrics.stdout)
        save(cell, result)
        print(f"{cell}: {a.holdout}: flipped {len(flip)} of {len(correct)} correct predictions")


def reseed(a):
    result = load(a.cell)
    result["config"]["seed"] = a.seed
    result["cell_id"] = new_id(result["cell_id"], f"seed{a.seed}")
    dst = os.path.join(a.dst, result["cell_id"])
    shutil.copytree(a.cell, dst)
    save(dst, result)


def relabel(a):
    path = os.path.join(a.cell, "predictions", a.holdout + ".csv")
    header, rows = read_rows(path)
    k = len(header) - 3
    row = next(r for r in rows if r[0] == "0")
    row[1] = str((int(row[1]) + 1) % k)
    write_rows(path, header, rows)


def drop_holdout(a):
    result = load(a.cell)
    del result["eval"][a.holdout]
    os.remove(os.path.join(a.cell, "predictions", a.holdout + ".csv"))
    save(a.cell, result)


def fail(a):
    result = load(a.cell)
    result["status"] = "failed"
    result["error"] = "planted failure for the compare test"
    result.pop("eval", None)
    save(a.cell, result)


def relabel_cell(a):
    result = load(a.cell)
    result["config"]["labels"]["optimizer"] = a.optimizer
    if not a.label_only:
        result["config"]["optimizer"]["name"] = a.optimizer
    result["cell_id"] = new_id(result["cell_id"], a.optimizer)
    save(a.cell, result)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("degrade")
    d.add_argument("src")
    d.add_argument("dst")
    d.add_argument("--holdout", required=True)
    d.add_argument("--fraction", type=float, required=True)
    d.add_argument("--metrics-dump", required=True)
    d.add_argument("--seed", type=int, default=0)
    r = sub.add_parser("reseed")
    r.add_argument("cell")
    r.add_argument("dst")
    r.add_argument("--seed", type=int, required=True)
    for name in ("relabel", "drop-holdout"):
        x = sub.add_parser(name)
        x.add_argument("cell")
        x.add_argument("--holdout", required=True)
    sub.add_parser("fail").add_argument("cell")
    c = sub.add_parser("relabel-cell")
    c.add_argument("cell")
    c.add_argument("--optimizer", required=True)
    c.add_argument("--label-only", action="store_true")
    a = p.parse_args()
    {"degrade": degrade, "reseed": reseed, "relabel": relabel, "drop-holdout": drop_holdout,
     "fail": fail, "relabel-cell": relabel_cell}[a.cmd](a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
