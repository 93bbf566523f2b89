"""Shared by the reference modules: the spec's size tables and the references' uint8 storage."""
import numpy as np


def table_for(img):
    """'small' (<= 48 px), 'medium' (49-159) or 'large' (>= 160), by the longer side."""
    side = max(img.shape[0], img.shape[1])
    return "small" if side <= 48 else "medium" if side < 160 else "large"


def pick(img, small, medium, large, severity):
    return {"small": small, "medium": medium, "large": large}[table_for(img)][severity - 1]


def store(x):
    """x on [0,1] -> uint8 as the CIFAR references store it: clip, * 255, truncate."""
    return (np.clip(x, 0, 1) * 255).astype(np.uint8)
