"""The palindrome report: accuracy curves per T, learning-rate panels, the table, claims."""

from __future__ import annotations

import json

import numpy as np

from reproductions.palindrome.claims import TARGET_ACCURACY, epochs_to, find_run
from reproductions.palindrome.config import LEARNING_RATE_LENGTHS, MODEL_LABELS, MODELS
from reproductions.runner import environment_lines, say
from reproductions.runner.report import TITLE_SIZE


def _panels(groups, path, title, label_of):
    """One axis per (panel title, [(run, ...)]) group: test accuracy per epoch."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(groups), figsize=(4.6 * len(groups), 3.8), squeeze=False)
    for ax, (panel, runs) in zip(axes[0], groups):
        for run in runs:
            epochs = np.arange(1, len(run["test_accuracy"]) + 1)
            ax.plot(epochs, run["test_accuracy"], marker="o", markersize=2.5, label=label_of(run))
        ax.set_title(panel, fontsize=TITLE_SIZE)
        ax.set_xlabel("epoch")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    axes[0][0].set_ylabel("test accuracy")
    fig.suptitle(title, fontsize=TITLE_SIZE + 1)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_report(context, results: dict, verdicts: list) -> None:
    """Render ``curves.png``, ``learning_rates.png`` and ``report.md`` from the runs'
    records and the verdicts (:func:`reproductions.palindrome.claims.claims`)."""
    config, run_dir = context.settings, context.run_dir
    default = config.default_learning_rate
    by_length = [(f"T = {t}", [r for m in MODELS if (r := find_run(results, m, t, default))])
                 for t in config.lengths]
    _panels(by_length, run_dir / "curves.png",
            f"Test accuracy per epoch, learning rate {default:g}",
            lambda run: MODEL_LABELS[run["model"]])
    lr_panels = [(f"LSTM, T = {t}", sorted([r for r in results.values() if r["model"] == "lstm"
                                            and r["length"] == t], key=lambda r: r["learning_rate"]))
                 for t in config.lengths if t in LEARNING_RATE_LENGTHS]
    figures = ["curves.png"]
    if lr_panels:
        _panels(lr_panels, run_dir / "learning_rates.png", "Test accuracy per epoch by learning rate",
                lambda run: f"lr {run['learning_rate']:g}")
        figures.append("learning_rates.png")
    rows = []
    for run in sorted(results.values(), key=lambda r: (r["length"], MODELS.index(r["model"]),
                                                       -r["learning_rate"])):
        acc = run["test_accuracy"]
        stopped = (f"stopped at {run['stopped_early_at']} (100% for "
                   f"{config.perfect_patience} epochs)" if run["stopped_early_at"]
                   else f"{len(acc)} (all)")
        rows.append([run["length"], MODEL_LABELS[run["model"]], f"{run['learning_rate']:g}",
                     f"{acc[-1]:.3f}", f"{max(acc):.3f}", epochs_to(acc) or "never", stopped,
                     f"{run['seconds']:.0f}"])
    data_lines = sorted({f"- {r['data']}" for r in results.values()})
    lines = [
        "# Document 002, Part 1: an LSTM from its equations against a vanilla RNN on palindromes",
        "", "Predict the last digit of a palindrome of length T from the T - 1 before it "
        "(which means carrying the first digit to the end). Test accuracy on held-out "
        f"palindromes; hidden {config.hidden}, batch {config.batch_size}, Adam, "
        f"gradient-norm clipping at {config.clip_norm:g}, up to {config.epochs} epochs, "
        f"{config.init} initialisation, preset `{config.preset}` ({config.data_size:,} "
        "sequences per length; the report: 100,000 and 100 epochs). A run stops once its "
        f"test accuracy has been 100% for {config.perfect_patience} epochs, except the "
        "learning-rate study's (rates other than "
        f"{config.default_learning_rate:g}), which train every epoch: a later degradation "
        "can only show in a run that goes on.", "",
        "Data (the assignment template's: distinct "
        "palindromes, seed 42, 80% for training):", *data_lines, "",
        context.tables.table("runs", ["T", "model", "lr", "final", "best",
                             f"epochs to {TARGET_ACCURACY:.0%}", "epochs run", "seconds"], rows), "",
        "## The report's claims, checked", "",
        context.tables.table("claims", ["claim", "verdict", "measured"], verdicts), "",
        *(f"![{f}]({f})" for f in figures), "",
        "## Configuration", "", "```json", json.dumps(context.config, indent=2, sort_keys=True),
        "```",
        "", "## Versions", "",
    ]
    lines += environment_lines(context.environment(), config.seed)
    say(f"  wrote {context.write_report(lines)}")
