"""Stacked MNIST: three MNIST digits as the red, green and blue channels of one image.

The standard mode-collapse benchmark (Metz et al. 2017, Unrolled GAN; Srivastava et al.
2017, VEEGAN; Lin et al. 2018, PacGAN): the digit triple is the mode, so there are
10^3 = 1,000 modes, ``mode = 100 * red + 10 * green + blue``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["NUM_STACKED_MODES", "make_stacked_mnist", "pad_digits", "stacked_mode"]

NUM_STACKED_MODES = 1000


def stacked_mode(red, green, blue) -> np.ndarray:
    """Mode ids 0..999 from the three channels' digit labels (arrays of 0..9)."""
    return 100 * np.asarray(red, np.int64) + 10 * np.asarray(green, np.int64) + np.asarray(
        blue, np.int64)


def make_stacked_mnist(images, labels, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` stacked images, each channel an independently drawn digit.

    Args:
        images: uint8 (N, 28, 28, 1) or (N, 28, 28) MNIST digits.
        labels: (N,) their labels.
        n: images to make.
        seed: the draw's seed.

    Returns:
        (uint8 (n, 28, 28, 3), int64 (n,) mode ids).
    """
    images = np.asarray(images)
    images = images[..., 0] if images.ndim == 4 else images
    picks = np.random.default_rng(seed).integers(0, len(images), size=(n, 3))
    stacked = np.stack([images[picks[:, c]] for c in range(3)], axis=-1)
    labels = np.asarray(labels)
    return stacked, stacked_mode(*(labels[picks[:, c]] for c in range(3)))


def pad_digits(images, size: int = 32, background: float = -1.0) -> np.ndarray:
    """Centre (N, 28, 28, C) images on a (N, size, size, C) canvas of ``background``.

    The DCGAN doubles from 4x4, so Stacked MNIST is trained at 32x32 (the digits padded
    by 2 pixels a side, as in many Stacked-MNIST DCGANs); the mode count crops back.
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1:3] != (28, 28):
        raise ValueError(f"expected (N, 28, 28, C) digits; got {images.shape}")
    if size < 28:
        raise ValueError(f"size must be at least 28; got {size}")
    before = (size - 28) // 2
    after = size - 28 - before
    return np.pad(images, ((0, 0), (before, after), (before, after), (0, 0)),
                  constant_values=background)
