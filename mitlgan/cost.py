"""What a MITLGAN experiment costs: FLOPs per train step, steps per stage, hours on an
accelerator. ``python -m mitlgan.cost --preset thesis --dataset pokemon``.

The FLOPs of one train step are TensorFlow's profiler count of the traced
``WGANGP.train_step`` graph of the built models (:func:`mitlgan.flops.graph_flops`,
the count ``benchmarks/train_step.py`` reports); the analytic rule of
:func:`mitlgan.flops.wgan_gp_step_flops` is printed next to it as a cross-check.
Steps per stage follow the reproduction's preset (epochs x images // batch). The
evaluation (FID, curves) is left out: it is a few forward passes per scored image.

Wall time on an accelerator = FLOPs / (peak FLOP/s x efficiency). The peaks are the
vendors' dense figures for the arithmetic a float32 Keras model gets there; the
efficiencies are assumptions, stated and argued in :data:`ACCELERATORS` and
``docs/scaling.md``, not measurements. ``--efficiency NAME=VALUE`` replaces one.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

__all__ = ["ACCELERATORS", "Accelerator", "StageCost", "experiment_costs", "main",
           "train_step_flops"]


@dataclass(frozen=True)
class Accelerator:
    """A device's peak for a float32 Keras model and the share of it we assume."""

    name: str
    peak_flops: float
    arithmetic: str
    efficiency: float
    why: str


ACCELERATORS = (
    Accelerator("T4", 8.1e12, "FP32 (Turing has no TF32)", 0.35,
                "cuDNN's FP32 convolutions reach roughly half of peak on mid-size layers; the "
                "thesis's thin layers (3-48 channels) and BatchNorm/LeakyReLU passes are "
                "memory-bound, so about a third overall"),
    Accelerator("A100", 156e12, "TF32 tensor cores (TensorFlow's default for float32)", 0.15,
                "tensor cores need many channels to fill; with 3-384 channels at 128x128 and the "
                "gradient penalty's elementwise second-order ops, memory bandwidth (2 TB/s) "
                "rather than arithmetic bounds most of the step"),
    Accelerator("H100", 495e12, "TF32 tensor cores, dense", 0.12,
                "3.2x the A100's TF32 peak but only 1.7x its bandwidth: the memory-bound share "
                "of the step grows, so a lower fraction than on the A100"),
    Accelerator("TPU v4", 275e12, "bfloat16 MXU (float32 matmuls run as bfloat16 passes)", 0.15,
                "the 128x128 systolic arrays are underfilled by layers with fewer than 128 "
                "channels, most of the generators; XLA fuses the elementwise ops"),
)


@dataclass(frozen=True)
class StageCost:
    """One training stage: its steps and the FLOPs of each."""

    stage: str
    images: int
    epochs: int
    steps_per_epoch: int
    step_flops: int
    analytic_step_flops: int

    @property
    def steps(self) -> int:
        return self.epochs * self.steps_per_epoch

    @property
    def flops(self) -> int:
        return self.steps * self.step_flops


def train_step_flops(generator, critic, config: dict) -> int:
    """The profiler's FLOPs of one ``WGANGP.train_step`` of these models.

    Args:
        generator, critic: built models (the generator may hold frozen parts).
        config: ``batch_size``, ``n_critic``, ``image_size`` and ``batch_regime``
            (``"fresh"`` feeds (B, n_critic, S, S, 3)).

    Returns:
        int, float operations of one step: n_critic critic updates and one generator update.
    """
    import tensorflow as tf

    from mitlgan.flops import graph_flops
    from mitlgan.gans import WGANGP

    gan = WGANGP(generator, critic, n_critic=config["n_critic"], gp_weight=config["gp_weight"],
                 real_batches=config["batch_regime"], seed=0)
    gan.compile()
    size, batch = config["image_size"], config["batch_size"]
    shape = ((batch, config["n_critic"], size, size, 3) if config["batch_regime"] == "fresh"
             else (batch, size, size, 3))
    return graph_flops(gan.train_step, tf.TensorSpec(shape, tf.float32))


def _image_counts(dataset: str, config: dict) -> dict:
    from mitlgan.data import get_dataset

    spec = get_dataset(dataset)
    if spec.thesis_counts is None:  # the synthetic scenes: as many as the preset makes
        return dict.fromkeys(("foreground", "background", "combined"), config["n_images"])
    cap = config["n_images"]
    return {part: min(count, cap) if cap else count for part, count in spec.thesis_counts.items()}


def experiment_costs(config: dict, dataset: str, progress=print) -> list[StageCost]:
    """The training stages of the MITLGAN reproduction under ``config``.

    Args:
        config: a resolved configuration of ``reproductions.mitlgan`` (its preset's keys).
        dataset: registry name; real datasets use the thesis's image counts.
        progress: called with a line before each (seconds-long) graph trace.

    Returns:
        One :class:`StageCost` per training stage, in the reproduction's order.
    """
    from mitlgan.flops import wgan_gp_step_flops
    from mitlgan.models import build_mitlgan_generator, build_wgan_critic, build_wgan_generator

    counts = _image_counts(dataset, config)
    group = config["batch_size"] * (config["n_critic"] if config["batch_regime"] == "fresh" else 1)

    def generator(name):
        return build_wgan_generator(config["latent_dim"], config["image_size"], name=name)

    def critic():
        return build_wgan_critic(config["image_size"], channels=tuple(config["critic_channels"]))

    def cost(stage, part, epochs, built):
        progress(f"  tracing one train step of {stage} ...")
        model, judge = built
        return StageCost(stage, counts[part], epochs, counts[part] // group,
                         train_step_flops(model, judge, config),
                         wgan_gp_step_flops(model, judge, config["batch_size"], config["n_critic"]))

    wgan = cost("wgan_combined", "combined", config["wgan_epochs"], (generator("g"), critic()))
    stages = [wgan]
    for stage, part in (("wgan_background", "background"), ("wgan_foreground", "foreground")):
        # same architecture as the combined WGAN: same step, other images and epochs
        stages.append(StageCost(stage, counts[part], config["part_epochs"],
                                counts[part] // group, wgan.step_flops, wgan.analytic_step_flops))
    activations = {"thesis": ("mitlgan", "relu"), "corrected": ("mitlgan_corrected", "tanh")}
    for variant in config["variants"]:
        stage, activation = activations[variant]
        head = build_mitlgan_generator(generator("foreground_generator"),
                                       generator("background_generator"),
                                       filters=config["head_filters"],
                                       num_blocks=config["num_blocks"],
                                       output_activation=activation)
        stages.append(cost(stage, "combined", config["mitlgan_epochs"], (head, critic())))
    return stages


def _hours(flops: float, accelerator: Accelerator, efficiency: float) -> float:
    return flops / (accelerator.peak_flops * efficiency) / 3600


def report_lines(stages, accelerators=ACCELERATORS, efficiencies=None) -> list[str]:
    """The stage table and the hours per accelerator as printable lines."""
    efficiencies = efficiencies or {}
    lines = [f"{'stage':18s} {'images':>7s} {'epochs':>6s} {'steps':>7s} "
             f"{'TFLOP/step':>11s} {'(analytic)':>10s} {'PFLOP':>9s}"]
    for s in stages:
        lines.append(f"{s.stage:18s} {s.images:7d} {s.epochs:6d} {s.steps:7d} "
                     f"{s.step_flops / 1e12:11.3f} {s.analytic_step_flops / 1e12:10.3f} "
                     f"{s.flops / 1e15:9.1f}")
    total = sum(s.flops for s in stages)
    lines += [f"{'total':18s} {'':7s} {'':6s} {sum(s.steps for s in stages):7d} "
              f"{'':11s} {'':10s} {total / 1e15:9.1f}", "",
              f"{'accelerator':9s} {'peak TFLOP/s':>12s} {'efficiency':>10s} {'hours':>8s}  arithmetic"]
    for a in accelerators:
        efficiency = efficiencies.get(a.name, a.efficiency)
        lines.append(f"{a.name:9s} {a.peak_flops / 1e12:12.1f} {efficiency:10.0%} "
                     f"{_hours(total, a, efficiency):8.1f}  {a.arithmetic}")
    return lines


def _efficiency_overrides(values) -> dict:
    names = {a.name for a in ACCELERATORS}
    overrides = {}
    for value in values or []:
        name, _, number = value.partition("=")
        try:
            share = float(number)
        except ValueError:
            share = -1.0
        if name not in names or not 0 < share <= 1:
            raise SystemExit(f"error: --efficiency {value!r}: give NAME=SHARE with NAME one of "
                             f"{sorted(names)} and 0 < SHARE <= 1")
        overrides[name] = share
    return overrides


def main(argv=None) -> int:
    """``python -m mitlgan.cost``: print the cost table; returns the exit code."""
    # The presets live with the reproduction; the cost model reads them from there.
    from mitlgan.data import DATASETS
    from reproductions._quiet import start_tensorflow_quietly
    from reproductions.mitlgan.config import PRESETS, build_config

    parser = argparse.ArgumentParser(prog="python -m mitlgan.cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=PRESETS, default="thesis")
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="pokemon")
    parser.add_argument("--variants", default=None,
                        help="MITLGAN heads, comma-separated (default: the preset's)")
    parser.add_argument("--efficiency", action="append", metavar="NAME=SHARE",
                        help="replace an accelerator's assumed efficiency, e.g. A100=0.3")
    args = parser.parse_args(argv)
    efficiencies = _efficiency_overrides(args.efficiency)
    overrides = {"variants": args.variants.split(",")} if args.variants else {}
    config = build_config(args.dataset, args.preset, overrides)
    start_tensorflow_quietly()
    print(f"MITLGAN experiment, preset {args.preset}, dataset {args.dataset}: "
          f"{config['image_size']}x{config['image_size']}, batch {config['batch_size']}, "
          f"n_critic {config['n_critic']} ({config['batch_regime']} batches), "
          f"heads {', '.join(config['variants'])}", flush=True)
    stages = experiment_costs(config, args.dataset, progress=lambda line: print(line, flush=True))
    print("\n".join(report_lines(stages, efficiencies=efficiencies)))
    print("\nFLOPs: TensorFlow's profiler count of the traced train step (analytic: "
          "mitlgan.flops' rule). Hours = FLOPs / (peak x efficiency); the efficiencies are "
          "assumptions (docs/scaling.md), training only, one device.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
