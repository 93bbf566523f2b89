#!/usr/bin/python3
"""Photometric transform parity: gauntlet's deterministic photometric ops at fixed parameters
against torchvision 0.14's transforms.functional on uint8 tensors, on photographs bundled with
scikit-image (astronaut, chelsea, coffee, rocket, immunohistochemistry) cropped and resized to
64x64 and a 13x50 strip, and the grey camera image at 64x64.

Each case is a one-op pipeline in the suite's op language with p = 1 and a degenerate range
[x, x], so the op's draw is the fixed parameter; photometric_dump applies it. Passes when, for
every case and image set, the mean absolute difference is at most 1 grey level (the issue's bar)
and at most MAX_FRACTION_OFF of the values differ by more than 1 (we follow torchvision's float32
arithmetic and truncating casts, so nearly all values match exactly); max differences and the
fraction of exact values are printed for the record.

Usage: transforms_photometric_parity.py PHOTOMETRIC_DUMP
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import skimage.data
import skimage.transform
import torch
import torchvision.transforms.functional as F

MAX_MEAN_ABS = 1.0
MAX_FRACTION_OFF = 0.01  # of values more than 1 grey level away: parity is meant value by value


def to_uint8(x):
    return np.clip(np.round(x * 255), 0, 255).astype(np.uint8)


def image_sets():
    photos = [skimage.data.astronaut(), skimage.data.chelsea(), skimage.data.coffee(),
              skimage.data.rocket(), skimage.data.immunohistochemistry()]
    square, strip = [], []
    for p in photos:
        s = min(p.shape[:2])
        square.append(to_uint8(skimage.transform.resize(p[:s, :s], (64, 64), anti_aliasing=True)))
        strip.append(to_uint8(skimage.transform.resize(p[: s // 4, :s], (13, 50), anti_aliasing=True)))
    cam = skimage.data.camera()
    grey = to_uint8(skimage.transform.resize(cam, (64, 64), anti_aliasing=True))
    # A dim, low-contrast version makes equalize and autocontrast do real work.
    dim = (np.stack(square).astype(np.float64) * 0.3 + 60).astype(np.uint8)
    return {"rgb64": np.stack(square), "rgb13x50": np.stack(strip), "dim64": dim,
            "gray64": grey[None, :, :, None]}


def fixed(x):
    return [x, x]


# name: (gauntlet op, torchvision function of a uint8 CHW tensor)
CASES = {
    "brightness_0.6": ({"op": "brightness", "factor": fixed(0.6)}, lambda t: F.adjust_brightness(t, 0.6)),
    "brightness_1.7": ({"op": "brightness", "factor": fixed(1.7)}, lambda t: F.adjust_brightness(t, 1.7)),
    "contrast_0.5": ({"op": "contrast", "factor": fixed(0.5)}, lambda t: F.adjust_contrast(t, 0.5)),
    "contrast_1.8": ({"op": "contrast", "factor": fixed(1.8)}, lambda t: F.adjust_contrast(t, 1.8)),
    "saturation_0.3": ({"op": "saturation", "factor": fixed(0.3)}, lambda t: F.adjust_saturation(t, 0.3)),
    "saturation_2.2": ({"op": "saturation", "factor": fixed(2.2)}, lambda t: F.adjust_saturation(t, 2.2)),
    "hue_0.1": ({"op": "hue", "shift": fixed(0.1)}, lambda t: F.adjust_hue(t, 0.1)),
    "hue_-0.35": ({"op": "hue", "shift": fixed(-0.35)}, lambda t: F.adjust_hue(t, -0.35)),
    "hue_0.5": ({"op": "hue", "shift": fixed(0.5)}, lambda t: F.adjust_hue(t, 0.5)),
    "gamma_0.6": ({"op": "gamma", "gamma": fixed(0.6)}, lambda t: F.adjust_gamma(t, 0.6)),
    "gamma_1.9": ({"op": "gamma", "gamma": fixed(1.9)}, lambda t: F.adjust_gamma(t, 1.9)),
    "equalize": ({"op": "equalize", "p": 1}, F.equalize),
    "autocontrast": ({"op": "autocontrast", "p": 1}, F.autocontrast),
    "posterize_3": ({"op": "posterize", "p": 1, "bits": fixed(3)}, lambda t: F.posterize(t, 3)),
    "posterize_6": ({"op": "posterize", "p": 1, "bits": fixed(6)}, lambda t: F.posterize(t, 6)),
    "solarize_100": ({"op": "solarize", "p": 1, "threshold": 100}, lambda t: F.solarize(t, 100)),
    "solarize_200": ({"op": "solarize", "p": 1, "threshold": 200}, lambda t: F.solarize(t, 200)),
    "invert": ({"op": "invert", "p": 1}, F.invert),
    "sharpness_0.2": ({"op": "sharpness", "p": 1, "factor": fixed(0.2)}, lambda t: F.adjust_sharpness(t, 0.2)),
    "sharpness_2.5": ({"op": "sharpness", "p": 1, "factor": fixed(2.5)}, lambda t: F.adjust_sharpness(t, 2.5)),
    "grayscale": ({"op": "grayscale", "p": 1},
                  lambda t: F.rgb_to_grayscale(t, num_output_channels=t.shape[0]) if t.shape[0] == 3 else t),
    "gaussian_blur_5_1.3": ({"op": "gaussian_blur", "kernel_size": 5, "sigma": fixed(1.3)},
                            lambda t: F.gaussian_blur(t, [5, 5], [1.3, 1.3])),
}


def reference(fn, images):
    outs = []
    for img in images:
        t = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))
        outs.append(fn(t).numpy().transpose(1, 2, 0))
    return np.stack(outs)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    dump = sys.argv[1]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        cases_path = os.path.join(tmp, "cases.json")
        with open(cases_path, "w") as f:
            json.dump({name: [op] for name, (op, _) in CASES.items()}, f)
        for set_name, images in image_sets().items():
            images_path = os.path.join(tmp, set_name + ".npy")
            out_path = os.path.join(tmp, set_name + ".npz")
            np.save(images_path, images)
            subprocess.run([dump, images_path, out_path, cases_path], check=True)
            ours = np.load(out_path)
            for name, (_, fn) in CASES.items():
                want = reference(fn, images).astype(np.int64)
                got = ours[name].astype(np.int64)
                assert got.shape == want.shape, (name, got.shape, want.shape)
                diff = np.abs(got - want)
                mean, worst, exact = diff.mean(), diff.max(), (diff == 0).mean()
                off = (diff > 1).mean()
                ok = mean <= MAX_MEAN_ABS and off <= MAX_FRACTION_OFF
                print(f"{'ok  ' if ok else 'FAIL'} {set_name:9s} {name:20s} mean|d| {mean:.4f}  "
                      f"max {worst:3d}  exact {100 * exact:6.2f}%")
                if not ok:
                    failures.append(f"{set_name}/{name}")
    if failures:
        print("photometric parity failed: " + ", ".join(failures), file=sys.stderr)
        return 1
    print(f"photometric parity: {len(CASES)} cases x 4 image sets within {MAX_MEAN_ABS} grey level on average")
    return 0


if __name__ == "__main__":
    sys.exit(main())
