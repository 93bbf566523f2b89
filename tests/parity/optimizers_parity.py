#!/usr/bin/python3
"""Optimizer parity: gauntlet's make_optimizer (harness/optimizers.cpp) against torch 1.13's
torch.optim (NAdam, AdamW, Adam, RMSprop centered and not, SGD with Nesterov momentum) and
against a numpy float64 implementation of the Lion paper's Algorithm 2 (Chen et al. 2023), which
torch 1.13 does not have.

Every case runs 5 steps on the same float32 parameters (a 4x3 matrix in group 0, a length-5
vector in group 1) with the same seeded gradients, with two parameter groups: group 0 at the base
lr with weight decay, group 1 at 0.1 x the lr without it (torch: param-group dicts with lr and
weight_decay set accordingly). After every step, every parameter value must agree to within
TOLERANCE relative to max(1, |reference|); the worst difference of each case is printed.

NAdam: torch 1.13's default single-tensor NAdam multiplies mu_t into the next momentum product
twice (mu_product_next = mu_product * mu * mu_next after mu_product *= mu; fixed in torch 2.0 by
pytorch#92699). gauntlet implements the documented update, which is what 1.13's foreach=True path
computes, so the reference is torch.optim.NAdam(foreach=True). The script also prints how far the
single-tensor path is from it, for the record, and checks that it is measurably different (so a
gauntlet that copied the bug would fail the check above).

Usage: optimizers_parity.py OPTIM_DUMP
Runs with Debian's /usr/bin/python3 (python3-torch 1.13, numpy). Exits 1 on any mismatch.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

TOLERANCE = 1e-6
STEPS = 5
LR_SCALE_1 = 0.1

# name: (gauntlet optimizer options, torch factory or "lion")
CASES = {
    "nadam": {"name": "nadam", "lr": 0.01, "weight_decay": 0.01},
    "nadam_psi": {"name": "nadam", "lr": 0.02, "beta1": 0.85, "beta2": 0.99, "eps": 1e-6,
                  "momentum_decay": 0.1},
    "adamw": {"name": "adamw", "lr": 0.01, "weight_decay": 0.05, "beta1": 0.8, "beta2": 0.95},
    "adam": {"name": "adam", "lr": 0.01, "weight_decay": 0.01},
    "rmsprop": {"name": "rmsprop", "lr": 0.005, "alpha": 0.9, "weight_decay": 0.01},
    "rmsprop_centered_momentum": {"name": "rmsprop", "lr": 0.005, "alpha": 0.95, "eps": 1e-6,
                                  "centered": True, "momentum": 0.9, "weight_decay": 0.01},
    "sgd_nesterov": {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True,
                     "weight_decay": 0.01},
    "lion": {"name": "lion", "lr": 0.01, "weight_decay": 0.5},
    "lion_betas": {"name": "lion", "lr": 0.003, "beta1": 0.95, "beta2": 0.98},
}


def torch_optimizer(o, groups):
    """torch.optim for gauntlet options `o` over [{'params', 'lr', 'weight_decay'}, ...]."""
    betas = (o.get("beta1", 0.9), o.get("beta2", 0.999))
    n = o["name"]
    if n == "nadam":
        return torch.optim.NAdam(groups, betas=betas, eps=o.get("eps", 1e-8),
                                 momentum_decay=o.get("momentum_decay", 4e-3), foreach=True)
    if n == "adamw":
        return torch.optim.AdamW(groups, betas=betas, eps=o.get("eps", 1e-8))
    if n == "adam":
        return torch.optim.Adam(groups, betas=betas, eps=o.get("eps", 1e-8))
    if n == "rmsprop":
        return torch.optim.RMSprop(groups, alpha=o.get("alpha", 0.99), eps=o.get("eps", 1e-8),
                                   momentum=o.get("momentum", 0.0),
                                   centered=o.get("centered", False))
    if n == "sgd":
        return torch.optim.SGD(groups, lr=groups[0]["lr"], momentum=o.get("momentum", 0.0),
                               nesterov=o.get("nesterov", False))
    raise ValueError(n)


def torch_run(o, data, single_tensor_nadam=False):
    params = [torch.nn.Parameter(torch.from_numpy(data["p0"].copy())),
              torch.nn.Parameter(torch.from_numpy(data["p1"].copy()))]
    wd = o.get("weight_decay", 0.01 if o["name"] == "adamw" else 0.0)
    groups = [{"params": [params[0]], "lr": o["lr"], "weight_decay": wd},
              {"params": [params[1]], "lr": o["lr"] * LR_SCALE_1, "weight_decay": 0.0}]
    if single_tensor_nadam:
        opt = torch.optim.NAdam(groups, betas=(o.get("beta1", 0.9), o.get("beta2", 0.999)),
                                eps=o.get("eps", 1e-8),
                                momentum_decay=o.get("momentum_decay", 4e-3), foreach=False)
    else:
        opt = torch_optimizer(o, groups)
    out = [[], []]
    for s in range(STEPS):
        params[0].grad = torch.from_numpy(data["g0"][s].copy())
        params[1].grad = torch.from_numpy(data["g1"][s].copy())
        opt.step()
        for i in range(2):
            out[i].append(params[i].detach().numpy().copy())
    return [np.stack(x) for x in out]


def lion_run(o, data):
    """Algorithm 2 of Chen et al. 2023 in float64: c = b1 m + (1 - b1) g;
    p = p - lr (sign(c) + wd p); m = b2 m + (1 - b2) g."""
    b1, b2 = o.get("beta1", 0.9), o.get("beta2", 0.99)
    out = []
    for i, (lr, wd) in enumerate([(o["lr"], o.get("weight_decay", 0.0)),
                                  (o["lr"] * LR_SCALE_1, 0.0)]):
        p = data["p%d" % i].astype(np.float64)
        m = np.zeros_like(p)
        after = []
        for s in range(STEPS):
            g = data["g%d" % i][s].astype(np.float64)
            c = b1 * m + (1 - b1) * g
            p = p - lr * (np.sign(c) + wd * p)
            m = b2 * m + (1 - b2) * g
            after.append(p.copy())
        out.append(np.stack(after))
    return out


def worst(got, want):
    """max |got - want| / max(1, |want|) and max |got - want|."""
    diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
    return float(np.max(diff / np.maximum(1.0, np.abs(want)))), float(np.max(diff))


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    dump = sys.argv[1]
    rng = np.random.RandomState(20230213)
    data = {
        "p0": rng.randn(4, 3).astype(np.float32),
        "p1": rng.randn(5).astype(np.float32),
        "g0": rng.randn(STEPS, 4, 3).astype(np.float32),
        "g1": (0.3 * rng.randn(STEPS, 5)).astype(np.float32),
    }
    groups = [{"lr_scale": 1.0, "weight_decay": True},
              {"lr_scale": LR_SCALE_1, "weight_decay": False}]
    cases = {name: {"optimizer": o, "groups": groups} for name, o in CASES.items()}
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        inp, cases_path, out_path = (os.path.join(tmp, f) for f in ("in.npz", "cases.json", "out.npz"))
        np.savez(inp, **data)
        with open(cases_path, "w") as f:
            json.dump(cases, f)
        r = subprocess.run([dump, inp, cases_path, out_path], capture_output=True, text=True)
        if r.returncode != 0:
            print("optim_dump failed:", r.stderr, file=sys.stderr)
            return 2
        got = dict(np.load(out_path))
    for name, o in CASES.items():
        ref = lion_run(o, data) if o["name"] == "lion" else torch_run(o, data)
        rel = absd = 0.0
        for i in range(2):
            g = got["%s.p%d" % (name, i)]
            if g.shape != ref[i].shape:
                print("FAIL %-26s p%d shape %s, reference %s" % (name, i, g.shape, ref[i].shape))
                failed = True
                continue
            r_i, a_i = worst(g, ref[i])
            rel, absd = max(rel, r_i), max(absd, a_i)
        ok = rel <= TOLERANCE
        failed |= not ok
        what = "numpy Lion (float64)" if o["name"] == "lion" else "torch.optim"
        print("%s %-26s vs %-20s max rel diff %.3g, max abs diff %.3g over %d steps"
              % ("ok  " if ok else "FAIL", name, what, rel, absd, STEPS))
    # The record of torch 1.13's single-tensor NAdam, and proof the check can tell it apart.
    for name in ("nadam", "nadam_psi"):
        st = torch_run(CASES[name], data, single_tensor_nadam=True)
        rel = max(worst(got["%s.p%d" % (name, i)], st[i])[0] for i in range(2))
        distinct = rel > 100 * TOLERANCE
        failed |= not distinct
        print("%s %-26s vs torch 1.13 NAdam foreach=False (double-mu bug): max rel diff %.3g "
              "(expected to differ)" % ("ok  " if distinct else "FAIL", name, rel))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
