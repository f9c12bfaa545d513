"""The cost model: FLOPs per step from the traced graph (the benchmark's count), steps
per stage from the preset, hours from peak x efficiency."""

import importlib.util
import sys
from pathlib import Path

import pytest

from mitlgan.accelerators import ACCELERATORS, StageCost, report_lines
from mitlgan.flops import wgan_gp_graph_flops, wgan_gp_step_flops
from mitlgan.models import build_wgan_critic, build_wgan_generator
from reproductions.mitlgan.config import build_config
from reproductions.mitlgan.cost import experiment_costs, main

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _benchmark():
    sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location("benchmark_train_step", BENCHMARKS / "train_step.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_thesis_wgan_step_counts_what_the_benchmark_profiles():
    benchmark = _benchmark()
    config = dict(image_size=benchmark.IMAGE_SIZE, batch_size=4, n_critic=5, gp_weight=10.0,
                  batch_regime="reused")
    generator = build_wgan_generator(1536, benchmark.IMAGE_SIZE)
    critic = build_wgan_critic(benchmark.IMAGE_SIZE)
    ours = wgan_gp_graph_flops(generator, critic, **config)
    assert ours == benchmark.step_flops("wgan", 4, 5)
    # the analytic rule (convolutions and dense layers only) is within 15% of the profiler
    analytic = wgan_gp_step_flops(generator, critic, 4, 5)
    assert 0.85 < analytic / ours < 1.0


def test_steps_totals_and_hours_by_hand():
    config = build_config("synthetic", "quick", {"image_size": 16, "latent_dim": 32,
                                                 "critic_channels": [4, 8, 8, 8],
                                                 "head_filters": 2, "num_blocks": 1,
                                                 "n_images": 100, "batch_size": 16,
                                                 "variants": ["thesis"]})
    stages = experiment_costs(config, "synthetic", progress=lambda line: None)
    assert [s.stage for s in stages] == ["wgan_combined", "wgan_background", "wgan_foreground",
                                         "mitlgan"]
    wgan, head = stages[0], stages[-1]
    assert wgan.steps_per_epoch == 100 // 16 and wgan.steps == 15 * 6  # quick: 15 WGAN epochs
    assert head.steps == 5 * 6 and head.step_flops > wgan.step_flops
    assert stages[1].step_flops == wgan.step_flops  # the parts are the WGAN's architecture
    total = sum(s.steps * s.step_flops for s in stages)
    t4 = next(a for a in ACCELERATORS if a.name == "T4")
    hours = total / (t4.peak_flops * 0.5) / 3600
    lines = report_lines(stages, efficiencies={"T4": 0.5})
    assert any(line.startswith("T4") and f"{hours:8.1f}" in line and "50%" in line
               for line in lines)


def test_stage_cost_arithmetic():
    cost = StageCost("x", images=100, epochs=3, steps_per_epoch=6, step_flops=10,
                     analytic_step_flops=9)
    assert cost.steps == 18 and cost.flops == 180


def test_the_command_line_refuses_a_bad_efficiency(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--efficiency", "A100=2"])
    assert exit_.value.code == 2 and "NAME=SHARE" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--variants", "thesis,nothing"])
    assert "nothing" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--dataset", "nowhere"])
    assert "invalid choice" in capsys.readouterr().err
