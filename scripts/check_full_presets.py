"""Run every reproduction's full (GPU) preset at its real size for a few training steps
per stage on this machine, so a user's first GPU run is not also its first test, and
price the whole preset from what the steps measured.

Each check runs ``python -m reproductions.NAME --preset full ... --max-steps 3`` (the
model sizes, image sizes and charsets of the full preset; the evaluation's sample counts
made small where the evaluation alone would take hours, listed per row) in three steps:

1. ``--until`` the first training stage: it builds, trains its steps, checkpoints and
   exports its generator;
2. that stage's ``done.json`` is deleted, as a crash before the end of the stage leaves it;
3. the same command without ``--until``: the stage resumes from its checkpoint (and must
   train nothing), every later stage trains its steps, and the report is written (marked
   as a size check).

It prints one row per stage: seconds (building, tracing, the steps, checkpointing and
evaluation together), the process's peak resident memory when the stage ended (from
``done.json``; a stage that raised the peak is the one that needs it) and, from each
training call's record (:mod:`mitlgan.size_check`), the median seconds of a step after
the first (which traces), the profiler's FLOPs of one step and the steps the full
preset runs. Then one table prices each full preset's training: hours on this CPU at
the measured step times, and on each accelerator of :mod:`mitlgan.accelerators` from
the FLOPs. Too slow for CI (the MITLGAN thesis preset alone takes about 15 minutes on 2
cores)::

    python scripts/check_full_presets.py --output /tmp/full_check [--only dcgan,zi2zi]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

#: label -> (reproduction, flags, first training stage, the run folder under --output)
CHECKS = {
    "mitlgan thesis": ("mitlgan", ["--preset", "thesis", "--dataset", "synthetic",
                                   "--backbone", "random", "--fid-n", "64",
                                   "--curve-n", "64", "--judge-images", "256",
                                   "--judge-epochs", "1"], "wgan_combined", "synthetic"),
    "dcgan full": ("dcgan", ["--preset", "full"], "train", "dcgan/sprites"),
    "dcgan stacked-mnist full": ("dcgan", ["--preset", "full", "--benchmark", "stacked-mnist",
                                           "--mode-samples", "1000", "--judge-epochs", "1"],
                                 "train", "dcgan/stacked-mnist"),
    "zi2zi full": ("zi2zi", ["--preset", "full", "--classifier-epochs", "1"], "base",
                   "zi2zi/style"),
    "mnist_gans mlp full": ("mnist_gans", ["--preset", "full", "--study", "mlp",
                                           "--mnist-source", "embedded", "--judge-epochs", "1"],
                            "train", "mnist_gans/mlp"),
    "mnist_gans collapse full": ("mnist_gans", ["--preset", "full", "--study", "collapse",
                                                "--mnist-source", "embedded",
                                                "--judge-epochs", "1"],
                                 "train", "mnist_gans/collapse"),
    "mnist_gans ablations full": ("mnist_gans", ["--preset", "full", "--study", "ablations",
                                                 "--mnist-source", "embedded",
                                                 "--judge-epochs", "1"],
                                  "ablation_base", "mnist_gans/ablations"),
    "palindrome full": ("palindrome", ["--preset", "full"], "runs", "palindrome"),
}


def _run(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "CI": "true"})
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        raise SystemExit(f"{' '.join(argv[1:])} exited with {done.returncode}")
    return time.perf_counter() - started


#: steps a size check runs per training call: the first builds and traces the graph, the
#: others are timed
STEPS = 3
#: label -> (how many times the check's training data the full preset trains on, why)
DATA_SCALE = {
    label: (60_000 / 8_000, "the full preset trains on MNIST's 60,000 digits, the check on "
            "the 8,000 embedded ones (same steps per image)")
    for label in ("mnist_gans mlp full", "mnist_gans collapse full", "mnist_gans ablations full")
}


def _span(values, fmt: str) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "n/a"
    low, high = min(values), max(values)
    return format(low, fmt) if low == high else f"{format(low, fmt)}-{format(high, fmt)}"


def _row(label: str, stage: str, done: dict) -> list[str]:
    records = done.get("size_check", [])
    return [label, stage, f"{done.get('seconds_this_run', 0):.0f}",
            f"{(done.get('peak_memory_mb') or 0) / 1024:.1f}",
            _span([r["step_seconds"] for r in records], ".3g"),
            _span([r["step_flops"] and r["step_flops"] / 1e12 for r in records], ".3g"),
            str(sum(r["full_steps"] for r in records)) if records else ""]


def preset_cost(records: list[dict], scale: float = 1.0) -> dict:
    """What a full preset's training costs, from its size check's records.

    Args:
        records: every training call's record (``done.json``'s ``size_check``, from each
            ``TrainResult.size_check``).
        scale: the full preset's data over the check's (steps scale with it).

    Returns:
        dict: ``cpu_hours`` (steps x measured seconds per step on this machine), and
        per accelerator of :data:`mitlgan.accelerators.ACCELERATORS` its hours (steps x
        FLOPs per step at the assumed efficiency); a value is None when a record lacks
        what it needs.
    """
    from mitlgan.accelerators import ACCELERATORS, hours

    def total(key):
        if not records or any(r[key] is None for r in records):
            return None
        return scale * sum(r["full_steps"] * r[key] for r in records)

    seconds, flops = total("step_seconds"), total("step_flops")
    cost = {"cpu_hours": None if seconds is None else seconds / 3600, "flops": flops,
            "steps": scale * sum(r["full_steps"] for r in records),
            "no_flops_because": sorted({r["no_flops_because"] for r in records
                                        if "no_flops_because" in r})}
    for accelerator in ACCELERATORS:
        cost[accelerator.name] = None if flops is None else hours(flops, accelerator)
    return cost


def check(label: str, output: Path) -> tuple[list[list[str]], dict]:
    """Run one check (see the module docstring); its table rows and its preset's cost."""
    name, flags, first_stage, folder = CHECKS[label]
    argv = [sys.executable, "-m", f"reproductions.{name}", *flags, "--max-steps", str(STEPS),
            "--no-tensorboard", "--output", str(output)]
    run_dir = output / folder
    if run_dir.exists():
        shutil.rmtree(run_dir)
    first = _run(argv + ["--until", first_stage])
    first_done = run_dir / first_stage / "done.json"
    first_payload = json.loads(first_done.read_text())
    rows = [_row(label, first_stage, first_payload)]
    records = list(first_payload.get("size_check", []))
    first_done.unlink()  # as a crash mid-stage leaves it
    rest = _run(argv)
    report = (run_dir / "report.md").read_text()
    assert report.startswith("> **Size check"), f"{run_dir}/report.md is not marked"
    for stage_dir in sorted(run_dir.iterdir(), key=lambda p: p.stat().st_mtime):
        done_file = stage_dir / "done.json"
        if not done_file.is_file():
            continue
        payload = json.loads(done_file.read_text())
        resumed = stage_dir.name == first_stage
        assert not (resumed and payload.get("size_check")), f"{stage_dir} trained again"
        rows.append(_row(label, stage_dir.name + (" (rerun, resumed)" if resumed else ""),
                         payload))
        records += payload.get("size_check", [])
    print(f"{label}: {first + rest:.0f} s in all ({' '.join(flags)})", flush=True)
    return rows, preset_cost(records, DATA_SCALE.get(label, (1.0, ""))[0])


TABLE_HEADER = ("| check | stage | seconds | peak GB (process, at the stage's end) | seconds "
                "per step (after the first) | TFLOP per step | steps in the full preset |\n"
                "|---|---|---|---|---|---|---|")


def _hours(value) -> str:
    return "n/a" if value is None else f"{value:.3g}"


def cost_table(costs: dict) -> list[str]:
    """Markdown lines: per check, the full preset's training hours on this CPU and on
    each accelerator."""
    from mitlgan.accelerators import ACCELERATORS

    names = [a.name for a in ACCELERATORS]
    lines = ["| full preset | train steps | PFLOP | hours on this CPU | " + " | ".join(
        f"hours on {n} ({a.efficiency:.0%} of peak)" for n, a in zip(names, ACCELERATORS))
        + " |", "|---" * (4 + len(names)) + "|"]
    for label, cost in costs.items():
        flops = "n/a" if cost["flops"] is None else f"{cost['flops'] / 1e15:.3g}"
        scale = DATA_SCALE.get(label)
        scaled = f" (x{scale[0]:.1f} data)" if scale else ""
        lines.append(f"| {label}{scaled} | {cost['steps']:,.0f} | {flops} | "
                     f"{_hours(cost['cpu_hours'])} | "
                     + " | ".join(_hours(cost[n]) for n in names) + " |")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", required=True, help="a scratch folder for the runs")
    parser.add_argument("--only", default=None, help="comma-separated labels' first words "
                        "(reproductions) to check; default: all")
    args = parser.parse_args(argv)
    wanted = None if args.only is None else set(args.only.split(","))
    print(TABLE_HEADER, flush=True)
    costs = {}
    for label in CHECKS:
        if wanted is None or label.split()[0] in wanted:
            # printed as each check ends, so a later failure keeps them
            rows, costs[label] = check(label, Path(args.output))
            for row in rows:
                print("| " + " | ".join(row) + " |", flush=True)
    print("\nTraining only (judges, classifiers and evaluation left out), one device; "
          "accelerator hours = FLOPs / (peak x assumed efficiency), mitlgan.accelerators.\n")
    print("\n".join(cost_table(costs)))
    for label, (scale, why) in DATA_SCALE.items():
        if label in costs:
            print(f"- {label}: x{scale:.1f}: {why}")
    for label, cost in costs.items():
        for why in cost["no_flops_because"]:
            print(f"- {label}: no accelerator hours: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
