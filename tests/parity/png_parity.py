#!/usr/bin/python3
"""Parity of gauntlet's PNG writer (harness/core/png.cpp) with PIL's PNG decoder.

Usage:
  png_parity.py PNG_DUMP

PNG_DUMP is the program built from tests/parity/png_dump.cpp: given a folder it writes one PNG
per case, named c<channels>_<width>x<height>.png, of a deterministic pattern. This script has PIL
verify each file (chunk CRCs) and decode it, checks the mode (L, RGB, RGBA) and size the name
promises and compares every pixel with the pattern computed here with numpy. It insists on the
cases that matter (each colour type at 1x1 and 300x7, and a file split over several IDAT
chunks), prints one line per file and exits 1 on any mismatch (2 on bad usage or a program that
fails).

Runs with Debian's /usr/bin/python3, which sees python3-pil and python3-numpy.
"""

import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile

import numpy as np
import PIL
from PIL import Image

MODES = {1: "L", 3: "RGB", 4: "RGBA"}
NAME = re.compile(r"c([134])_(\d+)x(\d+)\.png")
REQUIRED = [f"c{c}_{w}x{h}.png" for c in (1, 3, 4) for (w, h) in ((1, 1), (300, 7))]


def pattern(width, height, channels):
    """The image png_dump.cpp writes, as (height, width, channels) uint8."""
    y, x, c = np.meshgrid(np.arange(height, dtype=np.uint32), np.arange(width, dtype=np.uint32),
                          np.arange(channels, dtype=np.uint32), indexing="ij")
    # uint32 arrays wrap on overflow exactly as the C++ unsigned arithmetic does.
    ramp = (x * 3 + y * 5 + c * 85) & 255
    h = (x * np.uint32(73856093)) ^ (y * np.uint32(19349663)) ^ (c * np.uint32(83492791))
    noise = (h * np.uint32(2654435761)) >> 24
    return np.where((x // 8 + y // 8) % 3 == 0, ramp, noise).astype(np.uint8)


def idat_chunks(path):
    """How many IDAT chunks the file holds, walking the chunk lengths."""
    with open(path, "rb") as f:
        data = f.read()
    at, count = 8, 0
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        count += kind == b"IDAT"
        at += 12 + length
    return count


def check(path, width, height, channels):
    """True when PIL reads exactly the pattern from `path`; prints a line either way."""
    name = os.path.basename(path)
    with Image.open(path) as img:
        img.verify()
    with Image.open(path) as img:
        mode, size = img.mode, img.size
        pixels = np.asarray(img)
    if mode != MODES[channels] or size != (width, height):
        print(f"FAIL {name}: PIL reads mode {mode} size {size}")
        return False
    got = pixels.reshape(height, width, channels)
    expected = pattern(width, height, channels)
    wrong = np.argwhere(got != expected)
    if len(wrong):
        yy, xx, cc = wrong[0]
        print(f"FAIL {name}: {len(wrong)} values differ, first at x={xx} y={yy} c={cc}: "
              f"{got[yy, xx, cc]} != {expected[yy, xx, cc]}")
        return False
    print(f"ok   {name}: {mode} {width}x{height}, {idat_chunks(path)} IDAT")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("program", help="png_dump executable")
    args = parser.parse_args()
    if not os.access(args.program, os.X_OK):
        parser.error(f"{args.program} is not an executable")

    print(f"PIL {PIL.__version__}, numpy {np.__version__}")
    with tempfile.TemporaryDirectory(prefix="png_parity.") as tmp:
        run = subprocess.run([args.program, tmp], capture_output=True, text=True)
        if run.returncode != 0:
            print(f"error: {args.program} exited {run.returncode}: {run.stderr.strip()}",
                  file=sys.stderr)
            return 2
        names = sorted(os.listdir(tmp))
        failures = [n for n in REQUIRED if n not in names]
        for n in failures:
            print(f"FAIL {n}: not written")
        for n in names:
            m = NAME.fullmatch(n)
            if not m:
                print(f"FAIL {n}: unexpected file")
                failures.append(n)
                continue
            channels, width, height = (int(g) for g in m.groups())
            path = os.path.join(tmp, n)
            if not check(path, width, height, channels):
                failures.append(n)
        if max((idat_chunks(os.path.join(tmp, n)) for n in names), default=0) < 2:
            print("FAIL no file was split over several IDAT chunks")
            failures.append("IDAT split")
    print(f"{len(names)} files checked, "
          + (f"{len(failures)} FAILED" if failures else "all match PIL"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
