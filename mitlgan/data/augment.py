"""Augmentation as in thesis 6.2.2, from Keras 3 core preprocessing layers.

The thesis mirrored images left-right and top-bottom, rotated, sheared and distorted
them "a minimal amount, not to lose the main features", and blurred real-photo
backgrounds. Here that is ``RandomFlip``, ``RandomRotation``, ``RandomShear``,
``RandomElasticTransform`` and ``RandomGaussianBlur``, in two modes:

- on the fly: ``build_augmenter()`` gives a ``keras.Sequential`` to map over batches
  (``load_image_folder(..., augment=True)`` does this);
- on disk, as the thesis did: ``augment_array`` / ``augment_folder`` expand a small set
  with augmented copies of every image.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import keras
import numpy as np
from PIL import Image

from mitlgan.data.images import read_image_folder, to_float, to_uint8

__all__ = ["build_augmenter", "augment_array", "augment_folder", "FLIP_MODES"]

FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")


def build_augmenter(
    *,
    flip: str | None = "horizontal_and_vertical",
    rotation: float | None = 0.03,
    shear: float | None = 0.08,
    elastic: float | None = 0.5,
    elastic_probability: float = 0.25,
    blur: float | None = None,
    blur_probability: float = 1.0,
    fill_mode: str = "reflect",
    fill_value: float = -1.0,
    value_range: tuple[float, float] = (-1.0, 1.0),
    seed: int | None = None,
) -> keras.Layer:
    """A random augmentation of image batches (B, S, S, 3) in ``value_range``.

    Every transform can be switched off with ``None`` (or 0 / False). Defaults are
    small, as in the thesis.

    Args:
        flip: ``"horizontal"`` (left-right), ``"vertical"`` (top-bottom) or
            ``"horizontal_and_vertical"``; each flip happens with probability 1/2.
        rotation: largest rotation as a fraction of a full turn (0.03 = 10.8 degrees).
        shear: largest shear factor along x and along y.
        elastic: largest distortion strength, ``RandomElasticTransform``'s ``scale``
            in (0, 1], drawn up to it per batch. Keras smooths N(0, 1) noise with sigma
            = 0.05 * scale * S and moves pixels by about 0.028 * scale * S (at most
            1.8 px at 128 px for 0.5). The local stretch is about 0.5 at every scale
            (smoothing and amplitude are tied), so this is never a gentle warp: it is
            applied to a share of the images only.
        elastic_probability: share of images distorted.
        blur: largest Gaussian blur sigma in pixels, at most 1 (``RandomGaussianBlur``
            bounds sigma to [0, 1]); sigma is drawn in [blur / 2, blur] per batch. Meant for
            real-photo backgrounds, so off by default. The image is reflect-padded
            before blurring, because the layer pads with zeros, which in [-1, 1]
            would pull the border towards grey.
        blur_probability: share of images blurred.
        fill_mode: how rotation/shear fill the corners: ``"reflect"``, ``"constant"``
            (with ``fill_value``; -1 is black, right for sprites on black),
            ``"nearest"`` or ``"wrap"``.
        fill_value: the constant fill, in ``value_range`` units.
        value_range: range of the images; elastic and blur outputs are clipped to it.
        seed: int for a reproducible sequence of augmentations.

    Returns:
        A ``keras.Sequential`` (call it with ``training=True``), or
        ``keras.layers.Identity`` when everything is off. Output shape and range are
        those of the input.
    """
    seeds = iter(range(seed, seed + 10)) if seed is not None else iter([None] * 10)
    layers = []
    if flip:
        if flip not in FLIP_MODES:
            raise ValueError(f"flip must be one of {FLIP_MODES} or None, got {flip!r}")
        layers.append(keras.layers.RandomFlip(flip, seed=next(seeds)))
    else:
        next(seeds)
    if rotation:
        layers.append(
            keras.layers.RandomRotation(
                rotation, fill_mode=fill_mode, fill_value=fill_value, seed=next(seeds)
            )
        )
    else:
        next(seeds)
    if shear:
        layers.append(
            keras.layers.RandomShear(
                x_factor=shear,
                y_factor=shear,
                fill_mode=fill_mode,
                fill_value=fill_value,
                seed=next(seeds),
            )
        )
    else:
        next(seeds)
    if elastic:
        # factor=(p, p): Keras applies the transform when U(0, 1) < p.
        layers.append(
            keras.layers.RandomElasticTransform(
                factor=(elastic_probability, elastic_probability),
                scale=elastic,
                fill_mode=fill_mode,
                fill_value=fill_value,
                value_range=value_range,
                seed=next(seeds),
            )
        )
    else:
        next(seeds)
    if blur:
        if not 0 < blur <= 1:
            raise ValueError(
                f"blur must be a sigma in (0, 1] pixels (keras.layers.RandomGaussianBlur "
                f"accepts no more), got {blur!r}. For stronger, fixed blur of real-photo "
                "backgrounds use `prepare`, which blurs with the recipe's sigma."
            )
        # A kernel of +-2 sigma holds 95% of the Gaussian's weight.
        kernel = 2 * math.ceil(2 * blur) + 1
        layers.append(
            _ReflectPadded(
                keras.layers.RandomGaussianBlur(
                    factor=(blur_probability, blur_probability),
                    kernel_size=kernel,
                    sigma=(blur / 2, blur),
                    value_range=value_range,
                    seed=next(seeds),
                ),
                pad=kernel // 2,
            )
        )
    if not layers:
        return keras.layers.Identity(name="no_augmentation")
    return keras.Sequential(layers, name="thesis_augmentation")


class _ReflectPadded(keras.layers.Layer):
    """Run an image layer on a reflect-padded batch and crop the padding off again."""

    def __init__(self, layer, pad: int, **kwargs):
        super().__init__(**kwargs)
        self.layer, self.pad = layer, int(pad)

    def call(self, images, training=None):
        p = self.pad
        padded = keras.ops.pad(images, [[0, 0], [p, p], [p, p], [0, 0]], mode="reflect")
        out = self.layer(padded, training=training)
        return out[:, p:-p, p:-p, :]

    def compute_output_shape(self, input_shape):
        return input_shape


def augment_array(
    images: np.ndarray,
    copies: int = 1,
    augmenter=None,
    *,
    include_originals: bool = True,
    batch_size: int = 64,
    seed: int | None = 0,
) -> np.ndarray:
    """Expand a set with ``copies`` augmented versions of every image (thesis 6.2.2).

    Args:
        images: float (N, S, S, 3) in [-1, 1].
        copies: augmented versions per image.
        augmenter: a callable on batches, e.g. from ``build_augmenter``; default
            ``build_augmenter(seed=seed)``.
        include_originals: put the originals first in the result.
        batch_size: images per augmentation call.
        seed: seed of the default augmenter.

    Returns:
        float32 (N * (copies + include_originals), S, S, 3) in [-1, 1]: the originals
        (if included), then copy 1 of every image, then copy 2, ...
    """
    images = np.asarray(images, np.float32)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"images must be (N, S, S, 3), got shape {images.shape}")
    if not isinstance(copies, (int, np.integer)) or copies < 0:
        raise ValueError(f"copies must be a non-negative int, got {copies!r}")
    augmenter = augmenter if augmenter is not None else build_augmenter(seed=seed)
    out = [images] if include_originals else []
    for _ in range(copies):
        batches = [
            keras.ops.convert_to_numpy(augmenter(images[i : i + batch_size], training=True))
            for i in range(0, len(images), batch_size)
        ]
        out.append(np.clip(np.concatenate(batches), -1.0, 1.0).astype(np.float32))
    if not out:
        return images[:0]
    return np.concatenate(out)


def augment_folder(
    source,
    destination,
    copies: int = 2,
    image_size: int = 128,
    augmenter=None,
    *,
    square: str = "crop",
    background=(0, 0, 0),
    skip_corrupt: bool = False,
    seed: int | None = 0,
) -> int:
    """Write every image of ``source`` and ``copies`` augmented versions to ``destination``.

    Each image ``name.ext`` becomes ``name.png`` (preprocessed as by
    ``read_image_folder``) and ``name_aug1.png`` ... ``name_augK.png``.

    Returns:
        The number of files written.
    """
    images, report = read_image_folder(
        source, image_size, square=square, background=background, skip_corrupt=skip_corrupt
    )
    expanded = augment_array(to_float(images), copies, augmenter, seed=seed)
    dest = Path(destination)
    dest.mkdir(parents=True, exist_ok=True)
    stems = [Path(f).stem for f in report.files]
    names = [f"{s}.png" for s in stems]
    for k in range(1, copies + 1):
        names += [f"{s}_aug{k}.png" for s in stems]
    if len(set(names)) != len(names):
        raise ValueError(
            f"Files in {str(source)!r} share a name stem (e.g. a.png and a.jpg); "
            "rename them so that the outputs do not overwrite each other."
        )
    for name, img in zip(names, to_uint8(expanded)):
        Image.fromarray(img).save(os.path.join(dest, name))
    return len(names)
