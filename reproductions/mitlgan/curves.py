"""Metrics over training on two axes: epochs and cumulative training FLOPs.

Every training stage logs FID, KID, precision, recall, density and coverage every
``--eval-every`` epochs into its ``history.csv``. This module turns those rows into
curves with a compute axis: a stage's FLOPs after epoch e are its FLOPs per generator
update (``done.json``, counted from the built models by :mod:`mitlgan.flops`) times
the updates done by then. A MITLGAN's axis starts at the FLOPs its two part generators
cost to train, so "faster early" is judged at equal compute as well as at equal epochs.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import matplotlib.pyplot as plt

from mitlgan.artifacts import HISTORY_FILE
from mitlgan.files import write_csv_atomic
from reproductions.mitlgan.config import MITLGAN_STAGES, PART_STAGES
from reproductions.runner import DONE_FILE
from reproductions.runner.report import TITLE_SIZE

CURVE_METRICS = ("fid", "kid", "precision", "recall", "density", "coverage")
CURVE_FIELDS = ("model", "stage", "epoch", "train_steps", "flops", *CURVE_METRICS)


def stage_cost(run_dir: Path, stage: str) -> tuple[float, float]:
    """(FLOPs per generator update, generator updates per epoch) of a finished stage."""
    done = json.loads((Path(run_dir) / stage / DONE_FILE).read_text())
    return float(done["step_flops"]), done["train_steps"] / done["epochs"]


def flops_offset(run_dir: Path, stage: str) -> float:
    """FLOPs spent before ``stage`` starts: for a MITLGAN head, the training of both parts."""
    if stage not in MITLGAN_STAGES:
        return 0.0
    total = 0.0
    for part in PART_STAGES:
        done = json.loads((Path(run_dir) / part / DONE_FILE).read_text())
        total += float(done["step_flops"]) * done["train_steps"]
    return total


def stage_curve(run_dir: Path, stage: str, model: str) -> list[dict]:
    """One row per evaluated epoch of ``stage`` (rows whose FID is NaN are skipped).

    Returns:
        dicts with the keys of ``CURVE_FIELDS``; ``flops`` is cumulative and includes
        :func:`flops_offset`.
    """
    step_flops, steps_per_epoch = stage_cost(run_dir, stage)
    offset = flops_offset(run_dir, stage)
    rows = []
    with open(Path(run_dir) / stage / HISTORY_FILE, newline="") as handle:
        for row in csv.DictReader(handle):
            if not row.get("fid") or not math.isfinite(float(row["fid"])):
                continue
            epoch = int(float(row["epoch"]))
            steps = epoch * steps_per_epoch
            rows.append({"model": model, "stage": stage, "epoch": epoch, "train_steps": steps,
                         "flops": offset + steps * step_flops,
                         **{k: float(row[k]) for k in CURVE_METRICS}})
    return rows


def write_curves_csv(path: Path, rows) -> None:
    """All curve rows in one CSV (atomic)."""
    write_csv_atomic(path, rows, CURVE_FIELDS)


def draw_curves(curves: dict, path: Path, backbone: str, metrics=("fid", "coverage")) -> None:
    """A grid: one row per metric, epochs on the left and cumulative FLOPs on the right.

    Args:
        curves: {model title: rows of :func:`stage_curve`}.
        path: output PNG.
        backbone: names the features in the title.
        metrics: the metrics to draw (rows).
    """
    fig, axes = plt.subplots(len(metrics), 2, figsize=(10, 3.4 * len(metrics)), squeeze=False)
    for row, metric in enumerate(metrics):
        for col, axis in enumerate(("epoch", "flops")):
            ax = axes[row][col]
            for title, rows in curves.items():
                if rows:
                    ax.plot([r[axis] for r in rows], [r[metric] for r in rows], marker="o",
                            markersize=3, label=title)
            ax.set_xlabel("epoch" if axis == "epoch" else "cumulative training FLOPs")
            if axis == "flops":
                ax.set_xscale("log")
            ax.set_ylabel(metric.upper() if metric in ("fid", "kid") else metric)
            if metric in ("fid", "kid"):
                ax.set_yscale("log")
            ax.grid(alpha=0.3)
            if any(curves.values()):  # no curve yet (a --max-steps run): no legend either
                ax.legend(fontsize=8)
    fig.suptitle(f"Metrics over training ({backbone}); the MITLGAN FLOP axis starts at its "
                 "parts' training cost", fontsize=TITLE_SIZE)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _value_at(rows, axis: str, x: float, metric: str):
    """Best (lowest for FID) value of ``metric`` among rows with ``axis`` <= x, or None."""
    values = [r[metric] for r in rows if r[axis] <= x * (1 + 1e-9)]
    return min(values) if values else None


def early_lead(baseline: list[dict], candidate: list[dict], metric: str = "fid") -> dict:
    """Does ``candidate`` (a MITLGAN) lead ``baseline`` (the WGAN) at its first evaluation?

    At equal epochs: the two values at the candidate's first evaluated epoch. At equal
    compute: the candidate's first value against the best value the baseline had reached
    with at most the same cumulative FLOPs (its whole run, when it cost less in total).

    Returns:
        {"epoch", "candidate", "baseline_at_epoch", "lead_at_epochs" (bool or None),
        "flops", "baseline_at_flops", "lead_at_flops" (bool or None)}; lower FID leads.
    """
    if not candidate or not baseline:
        return {}
    first = candidate[0]
    at_epoch = next((r[metric] for r in baseline if r["epoch"] == first["epoch"]), None)
    at_flops = _value_at(baseline, "flops", first["flops"], metric)
    return {
        "epoch": first["epoch"], "candidate": first[metric],
        "baseline_at_epoch": at_epoch,
        "lead_at_epochs": None if at_epoch is None else bool(first[metric] < at_epoch),
        "flops": first["flops"], "baseline_at_flops": at_flops,
        "lead_at_flops": None if at_flops is None else bool(first[metric] < at_flops),
    }

