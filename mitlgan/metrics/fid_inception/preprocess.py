"""The FID Inception's input: pixels in [0, 255], resized to 299 as named, scaled (x - 128) / 128.

Resize modes (named in every number's label):

- ``"legacy-tf"`` (default, the original's and TTUR's / pytorch-fid's reference): TensorFlow
  1's ``resize_bilinear`` with ``align_corners=False`` and ``half_pixel_centers=False``,
  no antialiasing;
- ``"clean"`` (clean-fid's): PIL bicubic on each float channel, clipped to [0, 255].

Images in [-1, 1] are first mapped to [0, 255] and rounded to whole levels, as saving
them to an 8-bit image file (what every published FID scored) would.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

__all__ = ["INPUT_SIZE", "RESIZE_MODES", "fid_inception_input", "pil_bicubic"]

INPUT_SIZE = 299
RESIZE_MODES = ("legacy-tf", "clean")


def pil_bicubic(images: np.ndarray, size: int = INPUT_SIZE) -> np.ndarray:
    """clean-fid's resize: PIL bicubic on each float32 channel, then clip to [0, 255].

    Args:
        images: (B, H, W, C) float32 in [0, 255].

    Returns:
        (B, size, size, C) float32.
    """
    from PIL import Image

    out = np.empty((images.shape[0], size, size, images.shape[-1]), np.float32)
    for i, image in enumerate(np.asarray(images, np.float32)):
        for c in range(image.shape[-1]):
            channel = Image.fromarray(image[..., c], mode="F")
            out[i, ..., c] = np.asarray(channel.resize((size, size), Image.BICUBIC))
    return np.clip(out, 0.0, 255.0)


def fid_inception_input(images, mode: str = "legacy-tf"):
    """The network's input from images in [-1, 1] (a graph-mode function).

    Args:
        images: (B, H, W, 3) float32 tensor in [-1, 1].
        mode: one of :data:`RESIZE_MODES`.

    Returns:
        (B, 299, 299, 3) float32 tensor, (x - 128) / 128 of the resized [0, 255] pixels.
    """
    if mode not in RESIZE_MODES:
        raise ValueError(f"unknown resize mode {mode!r}; choose one of {RESIZE_MODES}")
    x = tf.round((images + 1.0) * 127.5)
    if x.shape[1] != INPUT_SIZE or x.shape[2] != INPUT_SIZE:
        if mode == "legacy-tf":
            x = tf.raw_ops.ResizeBilinear(images=x, size=[INPUT_SIZE, INPUT_SIZE],
                                          align_corners=False, half_pixel_centers=False)
        else:
            x = tf.numpy_function(pil_bicubic, [x], tf.float32, stateful=False)
            x.set_shape([None, INPUT_SIZE, INPUT_SIZE, 3])
    return (x - 128.0) / 128.0
