"""ImageNet-C blur family (deterministic members), written from shared/specs/corruptions.md and,
for the 64 px table, make_tinyimagenet_c.py. glass_blur and motion_blur draw random numbers and are
checked statistically in tests/test_corruptions_noise_blur.cpp instead."""
import cv2
import numpy as np
from scipy.ndimage import zoom as scizoom
from skimage.filters import gaussian

from ._common import pick, store


def gaussian_blur(img, severity):
    c = pick(img, [.4, .6, .7, .8, 1], [.5, .75, 1, 1.25, 1.5], [1, 2, 3, 4, 6], severity)
    return store(gaussian(img / 255.0, sigma=c, channel_axis=-1))


def disk(radius, alias_blur):
    if radius <= 8:
        grid, ksize = np.arange(-8, 8 + 1), (3, 3)
    else:
        grid, ksize = np.arange(-radius, radius + 1), (5, 5)
    xx, yy = np.meshgrid(grid, grid)
    aliased = np.array((xx ** 2 + yy ** 2) <= radius ** 2, dtype=np.float32)
    aliased /= np.sum(aliased)
    return cv2.GaussianBlur(aliased, ksize=ksize, sigmaX=alias_blur)


def defocus_blur(img, severity):
    r, a = pick(img, [(.3, .4), (.4, .5), (.5, .6), (1, .2), (1.5, .1)],
                [(.5, .6), (1, .1), (1.5, .1), (2.5, .01), (3, .1)],
                [(3, .1), (4, .5), (6, .5), (8, .5), (10, .5)], severity)
    x = img / 255.0
    kernel = disk(r, a)
    out = np.stack([cv2.filter2D(x[:, :, d], -1, kernel) for d in range(x.shape[2])], axis=2)
    return store(out)


def clipped_zoom(x, z):
    """Centre crop of ceil(side / z) per axis, zoomed back by z (order 1), trimmed to the image."""
    h, w = x.shape[:2]
    ch, cw = int(np.ceil(h / z)), int(np.ceil(w / z))
    top, left = (h - ch) // 2, (w - cw) // 2
    zoomed = scizoom(x[top:top + ch, left:left + cw], (z, z, 1), order=1)
    return zoomed[:h, :w]


def zoom_blur(img, severity):
    cifar = [np.arange(1, 1.06, .01), np.arange(1, 1.11, .01), np.arange(1, 1.16, .01),
             np.arange(1, 1.21, .01), np.arange(1, 1.26, .01)]
    imagenet = [np.arange(1, 1.11, .01), np.arange(1, 1.16, .01), np.arange(1, 1.21, .02),
                np.arange(1, 1.26, .02), np.arange(1, 1.31, .03)]
    zooms = pick(img, cifar, cifar, imagenet, severity)
    x = (img / 255.0).astype(np.float32)
    out = np.zeros_like(x)
    for z in zooms:
        out += clipped_zoom(x, z)
    return store((x + out) / (len(zooms) + 1))


REFERENCES = {"gaussian_blur": gaussian_blur, "defocus_blur": defocus_blur, "zoom_blur": zoom_blur}
