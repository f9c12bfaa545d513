"""Image folders as float32 arrays or ``tf.data`` pipelines, in [-1, 1].

Decoding lives in :mod:`mitlgan.data.images`; this module batches, shuffles and
optionally augments what it decodes.
"""

from __future__ import annotations

import sys

import numpy as np

from mitlgan.data.images import read_image_folder, to_float
from mitlgan.data.stream import select_files

__all__ = ["load_image_array", "load_image_folder"]


def _read(path, image_size, verbose, *, files=None, skipped=(), **reading):
    """``read_image_folder`` plus the report's one-line summary on stderr.

    ``skipped`` are (file, reason) pairs found before reading (put first in the report).
    """
    images, report = read_image_folder(path, image_size, files=files, **reading)
    report.skipped[:0] = list(skipped)
    if verbose:
        print(report.summary(), file=sys.stderr)
    return images, report


def load_image_array(
    path,
    image_size: int = 128,
    *,
    square: str = "crop",
    background=(0, 0, 0),
    resample: str = "lanczos",
    skip_corrupt: bool = False,
    recursive: bool = False,
    limit: int | None = None,
    seed: int = 0,
    verbose: bool = True,
    return_report: bool = False,
):
    """All images of a folder as one float32 array, for small sets.

    Args:
        path, image_size, square, background, resample, skip_corrupt, recursive: see
            ``read_image_folder``.
        limit: read at most this many images, a random subset (drawn with ``seed``) of
            the sorted file list; None reads all.
        seed: seed of that subset.
        verbose: print the report's one-line summary.
        return_report: also return the ``FolderReport``.

    Returns:
        float32 (N, S, S, 3) in [-1, 1]; with ``return_report``, ``(images, report)``.
    """
    files = None
    others: list[tuple[str, str]] = []
    if limit is not None:
        files, others = select_files(path, limit=limit, seed=seed, recursive=recursive)
    images, report = _read(path, image_size, verbose, files=files, skipped=others,
                           square=square, background=background, resample=resample,
                           skip_corrupt=skip_corrupt, recursive=recursive)
    images = to_float(images)
    return (images, report) if return_report else images


def load_image_folder(
    path,
    image_size: int = 128,
    batch_size: int = 32,
    *,
    square: str = "crop",
    background=(0, 0, 0),
    resample: str = "lanczos",
    skip_corrupt: bool = False,
    recursive: bool = False,
    shuffle: bool = True,
    seed: int | None = None,
    augment=None,
    drop_remainder: bool = False,
    repeat: bool = False,
    verbose: bool = True,
    return_report: bool = False,
):
    """A ``tf.data.Dataset`` of float32 batches (B, S, S, 3) in [-1, 1] from a folder.

    The folder is decoded once (see ``read_image_folder``) and kept in memory as uint8:
    that is the pipeline's cache. Each pass then shuffles (a new order every epoch),
    batches, converts to float, optionally augments, and prefetches.

    Args:
        path, image_size, square, background, resample, skip_corrupt, recursive: see
            ``read_image_folder``. Non-image files are ignored and counted; a corrupt
            file raises ``ImageReadError`` naming it unless ``skip_corrupt``.
        batch_size: images per batch.
        shuffle: reshuffle every epoch.
        seed: shuffle seed (None: nondeterministic).
        augment: None/False, True (``build_augmenter()``, thesis 6.2.2), or a callable
            such as a ``keras.Sequential`` of preprocessing layers, applied per batch.
        drop_remainder: drop the last, smaller batch.
        repeat: repeat forever.
        verbose: print the report's one-line summary.
        return_report: also return the ``FolderReport``.

    Returns:
        ``tf.data.Dataset``; with ``return_report``, ``(dataset, report)``.
    """
    import tensorflow as tf

    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    images, report = _read(path, image_size, verbose, square=square, background=background,
                           resample=resample, skip_corrupt=skip_corrupt, recursive=recursive)
    # Shuffle indices, not images: the shuffle buffer then holds ints instead of a
    # second copy of the set, and each batch is one gather from the cached uint8 tensor.
    cached = tf.constant(images)
    ds = tf.data.Dataset.range(len(images))
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        ds = ds.repeat()
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)
    ds = ds.map(
        lambda i: tf.cast(tf.gather(cached, i), tf.float32) / 127.5 - 1.0,
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    if augment is True:
        from mitlgan.data.augment import build_augmenter

        augment = build_augmenter(seed=seed)
    if augment:
        import keras

        if isinstance(augment, keras.layers.Layer):
            ds = ds.map(lambda x: augment(x, training=True))
        else:
            ds = ds.map(augment)
    ds = ds.prefetch(tf.data.AUTOTUNE)
    return (ds, report) if return_report else ds
