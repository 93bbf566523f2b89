#!/usr/bin/python3
"""Loss parity: gauntlet's compute_loss (harness/losses.cpp), value and gradient with respect to
the logits, against torch 1.13's torch.nn.functional.cross_entropy where torch defines the same
loss (hard labels with class weights and label smoothing; soft targets with label smoothing and
no weights), and against the formulas of harness/losses.hpp evaluated with torch in float64
where torch has no such loss (soft targets with class weights: normalised by the summed sample
weights sum_k w_k t_ik, where torch divides by N; focal loss).

64 samples, 7 classes, seeded logits (float32) and targets: int64 labels, and soft targets that
are MixUp pairs (lambda one-hot(a) + (1 - lambda) one-hot(b)) for half the samples and Dirichlet
draws for the rest. A case passes when the loss agrees to within TOLERANCE relative and every
gradient entry to within TOLERANCE times the largest reference gradient entry.

Usage: losses_parity.py LOSS_DUMP
Runs with Debian's /usr/bin/python3 (python3-torch 1.13, numpy). Exits 1 on any mismatch.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

TOLERANCE = 1e-6
N, K = 64, 7
WEIGHTS = [0.5, 2.0, 1.0, 3.0, 0.25, 1.5, 0.0]
ALPHA = [0.25, 0.5, 0.75, 1.0, 0.6, 0.3, 0.9]

CASES = {
    "ce_hard": ({"name": "cross_entropy"}, "labels"),
    "ce_hard_smooth": ({"name": "cross_entropy", "label_smoothing": 0.1}, "labels"),
    "ce_hard_weighted": ({"name": "cross_entropy", "class_weights": WEIGHTS}, "labels"),
    "ce_hard_weighted_smooth": ({"name": "cross_entropy", "class_weights": WEIGHTS,
                                 "label_smoothing": 0.2}, "labels"),
    "ce_soft": ({"name": "cross_entropy"}, "soft"),
    "ce_soft_smooth": ({"name": "cross_entropy", "label_smoothing": 0.1}, "soft"),
    "ce_soft_weighted_smooth": ({"name": "cross_entropy", "class_weights": WEIGHTS,
                                 "label_smoothing": 0.1}, "soft"),
    "focal_hard": ({"name": "focal", "focal_gamma": 2.0, "focal_alpha": ALPHA}, "labels"),
    "focal_hard_weighted_smooth": ({"name": "focal", "focal_gamma": 1.5, "focal_alpha": [0.4],
                                    "class_weights": WEIGHTS, "label_smoothing": 0.05}, "labels"),
    "focal_soft": ({"name": "focal", "focal_gamma": 0.5, "focal_alpha": ALPHA}, "soft"),
}


def torch_reference(opts, logits, targets):
    """(loss, grad) by torch.nn.functional.cross_entropy in float32 where it defines the loss,
    else by harness/losses.hpp's formula in float64."""
    name = opts["name"]
    s = opts.get("label_smoothing", 0.0)
    w = opts.get("class_weights")
    soft = targets.dtype != torch.int64
    if name == "cross_entropy" and not (soft and w is not None):
        z = logits.clone().requires_grad_()
        weight = None if w is None else torch.tensor(w, dtype=torch.float32)
        loss = F.cross_entropy(z, targets, weight=weight, label_smoothing=s)
        loss.backward()
        return float(loss), z.grad.numpy().astype(np.float64), "F.cross_entropy"
    z = logits.double().clone().requires_grad_()
    t = F.one_hot(targets, K).double() if not soft else targets.double()
    ts = (1 - s) * t + s / K
    logp = F.log_softmax(z, 1)
    terms = -ts * logp
    if name == "focal":
        g = opts.get("focal_gamma", 2.0)
        alpha = opts.get("focal_alpha", [])
        terms = terms * (1 - logp.exp()) ** g
        if len(alpha) == 1:
            terms = terms * alpha[0]
        elif alpha:
            terms = terms * torch.tensor(alpha, dtype=torch.float64)
    if w is None:
        loss = terms.sum() / N
    else:
        wt = torch.tensor(w, dtype=torch.float64)
        loss = (terms * wt).sum() / (t * wt).sum()
    loss.backward()
    return float(loss), z.grad.numpy(), "float64 formula"


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    rng = np.random.RandomState(7)
    logits = (3 * rng.randn(N, K)).astype(np.float32)
    labels = rng.randint(0, K, size=N).astype(np.int64)
    soft = np.zeros((N, K), dtype=np.float64)
    for i in range(N // 2):
        a, b = rng.randint(0, K, size=2)
        lam = rng.beta(0.4, 0.4)
        soft[i, a] += lam
        soft[i, b] += 1 - lam
    soft[N // 2:] = rng.dirichlet(np.ones(K), size=N - N // 2)
    soft = soft.astype(np.float32)
    data = {"logits": logits, "labels": labels, "soft": soft}
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        inp, cases_path, out_path = (os.path.join(tmp, f) for f in ("in.npz", "cases.json", "out.npz"))
        np.savez(inp, **data)
        with open(cases_path, "w") as f:
            json.dump({n: {"loss": o, "targets": t} for n, (o, t) in CASES.items()}, f)
        r = subprocess.run([sys.argv[1], inp, cases_path, out_path], capture_output=True, text=True)
        if r.returncode != 0:
            print("loss_dump failed:", r.stderr, file=sys.stderr)
            return 2
        got = dict(np.load(out_path))
    for name, (opts, which) in CASES.items():
        targets = torch.from_numpy(data[which])
        want, want_grad, how = torch_reference(opts, torch.from_numpy(logits), targets)
        value = float(got[name][0])
        grad = got[name + ".grad"].astype(np.float64)
        rel = abs(value - want) / abs(want)
        gdiff = float(np.max(np.abs(grad - want_grad)) / np.max(np.abs(want_grad)))
        ok = rel <= TOLERANCE and gdiff <= TOLERANCE
        failed |= not ok
        print("%s %-28s vs %-16s loss %.9g, rel diff %.3g; grad max diff / max |grad| %.3g"
              % ("ok  " if ok else "FAIL", name, how, value, rel, gdiff))
    # For the record: torch's own soft-target weighted loss divides by N, not by the weights.
    z = torch.from_numpy(logits)
    t = torch.from_numpy(soft)
    torch_soft = float(F.cross_entropy(z, t, weight=torch.tensor(WEIGHTS), label_smoothing=0.1))
    print("note torch's soft-target weighted cross_entropy (divides by N) is %.9g; gauntlet "
          "divides by the summed sample weights: %.9g" % (torch_soft,
                                                         float(got["ce_soft_weighted_smooth"][0])))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
