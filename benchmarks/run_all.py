"""Every speed figure in one command: each benchmark in its own process, one after
another, gathered into one table.

Each benchmark script runs with ``--json`` (its rows on stdout, its progress passed
through to this console) and its defaults, except that XLA variants are left out
(``--no-xla``: XLA measured about 3x slower on these CPUs; run ``train_step.py`` or
``fid.py`` alone to time them). A ratio is always between variants timed in the same
process, in interleaved rounds (``benchmarks/_timing.py``); the ceiling share is the
useful FLOP/s over a float32 2048^3 matmul's, where the FLOPs are known.

Usage::

    python benchmarks/run_all.py                 # the table (markdown), about 25 min on 2 cores
    python benchmarks/run_all.py --json          # one JSON object per row
    python benchmarks/run_all.py --only lstm_epoch,mlp_gan_epoch --steps 12
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/ is not a package
from _timing import MIN_STEPS, machine_line  # noqa: E402

HERE = Path(__file__).resolve().parent
#: script -> the flags run_all adds to its defaults
BENCHMARKS = {
    "train_step": ["--no-xla"],
    "mlp_gan_epoch": [],
    "dcgan_epoch": [],
    "zi2zi_step": [],
    "lstm_epoch": [],
    "instance_norm": [],
    "fid": ["--no-xla"],
    "multi_worker": [],
}


def run_benchmark(name: str, steps: int) -> tuple[list[dict], str | None]:
    """Run ``benchmarks/NAME.py --json``: (its rows, dicts with the keys of
    ``_timing.Row``; None, or what failed). Its progress goes to this process's stderr
    as it comes; a failure keeps the rows printed before it."""
    command = [sys.executable, str(HERE / f"{name}.py"), "--json", "--steps", str(steps),
               *BENCHMARKS[name]]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    failure = None if done.returncode == 0 else (
        f"benchmarks/{name}.py failed with exit code {done.returncode} (its output is above); "
        f"command: {' '.join(command)}")
    return rows, failure


def table(rows: list[dict]) -> list[str]:
    """A markdown table: benchmark, variant, median, spread, ratio (of the medians, and of
    the fastest steps: on a machine whose steps sometimes take twice as long, the
    fastest is the steadier figure), ceiling share."""
    fastest = {(r["benchmark"], r["variant"]): r["fastest"] for r in rows}
    lines = ["| benchmark | variant | median | spread (min-max) | vs reference (medians) | "
             "fastest vs fastest | share of fp32 matmul ceiling |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        ceiling = f"{row['ceiling_share']:.0%}" if row.get("ceiling_share") else "-"
        reference = ("reference" if row["variant"] == row["reference"]
                     else f"{row['ratio']:.2f}x {row['reference']}")
        best = fastest.get((row["benchmark"], row["reference"]))
        best = f"{best / row['fastest']:.2f}x" if best else "-"
        lines.append(f"| {row['benchmark']} | {row['variant']} | {row['median']:.3g} "
                     f"{row['unit']} | {row['fastest']:.3g}-{row['slowest']:.3g} | {reference} | "
                     f"{best} | {ceiling} |")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated benchmarks (default: all): "
                        + ", ".join(BENCHMARKS))
    parser.add_argument("--steps", type=int, default=MIN_STEPS,
                        help=f"timed steps per variant (default and minimum {MIN_STEPS})")
    parser.add_argument("--json", action="store_true",
                        help="one JSON object per row (keys benchmark, variant, ratio, "
                        "ceiling_share, ...) instead of the table")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",")] if args.only else list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"--only: unknown {unknown}; choose from {', '.join(BENCHMARKS)}")
    if args.steps < MIN_STEPS:
        parser.error(f"--steps must be at least {MIN_STEPS}: fewer measure the machine's load")
    rows, failures = [], []
    started = time.perf_counter()
    for index, name in enumerate(names, start=1):
        print(f"[{index}/{len(names)}] benchmarks/{name}.py", file=sys.stderr, flush=True)
        measured, failure = run_benchmark(name, args.steps)
        rows += measured
        if failure:
            print(failure, file=sys.stderr, flush=True)
            failures.append(failure)
    if args.json:
        for row in rows:
            print(json.dumps(row))
    else:
        print(machine_line())
        print(f"{args.steps} timed steps per variant; {time.perf_counter() - started:.0f} s in all\n")
        print("\n".join(table(rows)))
    for failure in failures:
        print(f"\nFAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
