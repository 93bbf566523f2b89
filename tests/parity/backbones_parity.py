#!/usr/bin/python3
"""Backbone parity: gauntlet's ResNet, VGG, MobileNet and EfficientNet (models/resnet.cpp,
models/vgg.cpp, models/mobilenet.cpp, models/efficientnet.cpp) against torchvision 0.14's.

1. Names: for every torchvision builder gauntlet registers (resnet18 ... resnet152, vgg11 ...
   vgg19_bn, mobilenet_v2, mobilenet_v3_small/large, efficientnet_b0 ... b7, efficientnet_v2_s/m/l),
   the state_dict keys, their order and their shapes equal torchvision's.
2. Outputs: for resnet18, resnet50, vgg11_bn, mobilenet_v2, mobilenet_v3_small/large,
   efficientnet_b0 and efficientnet_v2_s, a torchvision model (seeded; BatchNorm weights,
   biases and running statistics drawn at random so eval-mode BN is exercised) has its state_dict
   saved to .npz, loaded by name into gauntlet's model (strict: no missing, unexpected or
   mis-shaped key), and both run the same random (2, 3, 64, 64) input in eval mode. The logits
   must agree to within TOLERANCE times the largest reference logit magnitude.

Usage: backbones_parity.py BACKBONE_DUMP
Runs with Debian's /usr/bin/python3 (python3-torch 1.13, python3-torchvision 0.14, numpy).
Exits 1 on any mismatch.
"""
import contextlib
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torchvision.models as tvm

TOLERANCE = 1e-4
NUM_CLASSES = 10
ALL = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
       "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn",
       "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large",
       "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3",
       "efficientnet_b4", "efficientnet_b5", "efficientnet_b6", "efficientnet_b7",
       "efficientnet_v2_s", "efficientnet_v2_m", "efficientnet_v2_l"]
FORWARD = ["resnet18", "resnet50", "vgg11_bn", "mobilenet_v2", "mobilenet_v3_small",
           "mobilenet_v3_large", "efficientnet_b0", "efficientnet_v2_s"]


def torchvision_model(name, seed):
    torch.manual_seed(seed)
    m = getattr(tvm, name)(num_classes=NUM_CLASSES)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)
                mod.running_mean.uniform_(-0.2, 0.2)
                mod.running_var.uniform_(0.5, 1.5)
                mod.num_batches_tracked.fill_(7)
    return m.eval()


@contextlib.contextmanager
def no_init():
    """Names and shapes need no initial values: skipping torch.nn.init saves most of the time of
    building the large models (efficientnet_b7, efficientnet_v2_l, vgg19)."""
    names = ["kaiming_normal_", "kaiming_uniform_", "normal_", "uniform_", "trunc_normal_",
             "zeros_", "ones_", "constant_"]
    saved = {n: getattr(torch.nn.init, n) for n in names}
    for n in names:
        setattr(torch.nn.init, n, lambda t, *args, **kwargs: t)
    try:
        yield
    finally:
        for n, f in saved.items():
            setattr(torch.nn.init, n, f)


def check_names(dump):
    out = subprocess.run([dump, "keys", str(NUM_CLASSES)] + ALL, check=True,
                         capture_output=True, text=True).stdout
    ours, current = {}, None
    for line in out.splitlines():
        if line.startswith("# "):
            current = ours.setdefault(line[2:], [])
        else:
            key, *dims = line.split()
            current.append((key, tuple(int(d) for d in dims)))
    failed = 0
    for name in ALL:
        with no_init():
            model = getattr(tvm, name)(num_classes=NUM_CLASSES)
        ref = [(k, tuple(v.shape)) for k, v in model.state_dict().items()]
        got = ours.get(name, [])
        if got == ref:
            print(f"ok    names {name}: {len(ref)} entries")
            continue
        failed += 1
        diff = [(a, b) for a, b in zip(got, ref) if a != b][:3]
        print(f"FAIL  names {name}: {len(got)} entries vs torchvision's {len(ref)}; first "
              f"differences (ours, torchvision): {diff}")
    return failed


def check_forward(dump, tmp):
    failed = 0
    for i, name in enumerate(FORWARD):
        m = torchvision_model(name, seed=i)
        state = {k: v.detach().numpy().astype(np.float32) for k, v in m.state_dict().items()}
        state_path = os.path.join(tmp, f"{name}_state.npz")
        input_path = os.path.join(tmp, f"{name}_input.npz")
        out_path = os.path.join(tmp, f"{name}_out.npz")
        np.savez(state_path, **state)
        g = torch.Generator().manual_seed(100 + i)
        x = torch.randn(2, 3, 64, 64, generator=g)
        np.savez(input_path, input=x.numpy())
        with torch.no_grad():
            ref = m(x).numpy().astype(np.float64)
        subprocess.run([dump, "forward", name, str(NUM_CLASSES), state_path, input_path, out_path],
                       check=True)
        got = np.load(out_path)["logits"].astype(np.float64)
        if got.shape != ref.shape:
            print(f"FAIL  forward {name}: shape {got.shape} vs {ref.shape}")
            failed += 1
            continue
        scale = np.abs(ref).max()
        diff = np.abs(got - ref).max()
        ok = diff <= TOLERANCE * scale
        failed += not ok
        print(f"{'ok   ' if ok else 'FAIL '} forward {name}: max |diff| {diff:.3g}, "
              f"max |logit| {scale:.3g}, relative {diff / scale:.3g} (tolerance {TOLERANCE:g})")
    return failed


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    dump = sys.argv[1]
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        failed = check_names(dump) + check_forward(dump, tmp)
    if failed:
        print(f"{failed} check(s) failed")
        sys.exit(1)


if __name__ == "__main__":
    main()
