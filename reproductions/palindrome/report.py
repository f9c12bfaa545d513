"""The palindrome report: accuracy curves per T, learning-rate panels, the table, claims."""

from __future__ import annotations

import json

import numpy as np

from reproductions.palindrome.config import LEARNING_RATE_LENGTHS, MODEL_LABELS, MODELS
from reproductions.runner.claims import claims_from_rows, write_claims
from reproductions.runner.engine import say
from reproductions.runner.environment import environment_lines
from reproductions.runner.report import TITLE_SIZE

TARGET_ACCURACY = 0.9
MARGIN = 0.01  # differences of accuracy smaller than one point count as ties


def epochs_to(accuracies, target: float = TARGET_ACCURACY):
    """First epoch (1-based) whose test accuracy reaches ``target``, or None."""
    hits = [i + 1 for i, a in enumerate(accuracies) if a >= target]
    return hits[0] if hits else None


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


def _find(results, model, length, rate):
    for run in results.values():
        if (run["model"], run["length"]) == (model, length) and np.isclose(run["learning_rate"],
                                                                           rate):
            return run
    return None


def claims(results, config) -> list[tuple[str, str, str]]:
    """The report's claims, each (claim, verdict, measured)."""
    default, longest = config["default_learning_rate"], max(config["lengths"])
    rnn, lstm = _find(results, "rnn", longest, default), _find(results, "lstm", longest, default)
    out = []
    if rnn and lstm:
        best_r, best_l = max(rnn["test_accuracy"]), max(lstm["test_accuracy"])
        out.append((f"The LSTM reaches a higher accuracy than the RNN on long inputs (T = {longest})",
                    "supported" if best_l > best_r + MARGIN else "not supported",
                    f"best test accuracy LSTM {best_l:.3f}, RNN {best_r:.3f}"))
        e_r, e_l = epochs_to(rnn["test_accuracy"]), epochs_to(lstm["test_accuracy"])
        faster = e_l is not None and (e_r is None or e_l < e_r)
        out.append((f"The LSTM converges faster than the RNN (T = {longest})",
                    "supported" if faster else "not supported",
                    f"epochs to {TARGET_ACCURACY:.0%}: LSTM {e_l or 'never'}, RNN {e_r or 'never'}"))
    rates = sorted(config["learning_rates"])
    long_t = max((t for t in config["lengths"] if t in LEARNING_RATE_LENGTHS), default=None)
    short = min((t for t in config["lengths"] if t in LEARNING_RATE_LENGTHS), default=None)
    has_long = long_t is not None and long_t > short  # one length cannot be both
    low, high = (_find(results, "lstm", long_t, rates[0]) if has_long else None,
                 _find(results, "lstm", long_t, rates[-1]) if has_long else None)
    if low and high and rates[0] != rates[-1]:
        out.append((f"On long inputs (T = {long_t}) a lower learning rate ends higher",
                    "supported" if low["test_accuracy"][-1] > high["test_accuracy"][-1] + MARGIN
                    else "not supported",
                    f"final test accuracy at lr {rates[0]:g}: {low['test_accuracy'][-1]:.3f}, at "
                    f"lr {rates[-1]:g}: {high['test_accuracy'][-1]:.3f}"))
        drop = max(high["test_accuracy"]) - high["test_accuracy"][-1]
        out.append((f"On long inputs (T = {long_t}) a high learning rate degrades",
                    "supported" if drop > 0.05 else "not supported",
                    f"lr {rates[-1]:g}: best {max(high['test_accuracy']):.3f}, final "
                    f"{high['test_accuracy'][-1]:.3f} (a fall of more than 0.05 counts)"))
    low, high = (_find(results, "lstm", short, rates[0]) if short else None,
                 _find(results, "lstm", short, rates[-1]) if short else None)
    if low and high and rates[0] != rates[-1]:
        e_low, e_high = epochs_to(low["test_accuracy"]), epochs_to(high["test_accuracy"])
        faster = e_high is not None and (e_low is None or e_high < e_low)
        out.append((f"On short inputs (T = {short}) a higher learning rate converges faster",
                    "supported" if faster else "not supported",
                    f"epochs to {TARGET_ACCURACY:.0%}: lr {rates[-1]:g} {e_high or 'never'}, "
                    f"lr {rates[0]:g} {e_low or 'never'}"))
    return out


def write_report(context, results: dict) -> dict:
    """``curves.png``, ``learning_rates.png`` and ``report.md``; returns the verdicts."""
    config, run_dir = context.config, context.run_dir
    default = config["default_learning_rate"]
    by_length = [(f"T = {t}", [r for m in MODELS if (r := _find(results, m, t, default))])
                 for t in config["lengths"]]
    _panels(by_length, run_dir / "curves.png",
            f"Test accuracy per epoch, learning rate {default:g}",
            lambda run: MODEL_LABELS[run["model"]])
    lr_panels = [(f"LSTM, T = {t}", sorted([r for r in results.values() if r["model"] == "lstm"
                                            and r["length"] == t], key=lambda r: r["learning_rate"]))
                 for t in config["lengths"] if t in LEARNING_RATE_LENGTHS]
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
                   f"{config['perfect_patience']} epochs)" if run["stopped_early_at"]
                   else f"{len(acc)} (all)")
        rows.append([run["length"], MODEL_LABELS[run["model"]], f"{run['learning_rate']:g}",
                     f"{acc[-1]:.3f}", f"{max(acc):.3f}", epochs_to(acc) or "never", stopped,
                     f"{run['seconds']:.0f}"])
    verdicts = claims(results, config)
    data_lines = sorted({f"- {r['data']}" for r in results.values()})
    lines = [
        "# Document 002, Part 1: an LSTM from its equations against a vanilla RNN on palindromes",
        "", "Predict the last digit of a palindrome of length T from the T - 1 before it "
        "(which means carrying the first digit to the end). Test accuracy on held-out "
        f"palindromes; hidden {config['hidden']}, batch {config['batch_size']}, Adam, "
        f"gradient-norm clipping at {config['clip_norm']:g}, up to {config['epochs']} epochs, "
        f"{config['init']} initialisation, preset `{config['preset']}` ({config['data_size']:,} "
        "sequences per length; the report: 100,000 and 100 epochs).", "",
        "Data (the assignment template's: distinct "
        "palindromes, seed 42, 80% for training):", *data_lines, "",
        context.tables.table("runs", ["T", "model", "lr", "final", "best",
                             f"epochs to {TARGET_ACCURACY:.0%}", "epochs run", "seconds"], rows), "",
        "## The report's claims, checked", "",
        context.tables.table("claims", ["claim", "verdict", "measured"], verdicts), "",
        *(f"![{f}]({f})" for f in figures), "",
        "## Configuration", "", "```json", json.dumps(config, indent=2, sort_keys=True), "```",
        "", "## Versions", "",
    ]
    lines += environment_lines(context.environment(), config["seed"])
    report = context.write_report(lines)
    write_claims(context, claims_from_rows("002", verdicts), {
        "epochs": config["epochs"], "sequences": config["data_size"],
        "lengths": config["lengths"], "learning_rates": config["learning_rates"], "seeds": 1,
        "report": "100,000 sequences, 100 epochs, T = 5, 10, 20, 30"})
    for claim, verdict, measured in verdicts:
        say(f"  {claim}: {verdict} ({measured})")
    say(f"  wrote {report}")
    return {"claims": [[c, v] for c, v, _ in verdicts]}
