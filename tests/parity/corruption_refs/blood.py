"""MedMNIST-C blood-microscopy family (BloodMNIST entries of medmnistc-api's registry.py), the
deterministic ops, written from shared/specs/corruptions.md and medmnistc's corruption classes:
PIL for pixelate, JPEG, brightness and contrast (ImageEnhance), skimage's HSV for saturate, the
ImageNet-C disk with cv2.filter2D for defocus. Radii are scaled by shorter side / 224, as the spec
says; grey images pass through saturate unchanged (no hue to saturate)."""
from io import BytesIO

import cv2
import numpy as np
import skimage.color
from PIL import Image, ImageEnhance

from ._common import store

PIXELATE = [.6, .5, .4, .3, .25]
JPEG = [50, 30, 15, 10, 7]
DEFOCUS = [(2, .01), (3, .1), (4, .1), (5, .1), (6, .1)]
BRIGHTNESS_UP = [1.1, 1.2, 1.3, 1.35, 1.4]
BRIGHTNESS_DOWN = [.9, .8, .7, .6, .5]
CONTRAST_UP = [1.1, 1.15, 1.2, 1.25, 1.3]
CONTRAST_DOWN = [.9, .8, .7, .6, .5]
SATURATE = [.05, .10, .15, .17, .20]


def _pil(img):
    return Image.fromarray(img[:, :, 0], "L") if img.shape[2] == 1 else Image.fromarray(img, "RGB")


def _array(pil_img):
    a = np.asarray(pil_img)
    return a[:, :, None] if a.ndim == 2 else a


def pixelate(img, severity):
    f = PIXELATE[severity - 1]
    x = _pil(img)
    w, h = x.size
    x = x.resize((int(w * f), int(h * f)), Image.BOX)
    return _array(x.resize((w, h), Image.BOX))


def jpeg_compression(img, severity):
    out = BytesIO()
    _pil(img).save(out, "JPEG", quality=JPEG[severity - 1])
    return _array(Image.open(out))


def _disk(radius, alias_blur):
    if radius <= 8:
        L = np.arange(-8, 8 + 1)
        ksize = (3, 3)
    else:
        L = np.arange(-radius, radius + 1)
        ksize = (5, 5)
    X, Y = np.meshgrid(L, L)
    d = np.array((X ** 2 + Y ** 2) <= radius ** 2, dtype=np.float32)
    d /= np.sum(d)
    return cv2.GaussianBlur(d, ksize=ksize, sigmaX=alias_blur)


def defocus_blur(img, severity):
    r, a = DEFOCUS[severity - 1]
    kernel = _disk(r * min(img.shape[:2]) / 224, a)
    x = img / 255.0
    return store(np.stack([cv2.filter2D(x[:, :, d], -1, kernel) for d in range(img.shape[2])], -1))


def _enhance(cls, factors):
    def fn(img, severity):
        return _array(cls(_pil(img)).enhance(factors[severity - 1]))
    return fn


def saturate(img, severity):
    if img.shape[2] == 1:
        return img.copy()
    x = skimage.color.rgb2hsv(img / 255.0)
    x[:, :, 1] = np.clip(x[:, :, 1] + SATURATE[severity - 1], 0, 1)
    return store(skimage.color.hsv2rgb(x))


REFERENCES = {
    "bloodmnist-c.pixelate": pixelate,
    "bloodmnist-c.jpeg_compression": jpeg_compression,
    "bloodmnist-c.defocus_blur": defocus_blur,
    "bloodmnist-c.brightness_up": _enhance(ImageEnhance.Brightness, BRIGHTNESS_UP),
    "bloodmnist-c.brightness_down": _enhance(ImageEnhance.Brightness, BRIGHTNESS_DOWN),
    "bloodmnist-c.contrast_up": _enhance(ImageEnhance.Contrast, CONTRAST_UP),
    "bloodmnist-c.contrast_down": _enhance(ImageEnhance.Contrast, CONTRAST_DOWN),
    "bloodmnist-c.saturate": saturate,
}
