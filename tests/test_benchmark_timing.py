"""The benchmark harness's arithmetic (no timing is asserted: machines are noisy)."""

import argparse
import importlib.util
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location(
    "benchmark_timing", Path(__file__).resolve().parents[1] / "benchmarks" / "_timing.py")
timing = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = timing  # dataclasses look their module up there
_spec.loader.exec_module(timing)


def test_rounds_rotate_so_every_variant_leads_equally():
    orders = timing.round_orders(["a", "b", "c"], 6)
    assert orders[:3] == [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]]
    assert orders[3:] == orders[:3]
    for variant in "abc":
        assert sum(order[0] == variant for order in orders) == 2


def test_interleaved_timing_runs_each_step_in_rotated_rounds():
    calls = []
    steps = {name: (lambda n=name: calls.append(n)) for name in ("x", "y")}
    timings = timing.time_interleaved(steps, 3, say=None)
    # one warm-up each, then rounds x,y / y,x / x,y
    assert calls == ["x", "y", "x", "y", "y", "x", "x", "y"]
    assert [len(t.seconds) for t in timings.values()] == [3, 3]
    with pytest.raises(ValueError, match="steps must be >= 1"):
        timing.time_interleaved(steps, 0)


def test_median_spread_rate_and_ratio_by_hand():
    slow = timing.Timing("slow", (3.0, 1.0, 2.0, 10.0), first_seconds=20.0)
    fast = timing.Timing("fast", (0.5, 0.5, 1.5), first_seconds=4.0)
    assert slow.median == 2.5 and slow.fastest == 1.0 and slow.slowest == 10.0
    assert slow.spread() == "1-10 s"
    assert slow.rate(32) == pytest.approx(12.8)  # 32 images / 2.5 s
    assert timing.ratios({"slow": slow, "fast": fast}, "slow") == {"slow": 1.0, "fast": 5.0}


def test_steps_flag_defaults_to_and_refuses_fewer_than_eight(capsys):
    parser = argparse.ArgumentParser()
    timing.add_steps_argument(parser)
    assert timing.MIN_STEPS == 8
    assert parser.parse_args([]).steps == 8 and parser.parse_args(["--steps", "12"]).steps == 12
    for bad in ("3", "x"):
        with pytest.raises(SystemExit):
            parser.parse_args(["--steps", bad])
        assert "--steps must be an integer >= 8" in capsys.readouterr().err
