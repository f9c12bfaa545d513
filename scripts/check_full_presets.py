"""Run every reproduction's full (GPU) preset at its real size for one training step per
stage on this machine, so a user's first GPU run is not also its first test.

Each check runs ``python -m reproductions.NAME --preset full ... --max-steps 1`` (the
model sizes, image sizes and charsets of the full preset; the evaluation's sample counts
made small where the evaluation alone would take hours, listed per row) in three steps:

1. ``--until`` the first training stage: it builds, trains one step, checkpoints and
   exports its generator;
2. that stage's ``done.json`` is deleted, as a crash before the end of the stage leaves it;
3. the same command without ``--until``: the stage resumes from its checkpoint, every
   later stage trains its step, and the report is written (marked as a size check).

It prints one row per stage: seconds (building, tracing, the step, checkpointing and
evaluation together: the first step of a graph is mostly tracing, so this is not a
step time) and the process's peak resident memory when the stage ended (from
``done.json``; a stage that raised the peak is the one that needs it). Too slow for CI
(the MITLGAN thesis preset alone takes about 10 minutes on 2 cores)::

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
                                   "--n-images", "64", "--backbone", "random", "--fid-n", "64",
                                   "--curve-n", "64", "--judge-images", "256",
                                   "--judge-epochs", "1"], "wgan_combined", "synthetic"),
    "dcgan full": ("dcgan", ["--preset", "full", "--n-images", "512"], "train",
                   "dcgan/sprites"),
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
    "palindrome full": ("palindrome", ["--preset", "full"], "runs", "palindrome"),
}


def _run(argv: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "CI": "true"})
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        raise SystemExit(f"{' '.join(argv[1:])} exited with {done.returncode}")
    return time.perf_counter() - started


def _row(label: str, stage: str, done: dict) -> list[str]:
    return [label, stage, f"{done.get('seconds_this_run', 0):.0f}",
            f"{(done.get('peak_memory_mb') or 0) / 1024:.1f}"]


def check(label: str, output: Path) -> list[list[str]]:
    """Run one check (see the module docstring); its table rows."""
    name, flags, first_stage, folder = CHECKS[label]
    argv = [sys.executable, "-m", f"reproductions.{name}", *flags, "--max-steps", "1",
            "--no-tensorboard", "--output", str(output)]
    run_dir = output / folder
    if run_dir.exists():
        shutil.rmtree(run_dir)
    first = _run(argv + ["--until", first_stage])
    first_done = run_dir / first_stage / "done.json"
    rows = [_row(label, first_stage, json.loads(first_done.read_text()))]
    first_done.unlink()  # as a crash mid-stage leaves it
    rest = _run(argv)
    report = (run_dir / "report.md").read_text()
    assert report.startswith("> **Size check"), f"{run_dir}/report.md is not marked"
    for stage_dir in sorted(run_dir.iterdir(), key=lambda p: p.stat().st_mtime):
        done_file = stage_dir / "done.json"
        if not done_file.is_file():
            continue
        resumed = " (rerun, resumed)" if stage_dir.name == first_stage else ""
        rows.append(_row(label, stage_dir.name + resumed, json.loads(done_file.read_text())))
    print(f"{label}: {first + rest:.0f} s in all ({' '.join(flags)})", flush=True)
    return rows


TABLE_HEADER = ("| check | stage | seconds | peak GB (process, at the stage's end) |\n"
                "|---|---|---|---|")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", required=True, help="a scratch folder for the runs")
    parser.add_argument("--only", default=None, help="comma-separated labels' first words "
                        "(reproductions) to check; default: all")
    args = parser.parse_args(argv)
    wanted = None if args.only is None else set(args.only.split(","))
    print(TABLE_HEADER, flush=True)
    for label in CHECKS:
        if wanted is None or label.split()[0] in wanted:
            # printed as each check ends, so a later failure keeps them
            for row in check(label, Path(args.output)):
                print("| " + " | ".join(row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
