"""Figures and ``report.md`` of the MITLGAN reproduction (counterparts of thesis
Figures 7.1-7.5, Table 7.4 and the appendix grids)."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")  # files only: runs on servers and in CI without a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from mitlgan.plots import image_grid  # noqa: E402

TITLE_SIZE = 11


def _show(ax, grid, title):
    ax.imshow(grid, interpolation="nearest")
    ax.set_title(title, fontsize=TITLE_SIZE)
    ax.set_xticks([])
    ax.set_yticks([])


def side_by_side(panels, path, suptitle, panel_inches=4.0):
    """Save labelled image grids next to each other as one PNG.

    Args:
        panels: list of (title, images) with images (N, S, S, 3) float in [-1, 1]
            (values outside are clipped for display) or an already made uint8 grid.
        path: output PNG path.
        suptitle: figure title.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(panel_inches * len(panels), panel_inches + 0.8))
    axes = np.atleast_1d(axes)
    for ax, (title, images) in zip(axes, panels):
        grid = images if getattr(images, "dtype", None) == np.uint8 else image_grid(images)
        _show(ax, grid, title)
    fig.suptitle(suptitle, fontsize=TITLE_SIZE + 1)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def loss_curves(histories_top, histories_bottom, path, loss_columns):
    """Absolute critic and generator losses per epoch (thesis Figure 7.5).

    Args:
        histories_top: list of (title, history dict) for the WGANs (first row).
        histories_bottom: list of (title, history dict) for the MITLGAN (second row).
        path: output PNG path.
        loss_columns: {label: column name} of the losses to draw.
    """
    columns = max(len(histories_top), len(histories_bottom))
    fig, axes = plt.subplots(2, columns, figsize=(4.2 * columns, 6.6), squeeze=False)
    for row, histories in enumerate((histories_top, histories_bottom)):
        for col in range(columns):
            ax = axes[row][col]
            if col >= len(histories):
                ax.axis("off")
                continue
            title, history = histories[col]
            epochs = history.get("epoch")
            for label, column in loss_columns.items():
                if column in history:
                    # history CSVs count epochs from 1
                    x = epochs if epochs is not None else np.arange(1, len(history[column]) + 1)
                    ax.plot(x, np.abs(history[column]), marker="o", markersize=3, label=label)
            ax.set_title(title, fontsize=TITLE_SIZE)
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylabel("|loss|")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
    fig.suptitle("Absolute training losses: WGANs (top), MITLGAN (bottom)", fontsize=TITLE_SIZE + 1)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def format_number(value, digits=4):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.{digits}g}" if abs(value) < 1e-3 else f"{value:.{digits}f}"
