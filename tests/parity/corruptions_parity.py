#!/usr/bin/python3
"""Corruption parity: gauntlet's deterministic corruptions against independent Python
computations of the reference formulas (shared/specs/corruptions.md), on photographs bundled with
scikit-image (astronaut, chelsea, coffee, rocket, immunohistochemistry, camera) that no one here
chose, cropped and resized to each size table's side (32, 64, 224 px) in colour and grey.

Each module in corruption_refs/ exports REFERENCES = {corruption id: fn(uint8 HxWxC, severity) ->
uint8 HxWxC}; the function picks its parameter table from the image side itself, from its own
transcription of the spec. Passes when, for every id, severity and image set, the mean absolute
difference is at most 1 grey level (the issue's bar) and at most MAX_FRACTION_OFF of the elements
differ by more than 2.

Usage: corruptions_parity.py CORRUPTION_DUMP [ID ...]   (no ids: every id with a reference)
"""
import importlib
import os
import subprocess
import sys
import tempfile

import numpy as np
import skimage.data
import skimage.transform

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
MAX_MEAN_ABS = 1.0
MAX_FRACTION_OFF = 0.02
SEED = 20261123


def image_sets():
    photos = [skimage.data.astronaut(), skimage.data.chelsea(), skimage.data.coffee(),
              skimage.data.rocket(), skimage.data.immunohistochemistry()]
    sets = {}
    for side in (32, 64, 224):
        imgs = []
        for p in photos:
            s = min(p.shape[:2])
            crop = p[:s, :s]
            small = skimage.transform.resize(crop, (side, side), anti_aliasing=True)
            imgs.append(np.clip(np.round(small * 255), 0, 255).astype(np.uint8))
        sets[f"rgb{side}"] = np.stack(imgs)
    cam = skimage.data.camera()
    sets["gray64"] = np.clip(np.round(skimage.transform.resize(cam, (64, 64), anti_aliasing=True) * 255),
                             0, 255).astype(np.uint8)[None, :, :, None]
    return sets


def load_references():
    refs = {}
    folder = os.path.join(HERE, "corruption_refs")
    for name in sorted(os.listdir(folder)):
        if name.endswith(".py") and not name.startswith("_"):
            mod = importlib.import_module("corruption_refs." + name[:-3])
            for key, fn in mod.REFERENCES.items():
                assert key not in refs, f"two references for {key}"
                refs[key] = fn
    return refs


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    dump = sys.argv[1]
    refs = load_references()
    ids = sys.argv[2:] or sorted(refs)
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for set_name, images in image_sets().items():
            src = os.path.join(tmp, f"{set_name}.npy")
            out = os.path.join(tmp, f"{set_name}.npz")
            np.save(src, images)
            subprocess.run([dump, src, out, str(SEED)] + ids, check=True)
            got = np.load(out)
            for cid in ids:
                for sev in range(1, 6):
                    g = got[f"{cid}.{sev}"].astype(np.int32)
                    want = np.stack([refs[cid](img, sev) for img in images]).astype(np.int32)
                    assert want.shape == g.shape, (cid, want.shape, g.shape)
                    diff = np.abs(g - want)
                    mean, frac, worst = diff.mean(), (diff > 2).mean(), diff.max()
                    ok = mean <= MAX_MEAN_ABS and frac <= MAX_FRACTION_OFF
                    print(f"{'ok  ' if ok else 'FAIL'} {cid:<34} {set_name:<7} sev {sev}: "
                          f"mean |diff| {mean:.4f}, >2 levels {100 * frac:.2f}%, max {worst}")
                    if not ok:
                        failures.append((cid, set_name, sev))
    print(f"corruptions_parity: {len(ids)} corruptions, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
