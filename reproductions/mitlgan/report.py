"""Figures and ``report.md`` of the MITLGAN reproduction (counterparts of thesis
Figures 7.1-7.5, Table 7.4 and the appendix grids)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from reproductions._report import TITLE_SIZE, format_number, markdown_table, side_by_side

__all__ = ["format_number", "loss_curves", "markdown_table", "side_by_side"]


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
