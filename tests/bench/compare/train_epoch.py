#!/usr/bin/python3
"""Side-by-side training throughput: gauntlet vs an equivalent PyTorch script, one machine, one run.

Work: the first --images Fashion-MNIST training images enlarged to 96 x 96 and made RGB (uint8,
written once to an .npz both sides read), simple_cnn with gauntlet's defaults (channels 32/64/128,
two 3x3 conv + BN + ReLU per block, max-pool, GAP, dense 128, dropout 0.2, 10 classes), cross
entropy, SGD lr 0.01 momentum 0.9, batch 64, --threads LibTorch threads on both sides.

Measured, in images/s of training (forward + backward + step, data loading included):
  1. end to end with the augmentation chain of tests/bench/chain.hpp (torchvision twin below):
     gauntlet `run` (history[].images_per_second of the last epoch; 1 loader thread and
     channels-last, the defaults) vs a DataLoader-fed PyTorch loop (one full epoch timed after 5
     warm-up batches) for num_workers 0, 1 and 2, each in NCHW (as scripts are usually written)
     and in channels-last (NHWC, the layout gauntlet trains in);
  2. the same without augmentation, and the compute bound: forward + backward + step on one batch
     already in memory, repeated (gauntlet: bench_models "train_cl/simple_cnn"; PyTorch: the same
     loop, NCHW and NHWC).
Ratios printed: gauntlet / PyTorch default (NCHW, num_workers 0), gauntlet / PyTorch's best of all
six settings, and gauntlet end to end / gauntlet compute bound.

Both sides use the same LibTorch (Debian's python3-torch 1.13 and libtorch-dev 1.13.1). Not part
of ctest (it takes minutes); run by hand or through ci/bench.sh:
  cmake --build build --target gauntlet bench_models
  /usr/bin/python3 tests/bench/compare/train_epoch.py build [--images 3072] [--epochs 2]
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn
import torchvision.transforms as T
from PIL import Image

from augment_chain import SIDE as CHAIN_SIDE, chain as torchvision_chain  # the same torchvision twin

FASHION = "/usr/share/datasets/fashion-mnist/"
SIDE = 96
BATCH = 64
CLASSES = 10
LR, MOMENTUM = 0.01, 0.9

assert CHAIN_SIDE == SIDE

# tests/bench/chain.hpp, as a suite names it.
CHAIN_JSON = [
    {"op": "random_resized_crop", "scale": [0.5, 1.0]},
    {"op": "hflip", "p": 0.5},
    {"op": "rotate", "degrees": 15},
    {"op": "color_jitter", "brightness": [0.6, 1.4], "contrast": [0.6, 1.4],
     "saturation": [0.6, 1.4], "hue": [-0.1, 0.1]},
    {"op": "gaussian_blur", "kernel_size": 5, "sigma": [0.1, 2.0]},
]


def make_npz(path, n):
    import cv2
    raw = gzip.open(FASHION + "train-images-idx3-ubyte.gz").read()
    grey = np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28)[:n]
    labels = np.frombuffer(gzip.open(FASHION + "train-labels-idx1-ubyte.gz").read(), np.uint8,
                           offset=8)[:n].astype(np.int64)
    big = np.stack([cv2.resize(x, (SIDE, SIDE), interpolation=cv2.INTER_LINEAR) for x in grey])
    np.savez(path, images=np.repeat(big[..., None], 3, axis=-1), labels=labels)


def simple_cnn():
    """gauntlet's simple_cnn with its default options (models/simple_cnn.cpp)."""
    layers, c = [], 3
    for width in (32, 64, 128):
        for _ in range(2):
            layers += [nn.Conv2d(c, width, 3, padding=1, bias=False), nn.BatchNorm2d(width),
                       nn.ReLU(inplace=True)]
            c = width
        layers.append(nn.MaxPool2d(2))
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, 128), nn.ReLU(inplace=True),
               nn.Dropout(0.2), nn.Linear(128, CLASSES)]
    return nn.Sequential(*layers)


class NpzImages(torch.utils.data.Dataset):
    def __init__(self, images, labels, augment):
        self.images, self.labels = images, labels
        tail = [T.ToTensor(), T.Normalize([0.5] * 3, [0.5] * 3)]
        self.t = T.Compose(([torchvision_chain()] if augment else []) + tail)

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.t(Image.fromarray(self.images[i], mode="RGB")), int(self.labels[i])


def train_step(model, opt, x, y):
    opt.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    opt.step()


def layout(channels_last):
    return torch.channels_last if channels_last else torch.contiguous_format


def pytorch_epoch(images, labels, augment, workers, channels_last, warmup=5):
    """images/s of one full epoch after `warmup` batches of another (workers started, oneDNN's
    kernels chosen), DataLoader with `workers` worker processes; model and batches in NCHW or,
    with channels_last, NHWC memory format."""
    torch.manual_seed(0)
    model = simple_cnn().train().to(memory_format=layout(channels_last))
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    loader = torch.utils.data.DataLoader(NpzImages(images, labels, augment), batch_size=BATCH,
                                         shuffle=True, num_workers=workers,
                                         persistent_workers=workers > 0)
    for i, (x, y) in enumerate(loader):
        if i == warmup:
            break
        train_step(model, opt, x.contiguous(memory_format=layout(channels_last)), y)
    seen, start = 0, time.perf_counter()
    for x, y in loader:
        train_step(model, opt, x.contiguous(memory_format=layout(channels_last)), y)
        seen += len(y)
    return seen / (time.perf_counter() - start)


def pytorch_compute_bound(seconds, channels_last):
    torch.manual_seed(0)
    model = simple_cnn().train().to(memory_format=layout(channels_last))
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    x = torch.randn(BATCH, 3, SIDE, SIDE).contiguous(memory_format=layout(channels_last))
    y = torch.randint(CLASSES, (BATCH,))
    train_step(model, opt, x, y)  # warm-up
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        train_step(model, opt, x, y)
        steps += 1
    return steps * BATCH / (time.perf_counter() - start)


def gauntlet_epochs(build, npz, tmp, augment, epochs, threads, loader_threads):
    suite = {
        "name": "speed", "seed": 0,
        "data": {"source": npz, "split": {"val": 0.05, "test": 0.05}, "input_size": SIDE},
        "axes": {"backbone": ["simple_cnn"], "augmentation": {"a": CHAIN_JSON if augment else []},
                 "loss": ["cross_entropy"],
                 "optimizer": {"sgd": {"name": "sgd", "lr": LR, "momentum": MOMENTUM}}},
        "train": {"epochs": epochs, "batch_size": BATCH},
        "evaluate": {"corruptions": [], "profiles": []},
    }
    path = os.path.join(tmp, f"suite-{int(augment)}-{loader_threads}.json")
    with open(path, "w") as f:
        json.dump(suite, f)
    out = os.path.join(tmp, f"out-{int(augment)}-{loader_threads}")
    subprocess.run([os.path.join(build, "gauntlet"), "run", path, "--out", out, "--threads",
                    str(threads), "--loader-threads", str(loader_threads)], check=True,
                   stdout=subprocess.DEVNULL, stderr=None)
    (result,) = [os.path.join(d, "result.json") for d, _, files in os.walk(out)
                 if "result.json" in files]
    with open(result) as f:
        return json.load(f)["history"][-1]["images_per_second"]


def gauntlet_compute_bound(build, threads, seconds):
    """bench_models' train_cl/simple_cnn: channels-last, as `gauntlet run` trains by default."""
    env = dict(os.environ, GAUNTLET_BENCH_MODELS="simple_cnn", GAUNTLET_BENCH_BATCH=str(BATCH),
               GAUNTLET_BENCH_SIDE=str(SIDE), GAUNTLET_BENCH_THREADS=str(threads))
    out = subprocess.run([os.path.join(build, "tests", "bench", "bench_models"),
                          "--benchmark_filter=^train_cl/simple_cnn", "--benchmark_format=json",
                          f"--benchmark_min_time={seconds}"], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)["benchmarks"][0]["items_per_second"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build", help="gauntlet build folder (with gauntlet and tests/bench/bench_models)")
    ap.add_argument("--images", type=int, default=3072)
    ap.add_argument("--epochs", type=int, default=2, help="gauntlet's epochs per run; the last is timed")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--loader-threads", default="1,2",
                    help="gauntlet's data-pipeline threads to try; the first (1, the default) is compared")
    ap.add_argument("--workers", default="0,1,2", help="DataLoader num_workers settings to try")
    ap.add_argument("--compute-seconds", type=float, default=10.0)
    ap.add_argument("--json", help="also write the figures here")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    workers = [int(w) for w in a.workers.split(",")]
    loader_threads = [int(n) for n in a.loader_threads.split(",")]
    # PyTorch as a script is usually written (NCHW), and with the channels-last layout gauntlet uses.
    settings = [(w, cl) for cl in (False, True) for w in workers]
    name = {(w, cl): f"{'nhwc' if cl else 'nchw'}-w{w}" for w, cl in settings}
    res = {"images": a.images, "side": SIDE, "batch": BATCH, "threads": a.threads,
           "loader_threads": loader_threads, "torch": torch.__version__}
    with tempfile.TemporaryDirectory() as tmp:
        npz = os.path.join(tmp, "fashion96.npz")
        make_npz(npz, a.images)
        data = np.load(npz)
        images, labels = data["images"], data["labels"]
        for augment in (True, False):
            key = "chain" if augment else "plain"
            gs = {n: gauntlet_epochs(a.build, npz, tmp, augment, a.epochs, a.threads, n) for n in loader_threads}
            g = gs[loader_threads[0]]
            p = {name[st]: pytorch_epoch(images, labels, augment, *st) for st in settings}
            res[key] = {"gauntlet": g, "gauntlet_by_loader_threads": gs, "pytorch": p}
            print(f"{key:6} gauntlet by loader threads: " + "  ".join(f"{n}: {r:5.1f}" for n, r in gs.items()),
                  flush=True)
            default = p[name[(workers[0], False)]]
            best = max(p, key=p.get)
            print(f"{key:6} gauntlet {g:6.1f} img/s | PyTorch " + "  ".join(f"{k}: {r:5.1f}" for k, r in p.items()) +
                  f" | vs default (nchw-w{workers[0]}) {g / default:.2f}x, vs best ({best}) {g / p[best]:.2f}x",
                  flush=True)
        gb = gauntlet_compute_bound(a.build, a.threads, a.compute_seconds)
        pb = {"nchw": pytorch_compute_bound(a.compute_seconds, False),
              "nhwc": pytorch_compute_bound(a.compute_seconds, True)}
        res["compute_bound"] = {"gauntlet": gb, "pytorch": pb}
        print(f"compute bound (one batch in memory): gauntlet {gb:.1f} img/s, PyTorch nchw {pb['nchw']:.1f}, "
              f"nhwc {pb['nhwc']:.1f} img/s")
        print(f"gauntlet end to end / its compute bound: chain {res['chain']['gauntlet'] / gb:.2f}, "
              f"plain {res['plain']['gauntlet'] / gb:.2f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
