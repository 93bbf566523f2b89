#!/usr/bin/python3
"""Side-by-side speed of one augmentation chain in gauntlet and torchvision 0.14, one thread each.

The chain (the same as kChainJson in tests/bench/bench_chain.cpp):
  RandomResizedCrop(96, scale=(0.5, 1.0)) -> RandomHorizontalFlip(0.5) -> RandomRotation(15)
  -> ColorJitter(0.4, 0.4, 0.4, 0.1) -> GaussianBlur(5, sigma=(0.1, 2.0))
RandomRotation is given bilinear interpolation, as gauntlet's rotate uses (torchvision's default
is nearest, which does less work); everything else is torchvision's default.

Images: 2000 RGB 96 x 96 uint8 images from Fashion-MNIST's test set
(/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz), enlarged bilinearly to 96 px and
tinted per image as tests/bench/bench_holdouts.cpp does, written once to an .npz (member
"images", [N, 96, 96, 3]) that both sides read.

torchvision is timed on (a) uint8 CHW tensors and (b) PIL images, converted before the clock
starts; each timed pass runs the chain over all images, after one untimed warm-up pass, and the
median of --passes passes is reported. gauntlet is timed by bench_chain (Google Benchmark,
median of as many repetitions). Sanity: both sides' outputs must be 96 x 96 x 3 uint8 and their
mean |output - input| per pixel value must be within a factor 2 of each other.

Run by hand (Debian's python3 has torch 1.13 and torchvision 0.14); not part of ctest:
  cmake --build build-b1 -j1 --target bench_chain
  /usr/bin/python3 tests/bench/compare/augment_chain.py drive build-b1/tests/bench/bench_chain
Other modes:
  augment_chain.py make-npz OUT.npz [--images N]        write the image set only
  augment_chain.py torchvision IMAGES.npz [--passes P]  torchvision timings only
"""
import argparse
import gzip
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
import torchvision.transforms as T
from PIL import Image

FASHION_TEST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
SIDE = 96


def make_images(n):
    """uint8 [n, 96, 96, 3]: Fashion-MNIST test images, enlarged and tinted."""
    with gzip.open(FASHION_TEST, "rb") as f:
        raw = f.read()
    grey = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(-1, 28, 28)
    idx = np.arange(n) % grey.shape[0]
    x = torch.from_numpy(grey[idx].astype(np.float32)).unsqueeze(1)  # [n, 1, 28, 28]
    big = F.interpolate(x, size=(SIDE, SIDE), mode="bilinear", align_corners=False)[:, 0]
    i = np.arange(n)
    tint = np.stack([0.9 + 0.1 * (i % 3), np.full(n, 0.8), np.ones(n)], axis=1)  # [n, 3] RGB
    rgb = big.numpy()[..., None] * tint[:, None, None, :]
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def write_npz(path, n):
    np.savez(path, images=make_images(n))


def chain():
    return T.Compose([
        T.RandomResizedCrop(SIDE, scale=(0.5, 1.0)),
        T.RandomHorizontalFlip(0.5),
        T.RandomRotation(15, interpolation=T.InterpolationMode.BILINEAR),
        T.ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1),
        T.GaussianBlur(5, sigma=(0.1, 2.0)),
    ])


def time_path(inputs, passes):
    """(images/s median over passes, outputs of the last pass)."""
    t = chain()
    for x in inputs:  # warm-up
        t(x)
    rates, outs = [], None
    for _ in range(passes):
        outs = []
        start = time.perf_counter()
        for x in inputs:
            outs.append(t(x))
        rates.append(len(inputs) / (time.perf_counter() - start))
    return statistics.median(rates), outs


def mean_abs_change(images, outs):
    return float(np.mean(np.abs(outs.astype(np.int16) - images.astype(np.int16))))


def torchvision_timings(images, passes):
    torch.set_num_threads(1)
    torch.manual_seed(0)
    random.seed(0)
    res = {}
    tensors = [torch.from_numpy(im).permute(2, 0, 1).contiguous() for im in images]
    rate, outs = time_path(tensors, passes)
    o = torch.stack(outs)
    res["tensor"] = {"rate": rate, "shape": list(o.shape[1:]), "dtype": str(o.dtype),
                     "change": mean_abs_change(images, o.permute(0, 2, 3, 1).numpy())}
    pils = [Image.fromarray(im, mode="RGB") for im in images]
    rate, outs = time_path(pils, passes)
    o = np.stack([np.asarray(p) for p in outs])
    res["pil"] = {"rate": rate, "shape": list(o.shape[1:]), "dtype": str(o.dtype),
                  "change": mean_abs_change(images, o)}
    return res


def gauntlet_timings(bench, npz, passes, min_time):
    env = dict(os.environ, GAUNTLET_CHAIN_NPZ=npz)
    cmd = [bench, "--benchmark_format=json", f"--benchmark_min_time={min_time}",
           f"--benchmark_repetitions={passes}", "--benchmark_report_aggregates_only=true"]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    res = {}
    for b in json.loads(out)["benchmarks"]:  # medians; with one repetition, the single runs
        if b.get("aggregate_name") == "median" or (passes == 1 and b.get("run_type") == "iteration"):
            res[b["run_name"].removesuffix("/real_time")] = b
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    m = sub.add_parser("make-npz")
    m.add_argument("out")
    m.add_argument("--images", type=int, default=2000)
    t = sub.add_parser("torchvision")
    t.add_argument("npz")
    t.add_argument("--passes", type=int, default=3)
    d = sub.add_parser("drive")
    d.add_argument("bench_chain", help="path to the built bench_chain program")
    d.add_argument("--npz", help="image set to use or create (default: a temporary file)")
    d.add_argument("--images", type=int, default=2000)
    d.add_argument("--passes", type=int, default=3)
    d.add_argument("--min-time", type=float, default=1.0, help="bench_chain seconds per repetition")
    a = ap.parse_args()

    if a.mode == "make-npz":
        write_npz(a.out, a.images)
        return 0

    if a.mode == "torchvision":
        images = np.load(a.npz)["images"]
        for path, r in torchvision_timings(images, a.passes).items():
            print(f"torchvision {path}: {r['rate']:.0f} images/s  out {r['shape']} {r['dtype']}  "
                  f"mean |change| {r['change']:.1f}")
        return 0

    tmp = None
    npz = a.npz
    if npz is None:
        tmp = tempfile.TemporaryDirectory()
        npz = os.path.join(tmp.name, "chain_images.npz")
    if not os.path.exists(npz):
        write_npz(npz, a.images)
    images = np.load(npz)["images"]
    g = gauntlet_timings(a.bench_chain, npz, a.passes, a.min_time)
    tv = torchvision_timings(images, a.passes)

    gc = g["chain"]
    g_rate = gc["items_per_second"]
    fast = max(tv, key=lambda k: tv[k]["rate"])
    print(f"{len(images)} images {SIDE}x{SIDE}x3 uint8, one thread; torch {torch.__version__}, "
          f"torchvision {torchvision.__version__}; median of {a.passes}")
    print(f"{'':24}{'img/s':>10}{'ms/img':>10}{'mean|chg|':>11}  out")
    print(f"{'gauntlet':24}{g_rate:10.0f}{1e3 / g_rate:10.3f}{gc['mean_abs_change']:11.1f}  "
          f"[{gc['out_rows']:.0f}, {gc['out_cols']:.0f}, {gc['out_channels']:.0f}] "
          f"{'uint8' if gc['out_u8'] == 1 else 'NOT uint8'}")
    for path in ("tensor", "pil"):
        r = tv[path]
        print(f"{'torchvision ' + path:24}{r['rate']:10.0f}{1e3 / r['rate']:10.3f}{r['change']:11.1f}  "
              f"{r['shape']} {r['dtype']}")
    print(f"ratio gauntlet / torchvision {fast} (faster path): {g_rate / tv[fast]['rate']:.2f}x")
    print("gauntlet per op alone:")
    for name, b in g.items():
        if name.startswith("op/"):
            print(f"  {name[3:]:22}{b['items_per_second']:10.0f} img/s {1e3 / b['items_per_second']:8.3f} ms/img")

    ok = gc["out_rows"] == SIDE and gc["out_cols"] == SIDE and gc["out_channels"] == 3 and gc["out_u8"] == 1
    ok &= tv["tensor"]["shape"] == [3, SIDE, SIDE] and tv["tensor"]["dtype"] == "torch.uint8"
    ok &= tv["pil"]["shape"] == [SIDE, SIDE, 3] and tv["pil"]["dtype"] == "uint8"
    changes = [gc["mean_abs_change"], tv["tensor"]["change"], tv["pil"]["change"]]
    ok &= min(changes) > 0 and max(changes) / min(changes) <= 2.0
    print("sanity:", "ok (same shape and dtype, mean change within 2x)" if ok else "FAILED")
    if tmp is not None:
        tmp.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
