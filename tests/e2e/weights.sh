#!/usr/bin/env bash
# Weight import through the real binary. Bad weights files (truncated or lying safetensors, a
# torch.save file that is not a state_dict, weights of another model) make `predict` and `run`
# exit 2 naming the file, with nothing written. Good ones: a training checkpoint's state_dict
# loads, `predict --data` preprocesses as numpy/OpenCV do by hand, and a suite's backbone
# starts from the weights, its 1000-class classifier left as initialised for 10 classes and
# reported, the weights' hash in the cell's config.
set -u
bin=$1 src=$2
. "$src/tests/e2e/lib.sh"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT

/usr/bin/python3 - "$t" <<'PY' || { echo "FAIL fixtures"; exit 1; }
import json, os, sys
import numpy as np, torch, torchvision
t = sys.argv[1]
torch.manual_seed(0)
m = torchvision.models.resnet18(num_classes=10).eval()
sd = m.state_dict()
torch.save(sd, f"{t}/r18.pth")
torch.jit.script(m).save(f"{t}/r18-scripted.pt")
torch.save({"epoch": 3, "state_dict": sd}, f"{t}/ckpt.pth")
torch.save(torchvision.models.resnet18().state_dict(), f"{t}/r18-1000.pth")
torch.save([1, 2], f"{t}/list.pth")
torch.save(7, f"{t}/int.pth")
torch.save({"conv1.weight": sd["conv1.weight"], "note": "hello"}, f"{t}/mixed.pth")
torch.save(sd, f"{t}/legacy.pth", _use_new_zipfile_serialization=False)
class Evil:  # what makes Python's torch.load run code
    def __reduce__(self):
        return (os.system, (f"touch {t}/pwned",))
torch.save({"conv1.weight": sd["conv1.weight"], "x": Evil()}, f"{t}/evil.pth")
open(f"{t}/empty.safetensors", "wb").close()

def st(path, header, data):
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + data)

w = sd["fc.bias"].numpy().tobytes()  # 10 floats
one = {"fc.bias": {"dtype": "F32", "shape": [10], "data_offsets": [0, 40]}}
st(f"{t}/good.safetensors", one, w)
with open(f"{t}/good.safetensors", "rb") as f:
    good = f.read()
open(f"{t}/truncated.safetensors", "wb").write(good[:-7])
open(f"{t}/longheader.safetensors", "wb").write((10**6).to_bytes(8, "little") + good[8:])
st(f"{t}/badjson.safetensors", b'{"fc.bias": {"dtype": "F32",', w)
st(f"{t}/outside.safetensors", {"fc.bias": {"dtype": "F32", "shape": [10], "data_offsets": [8, 48]}}, w)
st(f"{t}/overlap.safetensors", {"a": {"dtype": "F32", "shape": [6], "data_offsets": [0, 24]},
                                "b": {"dtype": "F32", "shape": [6], "data_offsets": [16, 40]}}, w)
st(f"{t}/dtype.safetensors", {"fc.bias": {"dtype": "F16", "shape": [10], "data_offsets": [0, 40]}}, w)
np.save(f"{t}/x.npy", np.random.default_rng(0).standard_normal((2, 3, 64, 64)).astype(np.float32))

# predict --data: 3 gray 28x28 images, enlarged to 224 (bilinear), RGB, /255, ImageNet mean/std.
import cv2
imgs = np.random.default_rng(1).integers(0, 256, (3, 28, 28, 1), dtype=np.uint8)
np.savez(f"{t}/data.npz", images=imgs, labels=np.arange(3))
mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
x = np.stack([cv2.cvtColor(cv2.resize(i[:, :, 0], (224, 224), interpolation=cv2.INTER_LINEAR),
                           cv2.COLOR_GRAY2RGB) for i in imgs]).astype(np.float32) / 255
x = ((x - mean) / std).astype(np.float32).transpose(0, 3, 1, 2)
with torch.no_grad():
    np.save(f"{t}/data-ref.npy", m(torch.from_numpy(np.ascontiguousarray(x))).numpy())
PY

bad() {  # bad NAME FILE WANT [BACKBONE]: predict exits 2 naming FILE and WANT, writes nothing
  expect "$1" 2 "$2" -- "$bin" predict --backbone "${4:-resnet18}" --weights "$t/$2" --input-npy "$t/x.npy" --out "$t/y.npy"
  [[ $last_out == *"$3"* ]] || { echo "FAIL $1: output lacks \"$3\""; fails=$((fails + 1)); }
  check "$1: nothing written" -- test ! -e "$t/y.npy"
}
bad "empty safetensors" empty.safetensors "shorter (0 bytes)"
bad "truncated safetensors" truncated.safetensors "not within the data area"
bad "header length past the end" longheader.safetensors "more than the"
bad "header not JSON" badjson.safetensors "not valid JSON"
bad "offsets outside the file" outside.safetensors "not within the data area"
bad "overlapping tensors" overlap.safetensors "overlaps"
bad "dtype and shape disagree with the bytes" dtype.safetensors "need 20 bytes"
bad "no classifier to count classes from" good.safetensors 'no 2-D "fc.weight" tensor'
expect "safetensors missing most tensors" 2 "missing: conv1.weight, bn1.weight, bn1.bias" -- "$bin" predict --backbone resnet18 \
  --weights "$t/good.safetensors" --num-classes 10 --input-npy "$t/x.npy" --out "$t/y.npy"
bad "a torch.save list" list.pth "not a state_dict"
bad "a torch.save int" int.pth "not a state_dict"
bad "a dict with a string value" mixed.pth 'the value of "note" is a str'
bad "legacy torch.save format" legacy.pth "legacy"
bad "a pickle that would call os.system" evil.pth "the Python global posix.system"
check "and did not" -- test ! -e "$t/pwned"
bad "resnet18 weights for resnet34" r18.pth "missing: layer1.2.conv1.weight" resnet34
[[ $last_out == *"(96 in all)"* ]] || { echo "FAIL resnet34: the count of missing names"; fails=$((fails + 1)); }
expect "weights of 10 classes for --num-classes 5" 2 "fc.weight" -- "$bin" predict --backbone resnet18 \
  --weights "$t/r18.pth" --num-classes 5 --input-npy "$t/x.npy" --out "$t/y.npy"
expect "no weights and no class count" 2 "--num-classes" -- "$bin" predict --backbone resnet18 \
  --input-npy "$t/x.npy" --out "$t/y.npy"
expect "unknown backbone" 2 "unknown backbone" -- "$bin" predict --backbone resnet7 --num-classes 3 \
  --input-npy "$t/x.npy" --out "$t/y.npy"
expect "a training checkpoint's state_dict loads" 0 "2 x 10 logits" -- "$bin" predict --backbone resnet18 \
  --weights "$t/ckpt.pth" --input-npy "$t/x.npy" --out "$t/ckpt.npy"
expect "predict --data" 0 "3 x 10 logits" -- "$bin" predict --backbone resnet18 --weights "$t/r18.pth" \
  --data "$t/data.npz" --out "$t/data.npy"
check "predict --data preprocesses like OpenCV + numpy" -- /usr/bin/python3 -c "
import numpy as np, sys
a, b = np.load('$t/data.npy'), np.load('$t/data-ref.npy')
err = np.abs(a - b).max() / np.abs(b).max()
print(f'  max |diff| = {err:.2g} x max |logit|')
sys.exit(not (a.shape == b.shape and err < 1e-4))"

# A suite whose backbone starts from 1000-class weights, trained on 10 classes.
cat > "$t/suite.json" <<'JSON'
{
  "name": "weights",
  "data": {"source": "fashion-mnist:train", "test": "fashion-mnist:test", "subset": 200,
           "test_subset": 100, "split": {"val": 0.2}, "input_size": 32},
  "axes": {
    "backbone": {"r18": {"name": "resnet18", "weights": "r18-1000.pth"}},
    "augmentation": {"none": []}, "loss": ["cross_entropy"],
    "optimizer": {"sgd": {"name": "sgd", "lr": 0.01}}
  },
  "train": {"epochs": 1, "batch_size": 50},
  "evaluate": {"corruptions": [], "severities": [1]}
}
JSON
expect "run from weights" 0 "classifier for 10 classes kept as initialised" -- "$bin" run "$t/suite.json" --out "$t/out" --threads 1
check "result records the weights and what was skipped" -- /usr/bin/python3 - "$t/out/runs/weights" <<'PY'
import glob, json, sys
(r,) = [json.load(open(p)) for p in glob.glob(sys.argv[1] + "/*/result.json")]
assert r["status"] == "ok", r.get("error")
assert len(r["config"]["backbone"]["weights_xxh3"]) == 16, r["config"]["backbone"]
assert r["config"]["backbone"]["weights"].endswith("r18-1000.pth")
assert [s.split(":")[0] for s in r["weights"]["skipped"]] == ["fc.weight", "fc.bias"], r["weights"]
PY
sed 's/r18-1000.pth/list.pth/' "$t/suite.json" > "$t/bad-suite.json"
expect "run with a bad weights file" 2 "list.pth: not a state_dict" -- "$bin" run "$t/bad-suite.json" --out "$t/out2" --threads 1
check "nothing trained" -- test ! -e "$t/out2/runs/weights/cells.json"
sed 's/r18-1000.pth/nope.pth/' "$t/suite.json" > "$t/missing.json"
expect "validate: missing weights file" 2 "/axes/backbone/r18: " -- "$bin" validate "$t/missing.json"

# The same cell with the architecture from a TorchScript file: code, so only with the flag.
sed 's|"weights": "r18-1000.pth"|"torchscript": "r18-scripted.pt"|' "$t/suite.json" > "$t/ts.json"
expect "run refuses TorchScript without the flag" 2 "--allow-torchscript" -- "$bin" run "$t/ts.json" --out "$t/out3" --threads 1
check "nothing trained" -- test ! -e "$t/out3/runs/weights/cells.json"
expect "run trains a TorchScript backbone with --allow-torchscript" 0 "1 ran" -- "$bin" run "$t/ts.json" --out "$t/out3" \
  --threads 1 --allow-torchscript
check "its result: ok, resnet18's parameter count, the file's hash in the config" -- /usr/bin/python3 - "$t/out3/runs/weights" <<'PY'
import glob, json, sys
(r,) = [json.load(open(p)) for p in glob.glob(sys.argv[1] + "/*/result.json")]
assert r["status"] == "ok", r.get("error")
assert r["model"]["parameters"] == 11181642, r["model"]
assert len(r["config"]["backbone"]["torchscript_xxh3"]) == 16, r["config"]["backbone"]
PY
finish
