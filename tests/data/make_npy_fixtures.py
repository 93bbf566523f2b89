#!/usr/bin/python3
"""Writes the small .npy/.npz files under tests/data/npy/ with numpy itself.

tests/test_npy.cpp checks that the C++ reader sees exactly these values, so the committed files
pin down compatibility with numpy's writer without the tests needing Python. Rerun only to add a
fixture (zip timestamps change on every run); keep each file a few hundred bytes.
"""
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "npy")


def main():
    os.makedirs(OUT, exist_ok=True)
    images = np.arange(2 * 3 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3, 3) * 4  # NHWC, 0..212
    labels = np.array([0, 9, 3, -7, 1], dtype=np.int64)
    floats = np.array([[0.5, -1.25, 3.0], [1e-3, 2.0**20, -0.0]], dtype=np.float32)

    np.save(os.path.join(OUT, "u1_nhwc.npy"), images)
    np.save(os.path.join(OUT, "i8_labels.npy"), labels)
    np.save(os.path.join(OUT, "f4_2x3.npy"), floats)
    # Column-major and big-endian layouts, which the reader converts to C order and host order.
    np.save(os.path.join(OUT, "f8_fortran.npy"), np.asfortranarray(np.arange(6.0).reshape(2, 3)))
    np.save(os.path.join(OUT, "i4_big_endian.npy"), np.array([1, -2, 70000], dtype=">i4"))
    np.save(os.path.join(OUT, "b1.npy"), np.array([True, False, True]))
    for version in [(2, 0), (3, 0)]:
        name = "i2_v%d.npy" % version[0]
        with open(os.path.join(OUT, name), "wb") as f:
            np.lib.format.write_array(f, np.array([-1, 2, 300], dtype=np.int16), version=version)
    np.savez_compressed(os.path.join(OUT, "compressed.npz"), images=images, labels=labels)
    np.savez(os.path.join(OUT, "stored.npz"), floats=floats, scalar=np.float64(2.5))


if __name__ == "__main__":
    main()
