#!/usr/bin/python3
"""Writes the bad-input corpus into OUTDIR: broken data files, image folders and suites.

Usage: /usr/bin/python3 tests/data/bad/make_corpus.py OUTDIR

Nothing here is committed as a binary: tests/e2e/bad_input.sh runs this script into a temporary
folder at test time and then runs every case of cases.tsv (the real `gauntlet` binary on one file
of this corpus) expecting exit 2, one message naming the file and the problem, and no output.
Each file is a few hundred bytes; the whole corpus is written in well under a second.
"""
import copy
import gzip
import io
import json
import os
import pickle
import struct
import sys
import zipfile
import zlib

import numpy as np

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
N, H, W = 20, 8, 8  # a valid tiny data set: 20 grey 8x8 images, 2 classes


def good_images():
    return (np.arange(N * H * W) % 251).astype(np.uint8).reshape(N, H, W)


def good_labels():
    return np.array([0, 1] * (N // 2), dtype=np.int64)


def npy_bytes(arr, **kw):
    buf = io.BytesIO()
    np.save(buf, arr, **kw)
    return buf.getvalue()


def raw_npy(header, payload=b"", version=(1, 0)):
    """A .npy with the header dict text exactly as given (padded the way numpy pads it)."""
    text = header.encode("latin1")
    length_bytes = 2 if version[0] == 1 else 4
    pad = 64 - (6 + 2 + length_bytes + len(text) + 1) % 64
    text += b" " * (pad % 64) + b"\n"
    size = struct.pack("<H" if length_bytes == 2 else "<I", len(text))
    return b"\x93NUMPY" + bytes(version) + size + text + payload


def npz(path, members, compress=False):
    """members: name -> .npy bytes (or any bytes)."""
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)


def good_members():
    return {"images.npy": npy_bytes(good_images()), "labels.npy": npy_bytes(good_labels())}


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def make_npz(out):
    d = os.path.join(out, "npz")
    os.makedirs(d, exist_ok=True)
    p = lambda name: os.path.join(d, name)  # noqa: E731

    npz(p("good.npz"), good_members())
    whole = open(p("good.npz"), "rb").read()
    write(p("truncated.npz"), whole[: len(whole) // 2])
    write(p("empty.npz"), b"")
    write(p("not_a_zip.npz"), b"this is not a zip archive\n" * 4)
    # One byte of the images payload flipped: the CRC no longer matches.
    i = whole.index(b"\x93NUMPY") + 200
    write(p("bad_crc.npz"), whole[:i] + bytes([whole[i] ^ 0xFF]) + whole[i + 1:])
    # The central directory says the images member is 10^12 bytes uncompressed.
    npz(p("bomb.npz"), good_members(), compress=True)
    data = bytearray(open(p("bomb.npz"), "rb").read())
    cd = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, cd + 24, 0xFFFFFFF0)
    write(p("bomb.npz"), bytes(data))
    # A deflated member whose stream is garbage.
    npz(p("bad_deflate.npz"), good_members(), compress=True)
    data = bytearray(open(p("bad_deflate.npz"), "rb").read())
    start = 30 + len("images.npy")
    for k in range(start + 4, start + 40):
        data[k] ^= 0x5A
    write(p("bad_deflate.npz"), bytes(data))

    m = good_members()
    m["images.npy"] = npy_bytes(np.array([good_images(), "x"], dtype=object), allow_pickle=True)
    npz(p("object_dtype.npz"), m)
    m = good_members()
    m["images.npy"] = pickle.dumps(good_images())  # a pickle where an .npy belongs
    npz(p("pickle_member.npz"), m)
    m = good_members()
    m["images.npy"] = raw_npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1000000000, 28, 28), }",
                              b"\0" * 64)
    npz(p("huge_shape.npz"), m)
    m = good_members()
    m["images.npy"] = raw_npy("{'descr': '|u1', 'fortran_order': False, 'shape': "
                              "(4294967296, 4294967296, 4294967296), }")
    npz(p("overflow_shape.npz"), m)
    m = good_members()
    m["images.npy"] = raw_npy("{'descr': '|u1', 'fortran_order': 1, 'shape': (20, 8, 8), }",
                              good_images().tobytes())
    npz(p("fortran_not_bool.npz"), m)
    m = good_members()
    m["images.npy"] = raw_npy("{'descr': '|u1', 'fortran_order': True, 'shape': (20, 8, 8), }",
                              good_images().tobytes()[:-1])
    npz(p("fortran_short.npz"), m)
    m = good_members()
    m["images.npy"] = raw_npy("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (2,), }", b"\0" * 8)
    npz(p("structured.npz"), m)
    m = good_members()
    m["images.npy"] = raw_npy("{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }", b"\0" * 24)
    npz(p("unicode_dtype.npz"), m)
    m = good_members()
    m["images.npy"] = raw_npy("{'descr': '|u1', 'fortran_order': False, 'shape': (20, 8, 8), "
                              "'evil': __import__('os'), }", good_images().tobytes())
    npz(p("extra_key.npz"), m)
    m = good_members()
    m["images.npy"] = b"\x93NUMPY\x09\x00" + npy_bytes(good_images())[8:]
    npz(p("bad_version.npz"), m)
    m = good_members()
    m["images.npy"] = raw_npy("{'descr': '|u1', 'fortran_order': False, 'shape': (-20, 8, 8), }")
    npz(p("negative_dim.npz"), m)

    m = good_members()
    m["images.npy"] = npy_bytes(good_images().astype(np.complex64))
    npz(p("wrong_dtype.npz"), m)
    m = good_members()
    wide = good_images().astype(np.int16)
    wide[4, 1, 1] = 300
    m["images.npy"] = npy_bytes(wide)
    npz(p("int_out_of_range.npz"), m)
    f = good_images().astype(np.float32)
    f[3, 2, 2] = np.nan
    f[5, 0, 0] = np.inf
    m = good_members()
    m["images.npy"] = npy_bytes(f)
    npz(p("nan_images.npz"), m)
    m = good_members()
    m["labels.npy"] = npy_bytes(np.array([0, 1] * 9 + [1, -1], dtype=np.int64))
    npz(p("negative_label.npz"), m)
    m = good_members()
    m["labels.npy"] = npy_bytes(np.array([0, 1] * 9 + [1, 2**40], dtype=np.int64))
    npz(p("label_out_of_range.npz"), m)
    m = good_members()
    m["labels.npy"] = npy_bytes(np.array([0.0, 1.0] * 9 + [1.0, 0.5]))
    npz(p("fractional_label.npz"), m)
    m = good_members()
    m["labels.npy"] = npy_bytes(np.array([0.0, 1.0] * 9 + [1.0, np.nan]))
    npz(p("nan_label.npz"), m)
    m = good_members()
    m["labels.npy"] = npy_bytes(good_labels()[:-1])
    npz(p("length_mismatch.npz"), m)
    m = good_members()
    m["labels.npy"] = npy_bytes(np.zeros((N, 2), np.int64))
    npz(p("labels_2d.npz"), m)
    m = good_members()
    del m["labels.npy"]
    npz(p("no_labels.npz"), m)
    m = good_members()
    m["images.npy"] = npy_bytes(np.zeros((N, H, W, 2), np.uint8))
    npz(p("two_channels.npz"), m)
    m = good_members()
    m["images.npy"] = npy_bytes(np.zeros((N, 0, W), np.uint8))
    npz(p("zero_height.npz"), m)
    m = {"images.npy": npy_bytes(np.zeros((0, H, W), np.uint8)), "labels.npy": npy_bytes(np.zeros(0, np.int64))}
    npz(p("no_images.npz"), m)
    m = good_members()
    m["images.npy"] = npy_bytes(np.zeros((N, H), np.uint8))
    npz(p("images_2d.npz"), m)
    m = good_members()
    m["labels.npy"] = npy_bytes(np.zeros(N, np.int64))
    npz(p("one_class.npz"), m)
    # Two members with the same name.
    with zipfile.ZipFile(p("duplicate_member.npz"), "w") as z:
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, data in list(good_members().items()) + [("labels.npy", npy_bytes(good_labels()))]:
                z.writestr(name, data)
    # A data spec that names a folder... as .npz.
    os.makedirs(p("folder.npz"), exist_ok=True)


def idx_bytes(arr, type_code):
    header = bytes([0, 0, type_code, arr.ndim]) + b"".join(struct.pack(">i", s) for s in arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def make_idx(out):
    d = os.path.join(out, "idx")
    os.makedirs(d, exist_ok=True)

    def pair(stem, images, labels, gz=False):
        ext = ".gz" if gz else ""
        wrap = gzip.compress if gz else (lambda b: b)
        if images is not None:
            write(os.path.join(d, stem + "-images-idx3-ubyte" + ext), wrap(images))
        if labels is not None:
            write(os.path.join(d, stem + "-labels-idx1-ubyte" + ext), wrap(labels))

    img, lab = idx_bytes(good_images(), 0x08), idx_bytes(good_labels().astype(np.uint8), 0x08)
    pair("good", img, lab)
    pair("bad_magic", b"\x12\x34" + img[2:], lab)
    pair("bad_type", img[:2] + b"\x0a" + img[3:], lab)
    pair("zero_rank", img[:3] + b"\x00", lab)
    pair("truncated", img[: len(img) // 2], lab)
    pair("short_header", img[:9], lab)
    pair("trailing", img + b"\0\0\0", lab)
    pair("zero_dim", img[:4] + struct.pack(">i", 0) + img[8:], lab)
    pair("negative_dim", img[:4] + struct.pack(">i", -5) + img[8:], lab)
    # 10^9 x 28 x 28 declared (784 GB) in a 100-byte file.
    pair("huge_dims", bytes([0, 0, 8, 3]) + struct.pack(">iii", 10**9, 28, 28) + b"\0" * 100, lab)
    pair("huge_dims_gz", bytes([0, 0, 8, 3]) + struct.pack(">iii", 10**9, 28, 28) + b"\0" * 100, lab, gz=True)
    pair("overflow_dims", bytes([0, 0, 0x0E, 3]) + struct.pack(">iii", 2**31 - 1, 2**31 - 1, 2**31 - 1), lab)
    pair("length_mismatch", img, idx_bytes(good_labels()[:-1].astype(np.uint8), 0x08))
    pair("missing_labels", img, None)
    pair("label_out_of_range", img, idx_bytes(np.array([0, 1] * 9 + [1, -3], np.int32), 0x0C))
    pair("labels_rank2", img, idx_bytes(np.zeros((N, 3), np.uint8), 0x08))
    pair("float_images", idx_bytes(good_images().astype(np.float32) * 4 + 300, 0x0D), lab)
    gz = bytearray(gzip.compress(img))
    for k in range(20, 60):
        gz[k] ^= 0x77
    write(os.path.join(d, "corrupt_gz-images-idx3-ubyte.gz"), bytes(gz))
    write(os.path.join(d, "corrupt_gz-labels-idx1-ubyte.gz"), gzip.compress(lab))
    gz = gzip.compress(img)
    write(os.path.join(d, "truncated_gz-images-idx3-ubyte.gz"), gz[: len(gz) - 30])
    write(os.path.join(d, "truncated_gz-labels-idx1-ubyte.gz"), gzip.compress(lab))


def png_bytes(value, h=H, w=W):
    """A minimal grey 8-bit PNG, written by hand so the corpus needs only numpy."""
    raw = b"".join(b"\0" + bytes([value] * w) for _ in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make_folders(out):
    d = os.path.join(out, "folders")

    def folder(name, classes):
        for cls, files in classes.items():
            os.makedirs(os.path.join(d, name, cls), exist_ok=True)
            for fname, data in files.items():
                write(os.path.join(d, name, cls, fname), data)

    good = {"0.png": png_bytes(10), "1.png": png_bytes(200)}
    folder("good", {"cat": good, "dog": good})
    folder("zero_byte", {"cat": good, "dog": dict(good, **{"2.png": b""})})
    folder("not_an_image", {"cat": dict(good, **{"2.png": b"GIF? no, plain text pretending\n" * 3}), "dog": good})
    folder("truncated_png", {"cat": good, "dog": dict(good, **{"2.png": png_bytes(99)[:40]})})
    folder("empty_class", {"cat": good, "dog": good, "eel": {}})
    folder("no_classes", {})
    os.makedirs(os.path.join(d, "no_classes"), exist_ok=True)
    folder("one_class", {"cat": good})
    folder("classes_file_bad", {"cat": good, "dog": good})
    write(os.path.join(d, "classes_file_bad", "classes"), b"cat\ndog\nyak\n")
    # A dangling symlink named like an image: unreadable even for root.
    folder("dangling_link", {"cat": good, "dog": good})
    os.symlink("/nonexistent/gauntlet/bad-corpus.png", os.path.join(d, "dangling_link", "dog", "2.png"))
    # A folder named like an image.
    folder("dir_as_image", {"cat": good, "dog": good})
    os.makedirs(os.path.join(d, "dir_as_image", "dog", "3.png"), exist_ok=True)


def make_suites(out):
    d = os.path.join(out, "suites")
    os.makedirs(d, exist_ok=True)
    base = {
        "name": "bad",
        "data": {"source": os.path.join(out, "npz", "good.npz"), "split": {"val": 0.2}, "input_size": 8},
        "axes": {"backbone": {"cnn": {"name": "simple_cnn", "channels": [4], "hidden": 8}},
                 "augmentation": {"none": []}, "loss": ["cross_entropy"],
                 "optimizer": {"sgd": {"name": "sgd", "lr": 0.05}}, "seeds": [0]},
        "train": {"epochs": 1, "batch_size": 8},
    }

    def suite(name, edit=None, text=None):
        path = os.path.join(d, name + ".json")
        if text is None:
            s = copy.deepcopy(base)
            edit(s)
            text = json.dumps(s, indent=1)
        write(path, text.encode("utf-8") if isinstance(text, str) else text)

    suite("good", lambda s: None)
    suite("epochs_string", lambda s: s["train"].update(epochs="three"))
    suite("epochs_1e9", lambda s: s["train"].update(epochs=10**9))
    suite("epochs_float", lambda s: s["train"].update(epochs=2.5))
    suite("batch_zero", lambda s: s["train"].update(batch_size=0))
    suite("batch_huge", lambda s: s["train"].update(batch_size=10**12))
    suite("negative_lr", lambda s: s["axes"]["optimizer"]["sgd"].update(lr=-0.1))
    suite("nan_lr", text=json.dumps(base).replace('"lr": 0.05', '"lr": NaN'))
    suite("huge_number", text=json.dumps(base).replace('"lr": 0.05', '"lr": 1e400'))
    suite("zero_channels", lambda s: s["axes"]["backbone"]["cnn"].update(channels=[]))
    suite("zero_hidden", lambda s: s["axes"]["backbone"]["cnn"].update(hidden=0))
    suite("input_size_huge", lambda s: s["data"].update(input_size=10**6))
    suite("subset_zero", lambda s: s["data"].update(subset=0))
    suite("val_one", lambda s: s["data"]["split"].update(val=1.0))
    suite("unknown_top_key", lambda s: s.update(trian=s.pop("train")))
    suite("unknown_train_key", lambda s: s["train"].update(epoch=3))
    suite("axes_list", lambda s: s.update(axes=["simple_cnn"]))
    suite("empty_axis", lambda s: s["axes"].update(optimizer={}))
    suite("unknown_backbone", lambda s: s["axes"]["backbone"]["cnn"].update(name="resnet9000"))
    suite("unknown_op", lambda s: s["axes"]["augmentation"].update(bad=[{"op": "hflipp"}]))
    suite("include_unknown_label", lambda s: s.update(include=[{"backbone": "cnn", "augmentation": "none",
                                                                "loss": "cross_entropy", "optimizer": "adam"}]))
    suite("exclude_unknown_label", lambda s: s.update(exclude=[{"optimizer": "sgdd"}]))
    suite("exclude_everything", lambda s: s.update(exclude=[{"optimizer": "sgd"}]))
    suite("not_an_object", text="[1, 2, 3]\n")
    suite("empty", text="")
    suite("syntax", text='{"name": "bad", "axes": {,}}\n')
    suite("truncated", text=json.dumps(base)[:70])
    suite("invalid_utf8", text=b'{"name": "bad\xff\xfe"}\n')
    suite("deep_nesting", text='{"name": "bad", "x": ' + "[" * 100000 + "]" * 100000 + "}\n")
    suite("seed_negative", lambda s: s["axes"].update(seeds=[-1]))
    suite("name_slash", lambda s: s.update(name="../../etc"))
    write(os.path.join(out, "pipeline.json"), b'[{"op": "hflip", "p": 0.5}]\n')
    write(os.path.join(out, "bad_pipeline.json"), b'[{"op": "rotate", "degrees": "ten"}]\n')
    suite("bad_data_file", lambda s: s["data"].update(source=os.path.join(out, "npz", "truncated.npz")))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_corpus.py OUTDIR")
    out = os.path.abspath(sys.argv[1])
    os.makedirs(out, exist_ok=True)
    make_npz(out)
    make_idx(out)
    make_folders(out)
    make_suites(out)


if __name__ == "__main__":
    main()
