#!/usr/bin/python3
"""Backbone parity: gauntlet's ResNet, VGG, MobileNet, EfficientNet, ConvNeXt and Inception v3
(models/*.cpp) against torchvision 0.14's, and its pre-activation ResNet (models/resnetv2.cpp)
against TimmResNetV2 below, a reference written from timm's resnetv2.py (timm is not installed).

1. Names: for every builder gauntlet registers, the state_dict keys, their order and their shapes
   equal the reference's.
2. Outputs: for the models in FORWARD, a reference model (seeded; BatchNorm and LayerNorm weights,
   biases and running statistics and ConvNeXt's layer scales drawn at random so eval-mode norms
   and every block are exercised) has its state_dict saved to .npz, loaded by name into
   gauntlet's model (strict: no missing, unexpected or mis-shaped key), and both run the same
   random (2, 3, S, S) input in eval mode (S = 64; 80 for inception_v3, which needs >= 75). The
   logits must agree to within TOLERANCE times the largest reference logit magnitude.

Usage: backbones_parity.py BACKBONE_DUMP
Runs with Debian's /usr/bin/python3 (python3-torch 1.13, python3-torchvision 0.14, numpy).
Exits 1 on any mismatch.
"""
import collections
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
       "efficientnet_v2_s", "efficientnet_v2_m", "efficientnet_v2_l",
       "convnext_tiny", "convnext_small", "convnext_base", "convnext_large", "inception_v3",
       "resnetv2_50"]
FORWARD = ["resnet18", "resnet50", "vgg11_bn", "mobilenet_v2", "mobilenet_v3_small",
           "mobilenet_v3_large", "efficientnet_b0", "efficientnet_v2_s", "convnext_tiny",
           "inception_v3", "resnetv2_50"]
INPUT_SIZE = {"inception_v3": 80}  # others: 64


class BatchNormAct2d(torch.nn.BatchNorm2d):
    """timm's BatchNormAct2d: BatchNorm then ReLU, BatchNorm's tensor names."""

    def forward(self, x):
        return torch.relu(super().forward(x))


def timm_conv(cin, cout, k, stride=1):
    """timm's create_conv2d: no bias, padding ((stride - 1) + (k - 1)) // 2."""
    return torch.nn.Conv2d(cin, cout, k, stride=stride, padding=((stride - 1) + (k - 1)) // 2,
                           bias=False)


class DownsampleConv(torch.nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv = timm_conv(cin, cout, 1, stride)
        self.norm = torch.nn.Identity()  # preact

    def forward(self, x):
        return self.norm(self.conv(x))


class PreActBottleneck(torch.nn.Module):
    """timm's PreActBottleneck (bottle_ratio 0.25, stride on the 3x3, shortcut from the
    pre-activation, drop_path 0)."""

    def __init__(self, cin, cout, stride, project):
        super().__init__()
        mid = cout // 4
        self.downsample = DownsampleConv(cin, cout, stride) if project else None
        self.norm1 = BatchNormAct2d(cin)
        self.conv1 = timm_conv(cin, mid, 1)
        self.norm2 = BatchNormAct2d(mid)
        self.conv2 = timm_conv(mid, mid, 3, stride)
        self.norm3 = BatchNormAct2d(mid)
        self.conv3 = timm_conv(mid, cout, 1)

    def forward(self, x):
        x_preact = self.norm1(x)
        shortcut = self.downsample(x_preact) if self.downsample is not None else x
        x = self.conv1(x_preact)
        x = self.conv2(self.norm2(x))
        x = self.conv3(self.norm3(x))
        return x + shortcut


class ResNetStage(torch.nn.Module):
    def __init__(self, cin, cout, stride, depth):
        super().__init__()
        self.blocks = torch.nn.Sequential(*[
            PreActBottleneck(cin if i == 0 else cout, cout, stride if i == 0 else 1, i == 0)
            for i in range(depth)])

    def forward(self, x):
        return self.blocks(x)


class ClassifierHead(torch.nn.Module):
    """timm's ClassifierHead(use_conv=True): average pool, 1x1 conv "fc", flatten."""

    def __init__(self, cin, num_classes):
        super().__init__()
        self.fc = torch.nn.Conv2d(cin, num_classes, 1, bias=True)

    def forward(self, x):
        return self.fc(torch.nn.functional.adaptive_avg_pool2d(x, 1)).flatten(1)


class TimmResNetV2(torch.nn.Module):
    """Mirrors timm's ResNetV2 as resnetv2_50 builds it (timm/models/resnetv2.py: layers
    [3, 4, 6, 3], conv_layer=create_conv2d, norm_layer=BatchNormAct2d, stem_type='', preact):
    stem.conv 7x7/2 + stem.pool 3x3/2, stages.N.blocks.M, final norm, head.fc; timm's
    _init_weights."""

    def __init__(self, layers, num_classes):
        super().__init__()
        self.stem = torch.nn.Sequential(collections.OrderedDict([
            ("conv", timm_conv(3, 64, 7, 2)),
            ("pool", torch.nn.MaxPool2d(kernel_size=3, stride=2, padding=1))]))
        self.stages = torch.nn.Sequential()
        cin = 64
        for i, (depth, cout) in enumerate(zip(layers, (256, 512, 1024, 2048))):
            self.stages.add_module(str(i), ResNetStage(cin, cout, 1 if i == 0 else 2, depth))
            cin = cout
        self.norm = BatchNormAct2d(cin)
        self.head = ClassifierHead(cin, num_classes)
        for name, m in self.named_modules():
            if "head.fc" in name and isinstance(m, torch.nn.Conv2d):
                torch.nn.init.normal_(m.weight, mean=0.0, std=0.01)
                torch.nn.init.zeros_(m.bias)
            elif isinstance(m, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, torch.nn.BatchNorm2d):
                torch.nn.init.ones_(m.weight)
                torch.nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.head(self.norm(self.stages(self.stem(x))))


def reference_model(name):
    """The model gauntlet's `name` must match, built for NUM_CLASSES."""
    if name == "inception_v3":
        return tvm.inception_v3(num_classes=NUM_CLASSES, aux_logits=False, init_weights=True)
    if name == "resnetv2_50":
        return TimmResNetV2([3, 4, 6, 3], NUM_CLASSES)
    return getattr(tvm, name)(num_classes=NUM_CLASSES)


def torchvision_model(name, seed):
    torch.manual_seed(seed)
    m = reference_model(name)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)
                mod.running_mean.uniform_(-0.2, 0.2)
                mod.running_var.uniform_(0.5, 1.5)
                mod.num_batches_tracked.fill_(7)
            elif isinstance(mod, torch.nn.LayerNorm):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)
            if isinstance(getattr(mod, "layer_scale", None), torch.nn.Parameter):
                mod.layer_scale.uniform_(0.1, 0.5)
            # Inception's std 0.1 convs grow the logits to ~1e9 through 94 convs under eval-mode
            # BN; He-scaled weights keep them O(1), so the comparison is not of huge numbers only.
            if name == "inception_v3" and isinstance(mod, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(mod.weight, nonlinearity="relu")
    return m.eval()


@contextlib.contextmanager
def no_init():
    """Names and shapes do not depend on values: skip torch.nn.init while building the
    references (convnext_large's 198M parameters take seconds to draw)."""
    names = ["trunc_normal_", "kaiming_uniform_", "kaiming_normal_", "uniform_", "normal_",
             "constant_", "zeros_", "ones_"]
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
            ref = [(k, tuple(v.shape)) for k, v in reference_model(name).state_dict().items()]
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
        side = INPUT_SIZE.get(name, 64)
        x = torch.randn(2, 3, side, side, generator=g)
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
