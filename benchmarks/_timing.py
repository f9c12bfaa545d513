"""The timing harness every benchmark shares.

- Variants are timed in interleaved rounds, one step of each per round, with the
  order rotated every round, so that the shared machine's changing load (and any
  first-in-round effect) hits all of them alike. A ratio is only ever formed between
  variants timed in the same run.
- Each variant gets one untimed warm-up step (tracing, compiling, caches); its time is
  reported separately.
- A variant's figure is the median step time, with the spread (fastest and slowest
  step) next to it. The default is :data:`MIN_STEPS` timed steps: with 3 steps the same
  comparison once read 0.55x and the next time 1.01x.
- The machine's ceiling is a large float32 matmul's FLOP/s; a model's FLOPs come from
  TensorFlow's profiler count of its step graph.

TensorFlow is imported only by the functions that need it.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

MIN_STEPS = 8


@dataclass(frozen=True)
class Timing:
    """The timed steps of one variant.

    Attributes:
        name: the variant's label.
        seconds: wall time of each timed step, in the order run.
        first_seconds: the untimed warm-up step (includes tracing or compiling).
    """

    name: str
    seconds: tuple[float, ...]
    first_seconds: float

    @property
    def median(self) -> float:
        return float(statistics.median(self.seconds))

    @property
    def fastest(self) -> float:
        return min(self.seconds)

    @property
    def slowest(self) -> float:
        return max(self.seconds)

    def rate(self, units_per_step: float) -> float:
        """Units (images, say) per second from the median step."""
        return units_per_step / self.median

    def spread(self) -> str:
        """``"fastest-slowest s"``, e.g. ``"1.02-1.31 s"``."""
        return f"{self.fastest:.3g}-{self.slowest:.3g} s"


def round_orders(names: list[str], rounds: int) -> list[list[str]]:
    """The order variants run in each round: round r starts at variant r mod len(names)."""
    k = len(names)
    return [[names[(r + i) % k] for i in range(k)] for r in range(rounds)]


def time_interleaved(steps_by_name: dict[str, Callable[[], object]], steps: int = MIN_STEPS,
                     *, say: Callable[[str], None] | None = print) -> dict[str, Timing]:
    """Time every variant's ``step()`` in interleaved rounds.

    Args:
        steps_by_name: variant label -> a function doing one step (it must block until
            the work is done, e.g. by converting a result to numpy).
        steps: timed steps per variant (>= 1; benchmarks default to :data:`MIN_STEPS`).
        say: progress printer (None: silent).

    Returns:
        {label: Timing}, in the order given.
    """
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    first = {}
    for name, step in steps_by_name.items():
        start = time.perf_counter()
        step()
        first[name] = time.perf_counter() - start
        if say:
            say(f"  warm-up {name}: {first[name]:.1f} s")
    seconds = {name: [] for name in steps_by_name}
    for index, order in enumerate(round_orders(list(steps_by_name), steps), start=1):
        for name in order:
            start = time.perf_counter()
            steps_by_name[name]()
            seconds[name].append(time.perf_counter() - start)
        if say:
            say(f"  round {index}/{steps} done")
    return {name: Timing(name, tuple(seconds[name]), first[name]) for name in steps_by_name}


def ratios(timings: dict[str, Timing], reference: str) -> dict[str, float]:
    """Speed of each variant relative to ``reference`` (>1: faster), from median step times."""
    base = timings[reference].median
    return {name: base / timing.median for name, timing in timings.items()}


def add_steps_argument(parser: argparse.ArgumentParser, what: str = "timed steps per variant"):
    """``--steps N`` with default and minimum :data:`MIN_STEPS` (fewer reads noise as speed)."""

    def at_least_min(text):
        try:
            value = int(text)
        except ValueError:
            value = 0
        if value < MIN_STEPS:
            raise argparse.ArgumentTypeError(
                f"--steps must be an integer >= {MIN_STEPS}, got {text!r}: fewer timed steps "
                "on a shared machine measure its load, not the code")
        return value

    parser.add_argument("--steps", type=at_least_min, default=MIN_STEPS,
                        help=f"{what} (default and minimum {MIN_STEPS})")


def machine_line() -> str:
    """One line naming the machine and library versions a result came from."""
    import numpy as np

    parts = [f"{platform.processor() or platform.machine()}", f"{os.cpu_count()} CPUs",
             f"Python {platform.python_version()}", f"numpy {np.__version__}"]
    try:
        import keras
        import tensorflow as tf

        parts += [f"TensorFlow {tf.__version__}", f"Keras {keras.__version__}"]
    except ImportError:
        pass
    return ", ".join(parts)


def matmul_flops_per_second(dtype="float32", size: int = 2048, repeats: int = 10,
                            trials: int = 3) -> float:
    """The machine's ceiling: best of ``trials`` timings of ``repeats`` size^3 matmuls."""
    import tensorflow as tf

    a = tf.cast(tf.random.normal((size, size)), dtype)
    matmul = tf.function(lambda x: tf.matmul(x, x))
    matmul(a).numpy()
    best = 0.0
    for _ in range(trials):
        start = time.perf_counter()
        for _ in range(repeats):
            result = matmul(a)
        result.numpy()
        best = max(best, 2 * size**3 * repeats / (time.perf_counter() - start))
    return best


def epoch_table(timings: dict[str, Timing], reference: str, unit: str = "s/epoch",
                flops: float | None = None, ceiling: float | None = None) -> list[str]:
    """Lines comparing variants whose timed step is one epoch (or one ``unit``), against
    ``reference``; with ``flops`` per step and the matmul ``ceiling`` (FLOP/s), also each
    variant's useful GFLOP/s and its share of that ceiling."""
    speed = ratios(timings, reference)
    first = "1st " + unit.split("/")[-1] + " s"
    known = bool(flops and ceiling)
    lines = [f"  {'variant':24s} {unit:>8s} {'min-max s':>18s} "
             f"{'vs ' + reference:>16s} {first:>12s}"
             + (f" {'GFLOP/s':>8s} {'of f32 matmul':>14s}" if known else "")]
    for name, timing in timings.items():
        line = (f"  {name:24s} {timing.median:8.3g} {timing.spread():>18s} "
                f"{speed[name]:15.2f}x {timing.first_seconds:12.1f}")
        if known:
            useful = flops / timing.median
            line += f" {useful / 1e9:8.1f} {useful / ceiling:14.0%}"
        lines.append(line)
    return lines


# ---------------------------------------------------------------- rows for run_all.py


@dataclass(frozen=True)
class Row:
    """One variant's figure, as ``benchmarks/run_all.py`` gathers it.

    Attributes:
        benchmark: the script's name (``lstm_epoch``...).
        variant: the variant's label.
        unit: what one timed step is (``s/epoch``, ``s/train_step``, ``s/call``).
        median, fastest, slowest: seconds of the timed steps.
        reference: the variant the ratio is against (in the same run).
        ratio: reference median / this median (>1: faster than the reference).
        ceiling_share: useful FLOP/s over the float32 matmul ceiling, where the FLOPs
            are known; else None.
    """

    benchmark: str
    variant: str
    unit: str
    median: float
    fastest: float
    slowest: float
    reference: str
    ratio: float
    ceiling_share: float | None = None

    def as_json(self) -> str:
        import json

        return json.dumps(dataclasses.asdict(self))


def timing_rows(benchmark: str, timings: dict[str, Timing], reference: str, unit: str,
                flops: float | None = None, ceiling: float | None = None) -> list[Row]:
    """A :class:`Row` per variant of one comparison; ``flops`` per step and the matmul
    ``ceiling`` (FLOP/s) give the ceiling share."""
    speed = ratios(timings, reference)
    return [Row(benchmark, name, unit, t.median, t.fastest, t.slowest, reference, speed[name],
                flops / t.median / ceiling if flops and ceiling else None)
            for name, t in timings.items()]


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    """``--json``: one JSON object per row on stdout, the progress on stderr."""
    parser.add_argument("--json", action="store_true", help=(
        "print one JSON object per measured row on stdout (progress goes to stderr); "
        "benchmarks/run_all.py reads this"))


class Output:
    """Where a benchmark prints: its own table on stdout, or (``--json``) its rows as
    JSON lines on stdout and everything else on stderr."""

    def __init__(self, as_json: bool = False):
        self.as_json = as_json

    def say(self, text: str = "") -> None:
        print(text, file=sys.stderr if self.as_json else sys.stdout, flush=True)

    def rows(self, rows: list[Row]) -> None:
        if self.as_json:
            for row in rows:
                print(row.as_json(), flush=True)


def has_bf16_instructions() -> bool:
    """Whether this CPU has AVX-512 BF16 or AMX-BF16 (see ``mitlgan.accelerators``)."""
    from mitlgan.accelerators import cpu_has_bf16

    return cpu_has_bf16()


def report_epochs(out: Output, benchmark: str, timings: dict[str, Timing], reference: str,
                  unit: str = "s/epoch", flops: float | None = None,
                  ceiling: float | None = None):
    """The epoch table (:func:`epoch_table`) and, with ``--json``, its rows; ``unit``
    names what one timed step is; ``flops`` per timed step and the float32 matmul
    ``ceiling`` (FLOP/s), where known, give each row its ceiling share."""
    out.say("\n".join(epoch_table(timings, reference, unit, flops, ceiling)))
    out.rows(timing_rows(benchmark, timings, reference, unit, flops, ceiling))


def say_ceiling(out: Output, what: str, flops: float) -> float:
    """Measure the float32 matmul ceiling and print it beside ``what``'s ``flops`` per
    timed step; returns the ceiling in FLOP/s."""
    ceiling = matmul_flops_per_second("float32")
    out.say(f"{what}: {flops / 1e9:.2f} GFLOP per timed step (TensorFlow's profiler count "
            f"of the reference's step graph); float32 matmul 2048^3: {ceiling / 1e9:.1f} "
            "GFLOP/s")
    return ceiling
