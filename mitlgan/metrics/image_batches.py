"""Image batches of a fixed size from arrays, datasets or iterables (what the extractors read)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import tensorflow as tf

__all__ = ["iter_image_batches"]


def _first_component(element):
    if isinstance(element, dict):
        for key in ("image", "images", "x"):
            if key in element:
                return element[key]
        raise ValueError(f"cannot find images in a dict element with keys {sorted(element)}")
    if isinstance(element, (tuple, list)):
        return element[0]
    return element


def iter_image_batches(data, batch_size: int, limit: int | None = None) -> Iterator[np.ndarray]:
    """Yield image batches of exactly ``batch_size`` (the last may be smaller).

    Args:
        data: an array or tensor (N, H, W, C); a ``tf.data.Dataset`` of batched or
            unbatched images, or of ``(images, labels)`` tuples / dicts with an
            ``"image"`` key; or any iterable of such batches.
        batch_size: images per yielded batch.
        limit: stop after this many images (None: all).

    Yields:
        numpy arrays (b, H, W, C) in the input's dtype.
    """
    if limit is not None and limit <= 0:
        return
    if isinstance(data, (np.ndarray, tf.Tensor)):
        if len(data.shape) != 4:
            raise ValueError(f"images must have shape (N, H, W, C), got {tuple(data.shape)}")
        n = data.shape[0] if limit is None else min(limit, data.shape[0])
        for start in range(0, n, batch_size):
            yield np.asarray(data[start : min(start + batch_size, n)])
        return
    if isinstance(data, tf.data.Dataset):
        spec = _first_component(data.element_spec)
        if len(spec.shape) == 3:  # unbatched images
            data = data.batch(batch_size)
        data = data.as_numpy_iterator()
    elif not isinstance(data, Iterable):
        raise TypeError(f"cannot read images from {type(data).__name__}")
    # Re-chunk to a fixed batch size so the compiled extractor sees at most two shapes.
    buffer: list[np.ndarray] = []
    buffered = seen = 0
    for element in data:
        batch = np.asarray(_first_component(element))
        if batch.ndim == 3:
            batch = batch[None]
        if limit is not None:
            batch = batch[: limit - seen]
        buffer.append(batch)
        buffered += len(batch)
        seen += len(batch)
        while buffered >= batch_size:
            joined = np.concatenate(buffer) if len(buffer) > 1 else buffer[0]
            yield joined[:batch_size]
            rest = joined[batch_size:]
            buffer, buffered = ([rest], len(rest)) if len(rest) else ([], 0)
        if limit is not None and seen >= limit:
            break
    if buffered:
        yield np.concatenate(buffer)
