"""ImageNet-C digital family, written from shared/specs/corruptions.md (tables) and the
hendrycks/robustness scripts (algorithms): skimage's HSV for brightness and saturate, PIL for
pixelate and JPEG. elastic_transform draws random fields and has no element-wise reference."""
from io import BytesIO

import numpy as np
import skimage.color
from PIL import Image

from ._common import pick, store


def _pil(img):
    return Image.fromarray(img[:, :, 0], "L") if img.shape[2] == 1 else Image.fromarray(img, "RGB")


def _array(pil_img):
    a = np.asarray(pil_img)
    return a[:, :, None] if a.ndim == 2 else a


def contrast(img, severity):
    c = pick(img, [.75, .5, .4, .3, .15], [.4, .3, .2, .1, .05], [.4, .3, .2, .1, .05], severity)
    x = img / 255.0
    means = np.mean(x, axis=(0, 1), keepdims=True)
    return store((x - means) * c + means)


def brightness(img, severity):
    c = pick(img, [.05, .1, .15, .2, .3], [.1, .2, .3, .4, .5], [.1, .2, .3, .4, .5], severity)
    x = img / 255.0
    if img.shape[2] == 1:  # V of a grey pixel is its value (imagecorruptions)
        return store(np.clip(x + c, 0, 1))
    x = skimage.color.rgb2hsv(x)
    x[:, :, 2] = np.clip(x[:, :, 2] + c, 0, 1)
    return store(skimage.color.hsv2rgb(x))


def saturate(img, severity):
    k, o = pick(img, [(.3, 0), (.1, 0), (1.5, 0), (2, .1), (2.5, .2)],
                [(.3, 0), (.1, 0), (2, 0), (5, .1), (30, .2)],
                [(.3, 0), (.1, 0), (2, 0), (5, .1), (20, .2)], severity)
    x = img / 255.0
    grey = img.shape[2] == 1
    if grey:  # imagecorruptions: stack to RGB, saturate, keep R (which is V for hue 0)
        x = np.repeat(x, 3, axis=2)
    x = skimage.color.rgb2hsv(x)
    x[:, :, 1] = np.clip(x[:, :, 1] * k + o, 0, 1)
    x = skimage.color.hsv2rgb(x)
    return store(x[:, :, :1] if grey else x)


def pixelate(img, severity):
    c = pick(img, [.95, .9, .85, .75, .65], [.9, .8, .7, .6, .5], [.6, .5, .4, .3, .25], severity)
    h, w = img.shape[:2]
    x = _pil(img).resize((int(w * c), int(h * c)), Image.BOX)
    return _array(x.resize((w, h), Image.BOX))


def jpeg_compression(img, severity):
    q = pick(img, [80, 65, 58, 50, 40], [65, 58, 50, 40, 25], [25, 18, 15, 10, 7], severity)
    out = BytesIO()
    _pil(img).save(out, "JPEG", quality=q)
    return _array(Image.open(out))


REFERENCES = {"brightness": brightness, "contrast": contrast, "pixelate": pixelate,
              "jpeg_compression": jpeg_compression, "saturate": saturate}
