"""Sample grids (PNG) and loss curves (from the per-epoch history CSVs).

Pure numpy/Pillow/matplotlib: nothing here needs TensorFlow.
"""

import csv
import math
import os
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

    grid = image_grid(images, **kwargs)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid).save(temporary, format="PNG")
    os.replace(temporary, path)
    return path


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


def plot_loss_curves(
    history_csvs,
    path=None,
    *,
    labels=None,
    metrics=("critic_loss", "generator_loss", "wasserstein_estimate"),
    title=None,
):
    """Plot per-epoch curves of one or more runs (thesis Figure 7.5), one panel per metric.

    Args:
        history_csvs: a path or a list of paths of history CSVs (columns ``epoch`` and
            the metric names).
        path: if given, the figure is saved there (format from the suffix).
        labels: legend label per CSV; default the file stems.
        metrics: the columns to plot, one panel each.
        title: figure title.

    Returns:
        The ``matplotlib.figure.Figure``.
    """
    from matplotlib.figure import Figure

    if isinstance(history_csvs, (str, os.PathLike)):
        history_csvs = [history_csvs]
    history_csvs = [Path(p) for p in history_csvs]
    labels = list(labels) if labels is not None else [p.stem for p in history_csvs]
    if len(labels) != len(history_csvs):
        raise ValueError(f"{len(labels)} labels for {len(history_csvs)} CSVs.")
    figure = Figure(figsize=(4.5 * len(metrics), 3.5), layout="constrained")
    axes = figure.subplots(1, len(metrics), squeeze=False)[0]
    for csv_path, label in zip(history_csvs, labels):
        columns = read_history_csv(csv_path)
        epochs = columns.get("epoch")
        for axis, metric in zip(axes, metrics):
            if metric in columns:
                x = epochs if epochs is not None else np.arange(1, len(columns[metric]) + 1)
                axis.plot(x, columns[metric], label=label)
    for axis, metric in zip(axes, metrics):
        axis.set_xlabel("epoch")
        axis.set_title(metric.replace("_", " "))
        axis.grid(alpha=0.3)
        if axis.lines:
            axis.legend()
    if title:
        figure.suptitle(title)
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path)
    return figure
