"""Figure and Markdown helpers every reproduction's report uses."""

from __future__ import annotations

import math
import sys

import matplotlib

if "ipykernel" not in sys.modules:
    # Files only: runs on servers and in CI without a display. A notebook keeps its
    # inline backend (the reports close every figure they save, so none shows there).
    matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mitlgan.plots import image_grid  # noqa: E402
from reproductions.runner.records import markdown_table  # noqa: E402, F401  (one table format)

TITLE_SIZE = 11


def show_grid(ax, grid, title):
    """Draw a uint8 grid (H, W, 1 or 3) on ``ax`` without ticks (one channel in grey)."""
    grid = grid[..., 0] if grid.ndim == 3 and grid.shape[-1] == 1 else grid
    ax.imshow(grid, interpolation="nearest", cmap="gray" if grid.ndim == 2 else None,
              vmin=0, vmax=255)
    ax.set_title(title, fontsize=TITLE_SIZE)
    ax.set_xticks([])
    ax.set_yticks([])


def side_by_side(panels, path, suptitle, panel_inches=4.0, value_range=(-1.0, 1.0)):
    """Save labelled image grids next to each other as one PNG.

    Args:
        panels: list of (title, images) with images (N, S, S, C) float in
            ``value_range`` (values outside are clipped for display) or an already
            made uint8 grid; C is 1 (grey) or 3.
        path: output PNG path.
        suptitle: figure title.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(panel_inches * len(panels), panel_inches + 0.8))
    axes = np.atleast_1d(axes)
    for ax, (title, images) in zip(axes, panels):
        grid = (images if getattr(images, "dtype", None) == np.uint8
                else image_grid(images, value_range=value_range))
        show_grid(ax, grid, title)
    fig.suptitle(suptitle, fontsize=TITLE_SIZE + 1)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def format_number(value, digits=4) -> str:
    """``n/a`` for None/NaN, else ``digits`` significant (tiny values) or decimal places."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}g}" if abs(value) < 1e-3 else f"{value:.{digits}f}"

