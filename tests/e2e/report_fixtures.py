#!/usr/bin/python3
"""Writes a synthetic runs folder for tests/e2e/report.sh: result.json files shaped like the ones
`gauntlet run` writes (DESIGN.md, Formats), so that the report test needs no training.

Usage: report_fixtures.py RUNS_DIR [--hostile]

Cells: backbones small and wide x optimizers sgd and adam x seeds 0 and 1 (8 cells), plus one
failed cell. Hold-outs: clean, c.gaussian_noise.{1,3,5}, c.contrast.{1,3,5}, p.hidden-like and
x.field. History: 6 epochs in two phases. One cell has an explain/ folder with a PNG.
With --hostile, the suite name, one axis label and two class names carry HTML, LaTeX, Markdown,
CSV and gnuplot specials: <script>alert(1)</script> and "&'\\ ... (the report must escape them).
Fixed seeds: the same arguments give the same files.
"""

import argparse
import json
import os
import random
import struct
import zlib

HOSTILE = "<script>alert(1)</script>"
QUOTES = "\"&'\\ 100% $x_1$ #{~^}|"


def metrics(confusion):
    k = len(confusion)
    support = [sum(row) for row in confusion]
    predicted = [sum(confusion[i][j] for i in range(k)) for j in range(k)]
    n = sum(support)
    per_class = []
    for c in range(k):
        tp = confusion[c][c]
        p = tp / predicted[c] if predicted[c] else 0.0
        r = tp / support[c] if support[c] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        per_class.append({"class": c, "precision": p, "recall": r, "f1": f, "support": support[c]})

    def avg(key, weights):
        total = sum(weights)
        return sum(pc[key] * w for pc, w in zip(per_class, weights)) / total

    acc = sum(confusion[i][i] for i in range(k)) / n
    return {
        "n": n,
        "accuracy": acc,
        "balanced_accuracy": avg("recall", [1] * k),
        "macro": {m: avg(m, [1] * k) for m in ("precision", "recall", "f1")},
        "weighted": {m: avg(m, support) for m in ("precision", "recall", "f1")},
        "per_class": per_class,
        "confusion": confusion,
    }


def confusion_for(rng, k, per_class, accuracy):
    rows = []
    for c in range(k):
        right = max(0, min(per_class, round(per_class * (accuracy + rng.uniform(-0.08, 0.08)))))
        row = [0] * k
        row[c] = right
        for _ in range(per_class - right):
            row[rng.choice([j for j in range(k) if j != c])] += 1
        rows.append(row)
    return rows


def png(width, height, pixel):
    raw = b"".join(b"\x00" + bytes(v for x in range(width) for v in pixel(x, y)) for y in range(height))

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs")
    ap.add_argument("--hostile", action="store_true")
    a = ap.parse_args()

    suite = "fixture " + HOSTILE + " " + QUOTES if a.hostile else "fixture"
    classes = ["T-shirt/top", "Trouser", "Bag", "Ankle boot"]
    if a.hostile:
        classes[1] = HOSTILE
        classes[2] = QUOTES
    k = len(classes)
    per_class = 25
    severities = [1, 3, 5]
    corruptions = {"gaussian_noise": 0.06, "contrast": 0.1}
    backbones = {"small": 0.70, "wide" + (" " + HOSTILE if a.hostile else ""): 0.78}
    optimizers = {"sgd": 0.0, "adam": 0.03}
    os.makedirs(a.runs, exist_ok=True)
    cells = []
    base_err = {}

    def cell(backbone, quality, optimizer, seed, failed=False):
        rng = random.Random(f"{backbone}/{optimizer}/{seed}")
        cid = "%016x" % (zlib.crc32(f"{backbone}/{optimizer}/{seed}".encode()) * 2654435761 % (1 << 64))
        config = {
            "suite": suite, "suite_seed": 0, "seed": seed,
            "labels": {"backbone": backbone, "augmentation": "none", "loss": "cross_entropy", "optimizer": optimizer},
            "backbone": {"name": "simple_cnn", "channels": [16, 32] if backbone == "small" else [32, 64]},
            "augmentation": [], "loss": {"name": "cross_entropy", "label_smoothing": 0.0},
            "optimizer": {"name": optimizer, "lr": 0.05 if optimizer == "sgd" else 0.002},
            "train": {"epochs": 6, "batch_size": 64},
            "data": {"source": {"path": "synthetic:fixture"}, "input_size": 28},
            "evaluate": {"corruptions": list(corruptions), "severities": severities, "profiles": ["hidden-like"]},
        }
        result = {"schema": "gauntlet.result/1", "cell_id": cid, "config": config,
                  "env": {"gauntlet": "0.1.0", "git_sha": "fixture", "libtorch": "1.13.0", "opencv": "4.6.0",
                          "compiler": "GNU 12.2.0", "cpu": "fixture CPU " + (HOSTILE if a.hostile else ""),
                          "gpu": None, "cores": 2, "threads": 2 if seed == 0 else 1, "device": "cpu"}}
        if failed:
            result.update({"status": "failed", "error": "planted failure " + (HOSTILE if a.hostile else "")})
        else:
            q = quality + optimizers[optimizer] + rng.uniform(-0.02, 0.02)
            ev = {"clean": metrics(confusion_for(rng, k, per_class, q))}
            per_corruption = {}
            for name, drop in corruptions.items():
                by_sev = {}
                for s in severities:
                    m = metrics(confusion_for(rng, k, per_class, q - drop * s))
                    ev[f"c.{name}.{s}"] = m
                    by_sev[str(s)] = m["accuracy"]
                mean = sum(by_sev.values()) / len(by_sev)
                err = sum(1 - v for v in by_sev.values())
                base_err.setdefault(name, err)
                per_corruption[name] = {"accuracy_by_severity": by_sev, "mean_accuracy": mean,
                                        "ce": err / base_err[name], "family": "imagenet-c"}
            ev["p.hidden-like"] = metrics(confusion_for(rng, k, per_class, q - 0.25 + (0.08 if "wide" in backbone else 0)))
            ev["x.field"] = metrics(confusion_for(rng, k, per_class, q - 0.15))
            mca = sum(v["mean_accuracy"] for v in per_corruption.values()) / len(per_corruption)
            mce = sum(v["ce"] for v in per_corruption.values()) / len(per_corruption)
            history = []
            for e in range(1, 7):
                history.append({"epoch": e, "phase": 1 if e <= 2 else 2, "train_loss": 2.0 / e + rng.uniform(0, 0.05),
                                "val_loss": 2.1 / e + 0.1, "train_accuracy": min(0.99, q * (0.6 + 0.07 * e)),
                                "val_accuracy": min(0.99, q * (0.55 + 0.075 * e)),
                                "lr": (0.01 if e <= 2 else 0.05 * 0.5 ** (e - 3)), "group_lrs": [],
                                "images_per_second": 900 + 100 * rng.random(), "seconds": 2.0})
            result.update({
                "status": "ok", "eval": ev, "history": history,
                "dataset": {"classes": classes, "fingerprint": "fixture",
                            "counts": {"test": {"n": k * per_class, "per_class": [per_class] * k}}},
                "model": {"parameters": 81914 if backbone == "small" else 312000,
                          "flops": 2.1e6 if backbone == "small" else 8.4e6},
                "timing": {"train_seconds": 12.0 + rng.uniform(0, 2)},
                "robustness": {"mean_corruption_accuracy": mca, "mce": mce, "relative_mce": mce * 1.1,
                               "per_corruption": per_corruption, "baseline": "small/none/cross_entropy/sgd",
                               "measure": "error"},
            })
        d = os.path.join(a.runs, cid)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "result.json"), "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
        cells.append(cid)
        return d

    first = True
    for backbone, quality in backbones.items():
        for optimizer in optimizers:
            for seed in (0, 1):
                d = cell(backbone, quality, optimizer, seed)
                if first:  # saliency-like images drawn at evaluation time
                    os.makedirs(os.path.join(d, "explain"), exist_ok=True)
                    with open(os.path.join(d, "explain", "saliency class 0.png"), "wb") as f:
                        f.write(png(48, 32, lambda x, y: (x * 5, y * 7, 128)))
                    first = False
    cell("broken", 0.5, "sgd", 0, failed=True)
    with open(os.path.join(a.runs, "cells.json"), "w") as f:
        json.dump({"schema": "gauntlet.cells/1", "suite": suite, "cells": cells}, f, indent=2)
        f.write("\n")
    print(f"{a.runs}: {len(cells)} cells of suite {suite!r}")


if __name__ == "__main__":
    main()
