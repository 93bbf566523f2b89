"""ImageNet-C digital family, written from shared/specs/corruptions.md."""
import numpy as np

from ._common import pick, store


def contrast(img, severity):
    c = pick(img, [.75, .5, .4, .3, .15], [.4, .3, .2, .1, .05], [.4, .3, .2, .1, .05], severity)
    x = img / 255.0
    means = np.mean(x, axis=(0, 1), keepdims=True)
    return store((x - means) * c + means)


REFERENCES = {"contrast": contrast}
