#!/usr/bin/python3
"""Weight import parity: `gauntlet predict` with torchvision's weights gives torchvision's logits.

For resnet18 and vgg11_bn (torchvision 0.14, seeded, BatchNorm weights, biases and running
statistics drawn at random so eval-mode BN is exercised), the state_dict is saved both with
torch.save (the zip format, an OrderedDict with _metadata, as users have it) and as safetensors
written here by hand (8-byte little-endian header length, JSON header, raw data: no safetensors
package), and a random float32 (2, 3, 96, 96) input as .npy. `gauntlet predict --input-npy` with
each file must give the eval-mode logits of torchvision to within TOLERANCE x the largest
reference logit magnitude, with the class count taken from the weights. The scripted resnet18
(torch.jit.script) must give them too through --torchscript, and be refused (exit 2, nothing
written) without --allow-torchscript.

Usage: weights_parity.py GAUNTLET
Runs with Debian's /usr/bin/python3 (python3-torch 1.13, python3-torchvision 0.14, numpy).
Exits 1 on any mismatch.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from backbones_parity import torchvision_model  # noqa: E402  (seeded, BN statistics randomised)

TOLERANCE = 1e-4
NUM_CLASSES = 10

ST_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
             torch.float64: "F64", torch.int64: "I64"}


def save_safetensors(state, path):
    """The safetensors format by hand: tensors in order, contiguous, little-endian."""
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in state.items():
        data = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)  # the reference writer pads the header to 8 bytes
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for c in chunks:
            f.write(c)


def predict(gauntlet, args):
    return subprocess.run([gauntlet, "predict"] + args, capture_output=True, text=True)


def compare(label, got, ref):
    scale = float(np.abs(ref).max())
    err = float(np.abs(got - ref).max()) if got.shape == ref.shape else float("inf")
    ok = got.shape == ref.shape and err <= TOLERANCE * scale
    print(f"{'ok  ' if ok else 'FAIL'} {label}: shape {got.shape}, max |diff| {err:.3g}"
          f" = {err / scale:.2g} x max |logit| {scale:.3g}")
    return ok


def main():
    gauntlet = sys.argv[1]
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        x = torch.randn(2, 3, 96, 96, generator=torch.Generator().manual_seed(5))
        xpath = os.path.join(tmp, "x.npy")
        np.save(xpath, x.numpy())
        for seed, name in enumerate(["resnet18", "vgg11_bn"]):
            m = torchvision_model(name, seed)
            with torch.no_grad():
                ref = m(x).numpy()
            files = {"pth": os.path.join(tmp, name + ".pth"),
                     "safetensors": os.path.join(tmp, name + ".safetensors")}
            torch.save(m.state_dict(), files["pth"])
            save_safetensors(m.state_dict(), files["safetensors"])
            if name == "resnet18":
                files["torchscript"] = os.path.join(tmp, name + ".pt")
                torch.jit.script(m).save(files["torchscript"])
            for fmt, path in files.items():
                out = os.path.join(tmp, f"{name}-{fmt}.npy")
                model = (["--torchscript", path, "--allow-torchscript"] if fmt == "torchscript"
                         else ["--backbone", name, "--weights", path])
                r = predict(gauntlet, model + ["--input-npy", xpath, "--out", out])
                if r.returncode != 0:
                    print(f"FAIL {name} {fmt}: exit {r.returncode}: {r.stderr.strip()}")
                    failed += 1
                    continue
                failed += not compare(f"{name} {fmt}", np.load(out), ref)
            os.remove(files["pth"])
            os.remove(files["safetensors"])
        out = os.path.join(tmp, "refused.npy")
        r = predict(gauntlet, ["--torchscript", os.path.join(tmp, "resnet18.pt"), "--input-npy", xpath,
                               "--out", out])
        refused = r.returncode == 2 and "--allow-torchscript" in r.stderr and not os.path.exists(out)
        print(f"{'ok  ' if refused else 'FAIL'} TorchScript without --allow-torchscript: exit {r.returncode}")
        failed += not refused
    print("weights parity:", "FAILED" if failed else "ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
