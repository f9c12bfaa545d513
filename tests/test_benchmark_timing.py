"""The benchmark harness's arithmetic (no timing is asserted: machines are noisy)."""

import argparse
import importlib.util
import json
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


def _timing_of(name, seconds):
    return timing.Timing(name, tuple(seconds), first_seconds=1.0)


def test_rows_carry_the_ratio_to_the_reference_and_the_ceiling_share():
    timings = {"ref": _timing_of("ref", [2.0, 4.0, 3.0]), "fast": _timing_of("fast", [1.0, 1.5, 2.0])}
    rows = timing.timing_rows("bench", timings, "ref", "s/step", flops=6e9, ceiling=4e9)
    assert [r.variant for r in rows] == ["ref", "fast"]
    assert rows[0].ratio == 1.0 and rows[1].ratio == pytest.approx(3.0 / 1.5)
    # useful FLOP/s over the ceiling: 6e9 / 1.5 s / 4e9
    assert rows[1].ceiling_share == pytest.approx(1.0)
    assert (rows[1].median, rows[1].fastest, rows[1].slowest) == (1.5, 1.0, 2.0)
    assert timing.timing_rows("b", timings, "ref", "s")[0].ceiling_share is None


def test_json_output_keeps_stdout_for_rows(capsys):
    out = timing.Output(as_json=True)
    out.say("progress")
    out.rows([timing.Row("b", "v", "s/epoch", 1.0, 0.9, 1.1, "v", 1.0)])
    captured = capsys.readouterr()
    assert captured.err == "progress\n"
    assert json.loads(captured.out)["benchmark"] == "b"
    timing.Output().rows([timing.Row("b", "v", "s/epoch", 1.0, 0.9, 1.1, "v", 1.0)])
    assert capsys.readouterr().out == ""  # the table mode prints its own table instead


def _run_all():
    spec = importlib.util.spec_from_file_location(
        "benchmark_run_all", Path(__file__).resolve().parents[1] / "benchmarks" / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_run_all_gathers_each_scripts_json_rows_into_one_table(tmp_path, monkeypatch, capsys):
    run_all = _run_all()
    for name, ratio in (("alpha", 2.0), ("beta", 0.5)):
        row = {"benchmark": name, "variant": "ours", "unit": "s/epoch", "median": 1.0,
               "fastest": 0.5, "slowest": 2.0, "reference": "theirs", "ratio": ratio,
               "ceiling_share": 0.42 if name == "alpha" else None}
        (tmp_path / f"{name}.py").write_text(
            "import json, sys\nprint('progress', file=sys.stderr)\n"
            f"assert '--json' in sys.argv and sys.argv[sys.argv.index('--steps') + 1] == '9'\n"
            f"print(json.dumps({row!r}))\n")
    monkeypatch.setattr(run_all, "HERE", tmp_path)
    monkeypatch.setattr(run_all, "BENCHMARKS", {"alpha": [], "beta": []})
    assert run_all.main(["--steps", "9"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # "theirs" has no row here, so no fastest-vs-fastest figure
    assert "| alpha | ours | 1 s/epoch | 0.5-2 | 2.00x theirs | - | 42% |" in lines
    assert "| beta | ours | 1 s/epoch | 0.5-2 | 0.50x theirs | - | - |" in lines
    assert run_all.main(["--steps", "9", "--json", "--only", "beta"]) == 0
    assert [json.loads(line)["ratio"] for line in capsys.readouterr().out.splitlines()] == [0.5]
    with pytest.raises(SystemExit):
        run_all.main(["--only", "gamma"])


def test_run_all_keeps_the_other_rows_when_one_benchmark_fails(tmp_path, monkeypatch, capsys):
    run_all = _run_all()
    (tmp_path / "good.py").write_text(
        "import json\nprint(json.dumps({'benchmark': 'good', 'variant': 'v', 'unit': 's', "
        "'median': 1.0, 'fastest': 1.0, 'slowest': 1.0, 'reference': 'v', 'ratio': 1.0}))\n")
    (tmp_path / "bad.py").write_text("raise SystemExit(4)\n")
    monkeypatch.setattr(run_all, "HERE", tmp_path)
    monkeypatch.setattr(run_all, "BENCHMARKS", {"bad": [], "good": []})
    assert run_all.main([]) == 1
    out = capsys.readouterr().out
    assert "| good | v | 1 s | 1-1 | reference | 1.00x | - |" in out and "FAILED: benchmarks/bad.py failed with exit code 4" in out


def test_the_table_sets_fastest_against_fastest_within_a_benchmark():
    def row(variant, median, fastest):
        return {"benchmark": "b", "variant": variant, "unit": "s/step", "median": median,
                "fastest": fastest, "slowest": 2 * median, "reference": "ref",
                "ratio": 4.0 / median, "ceiling_share": None}

    lines = _run_all().table([row("ref", 4.0, 2.0), row("ours", 5.0, 1.0)])
    assert lines[2] == "| b | ref | 4 s/step | 2-8 | reference | 1.00x | - |"
    assert lines[3] == "| b | ours | 5 s/step | 1-10 | 0.80x ref | 2.00x | - |"


def test_the_dcgan_reference_trains_batchnorm_and_the_printed_loop_does_not():
    """Why dcgan_epoch's reference passes training=True: the keras-io loop as printed never
    updates BatchNorm's moving statistics (its layers run in inference mode)."""
    import numpy as np
    import tensorflow as tf

    dcgan_epoch = _benchmark_module("dcgan_epoch")
    images = np.random.default_rng(0).uniform(-1, 1, (32, 64, 64, 3)).astype("float32")
    moved = {}
    for training in (None, True):
        model = dcgan_epoch.KerasIoDCGAN(*dcgan_epoch.models((16, 4)), latent_dim=100,
                                         training=training)
        model.compile(dcgan_epoch.adam(), dcgan_epoch.adam())
        model.fit(tf.data.Dataset.from_tensor_slices(images).batch(16), epochs=1, verbose=0,
                  shuffle=False)
        norms = [layer for network in (model.generator, model.discriminator)
                 for layer in network.layers if "bn" in layer.name]
        assert norms  # document 001's DCGAN has BatchNorm in both networks
        moved[training] = [float(np.abs(layer.moving_mean.numpy()).max()) for layer in norms]
    assert moved[None] == [0.0] * len(moved[None])  # the initial moving mean, untouched
    assert all(value > 0 for value in moved[True])


def _benchmark_module(name):
    folder = str(Path(__file__).resolve().parents[1] / "benchmarks")
    sys.path.insert(0, folder)
    try:
        return importlib.import_module(name)
    finally:
        while folder in sys.path:  # a benchmark adds it too: leave no copy behind
            sys.path.remove(folder)


def test_the_matmul_floor_reads_every_product_of_a_dense_step_with_its_shapes():
    """A Dense(3) layer on (4, 5) inputs, trained: the forward product, the weight
    gradient x^T dy, and the input gradient dy W^T when the input is differentiated."""
    import numpy as np
    import tensorflow as tf

    floor_module = _benchmark_module("_floor")
    weights = tf.Variable(np.ones((5, 3), "float32"))

    def step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(tf.matmul(x, weights) ** 2)
        return tape.gradient(loss, [weights, x])

    spec = tf.TensorSpec((4, 5), tf.float32)
    products = floor_module.step_matmuls(step, spec)
    assert sorted(products) == sorted([((4, 5), (5, 3), False, False),
                                       ((4, 5), (4, 3), True, False),
                                       ((4, 3), (5, 3), False, True)])
    # three products of 4 x 5 x 3 multiply-adds each; the profiler counts the same
    assert floor_module.matmul_flops(products) == 3 * 2 * 4 * 5 * 3
    from mitlgan.flops import graph_flops

    assert graph_flops(lambda x: tf.matmul(x, weights), spec) == 2 * 4 * 5 * 3
    floor, timed = floor_module.matmul_floor(step, spec, repeats=2)
    assert timed == products and np.isfinite(floor())
    with pytest.raises(ValueError, match="no matrix product"):
        floor_module.matmul_floor(lambda x: x * 2.0, spec)


def test_the_epoch_table_prints_useful_gflops_and_the_ceiling_share_when_known():
    timings = {"ref": _timing_of("ref", [2.0, 2.0]), "fast": _timing_of("fast", [1.0, 1.0])}
    lines = timing.epoch_table(timings, "ref", flops=100e9, ceiling=200e9)
    assert "of f32 matmul" in lines[0]
    # 100 GFLOP in 2 s is 50 GFLOP/s, a quarter of 200; in 1 s, half
    assert lines[1].split()[-2:] == ["50.0", "25%"] and lines[2].split()[-2:] == ["100.0", "50%"]
    assert "GFLOP/s" not in timing.epoch_table(timings, "ref")[0]
