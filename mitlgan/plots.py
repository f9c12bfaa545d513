"""Sample grids (PNG) and per-epoch history CSVs read back.

Pure numpy/Pillow/matplotlib: nothing here needs TensorFlow.
"""

import csv
import io
import math
from pathlib import Path

import numpy as np


def image_grid(images, *, nrow=None, padding=2, value_range=(-1.0, 1.0), pad_value=0):
    """Tile a batch of images into one uint8 image.

    Args:
        images: (B, H, W, C) array with C in {1, 3}; values are mapped linearly from
            ``value_range`` to [0, 255] and clipped (the thesis MITLGAN head outputs
            [0, inf), so anything above the range saturates to white).
        nrow: images per row; default ceil(sqrt(B)).
        padding: pixels between tiles and around the border.
        value_range: (low, high) of the input.
        pad_value: grey level (0-255) of the padding.

    Returns:
        uint8 array (rows * (H + padding) + padding, nrow * (W + padding) + padding, C).
    """
    images = np.asarray(images, dtype="float32")
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or len(images) == 0:
        raise ValueError(f"images must be a non-empty (B, H, W, 1 or 3) array; got {images.shape}.")
    low, high = value_range
    if not high > low:
        raise ValueError(f"value_range={value_range!r} must be (low, high) with high > low.")
    count, height, width, channels = images.shape
    nrow = nrow or math.ceil(math.sqrt(count))
    rows = math.ceil(count / nrow)
    scaled = np.clip((np.nan_to_num(images, nan=low) - low) / (high - low), 0.0, 1.0)
    pixels = np.round(scaled * 255.0).astype("uint8")
    grid = np.full(
        (rows * (height + padding) + padding, nrow * (width + padding) + padding, channels),
        pad_value,
        dtype="uint8",
    )
    for index in range(count):
        row, col = divmod(index, nrow)
        top = padding + row * (height + padding)
        left = padding + col * (width + padding)
        grid[top : top + height, left : left + width] = pixels[index]
    return grid


def save_image_grid(images, path, **kwargs):
    """Write :func:`image_grid` of ``images`` as a PNG (atomically: temp file, rename).

    Args:
        images: (B, H, W, C) array, see :func:`image_grid`.
        path: destination ``.png``; parent directories are created.
        **kwargs: passed to :func:`image_grid`.

    Returns:
        The path written, as a ``Path``.
    """
    from PIL import Image

    from mitlgan.files import write_atomic

    grid = image_grid(images, **kwargs)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    png = io.BytesIO()
    Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid).save(png, format="PNG")
    return write_atomic(path, png.getvalue())


def read_history_csv(path):
    """Read a per-epoch history CSV (as written by ``mitlgan.callbacks.HistoryCSV``).

    Returns:
        dict column name -> float numpy array (empty cells become NaN).
    """
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return {}
    columns = {}
    for name in rows[0]:
        columns[name] = np.array(
            [float(row[name]) if row.get(name) not in (None, "") else np.nan for row in rows]
        )
    return columns

