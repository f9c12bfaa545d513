"""What a MITLGAN experiment costs: FLOPs per train step, steps per stage, hours on an
accelerator. ``python -m reproductions.mitlgan.cost --preset thesis --dataset pokemon``.

The FLOPs of one train step are TensorFlow's profiler count of the traced
``WGANGP.train_step`` graph of the built models (:func:`mitlgan.flops.wgan_gp_graph_flops`,
the count ``benchmarks/train_step.py`` reports); the analytic rule of
:func:`mitlgan.flops.wgan_gp_step_flops` is printed next to it as a cross-check.
Steps per stage follow the reproduction's preset (epochs x images // batch), and the
models are the ones the run's stages build (:mod:`reproductions.mitlgan.models`). The
evaluation (FID, curves) is left out: it is a few forward passes per scored image.
Peaks and efficiencies: :mod:`mitlgan.accelerators`.
"""

from __future__ import annotations

import argparse
import sys

from mitlgan.accelerators import StageCost, efficiency_overrides, report_lines
from reproductions.mitlgan.config import (
    PART_STAGES,
    PRESETS,
    VARIANTS,
    MitlganSettings,
    build_config,
)
from reproductions.mitlgan.models import (
    COMBINED_GENERATOR_NAME,
    PART_GENERATOR_NAMES,
    build_critic,
    build_generator,
    build_head,
)

PROG = "python -m reproductions.mitlgan.cost"


def _image_counts(dataset: str, config) -> dict:
    from mitlgan.data import get_dataset

    spec = get_dataset(dataset)
    if spec.thesis_counts is None:  # the synthetic scenes: as many as the preset makes
        return dict.fromkeys(("foreground", "background", "combined"), config.n_images)
    cap = config.n_images
    return {part: min(count, cap) if cap else count for part, count in spec.thesis_counts.items()}


def experiment_costs(config, dataset: str, progress=print) -> list[StageCost]:
    """The training stages of the MITLGAN reproduction under ``config``.

    Args:
        config: the :class:`~reproductions.mitlgan.config.MitlganSettings` of a run, or
            a resolved configuration dict (its preset's keys).
        dataset: registry name; real datasets use the thesis's image counts.
        progress: called with a line before each (seconds-long) graph trace.

    Returns:
        One :class:`mitlgan.accelerators.StageCost` per training stage, in the
        reproduction's order (heads not in ``config.variants`` left out).
    """
    from mitlgan.flops import wgan_gp_graph_flops, wgan_gp_step_flops

    if isinstance(config, dict):
        config = MitlganSettings.from_config(config)
    counts = _image_counts(dataset, config)
    group = config.batch_size * (config.n_critic if config.batch_regime == "fresh" else 1)

    def cost(stage, part, epochs, generator):
        progress(f"  tracing one train step of {stage} ...")
        critic = build_critic(config)
        return StageCost(stage, counts[part], epochs, counts[part] // group,
                         wgan_gp_graph_flops(
                             generator, critic, batch_size=config.batch_size,
                             n_critic=config.n_critic, gp_weight=config.gp_weight,
                             image_size=config.image_size, batch_regime=config.batch_regime),
                         wgan_gp_step_flops(generator, critic, config.batch_size,
                                            config.n_critic))

    wgan = cost("wgan_combined", "combined", config.wgan_epochs,
                build_generator(config, COMBINED_GENERATOR_NAME))
    stages = [wgan]
    for stage in PART_STAGES:
        part = stage.removeprefix("wgan_")
        # same architecture as the combined WGAN: same step, other images and epochs
        stages.append(StageCost(stage, counts[part], config.part_epochs,
                                counts[part] // group, wgan.step_flops, wgan.analytic_step_flops))
    for variant in config.variants:
        head = build_head(config, variant,
                          build_generator(config, PART_GENERATOR_NAMES["wgan_foreground"]),
                          build_generator(config, PART_GENERATOR_NAMES["wgan_background"]))
        stages.append(cost(VARIANTS[variant][0], "combined", config.mitlgan_epochs, head))
    return stages


def main(argv=None) -> int:
    """``python -m reproductions.mitlgan.cost``: print the cost table; returns the exit code."""
    from mitlgan.data import DATASETS
    from reproductions.runner.quiet import start_tensorflow_quietly

    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=PRESETS, default="thesis")
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="pokemon")
    parser.add_argument("--variants", default=None,
                        help="MITLGAN heads, comma-separated (default: the preset's)")
    parser.add_argument("--efficiency", action="append", metavar="NAME=SHARE",
                        help="replace an accelerator's assumed efficiency, e.g. A100=0.3")
    args = parser.parse_args(argv)
    try:
        efficiencies = efficiency_overrides(args.efficiency)
    except ValueError as err:
        parser.error(str(err))
    overrides = {"variants": args.variants.split(",")} if args.variants else {}
    unknown = sorted(set(overrides.get("variants", ())) - set(VARIANTS))
    if unknown:
        parser.error(f"--variants: unknown head(s) {', '.join(unknown)}; choose from "
                     f"{', '.join(VARIANTS)}")
    config = MitlganSettings.from_config(build_config(args.dataset, args.preset, overrides))
    start_tensorflow_quietly()
    print(f"MITLGAN experiment, preset {args.preset}, dataset {args.dataset}: "
          f"{config.image_size}x{config.image_size}, batch {config.batch_size}, "
          f"n_critic {config.n_critic} ({config.batch_regime} batches), "
          f"heads {', '.join(config.variants)}", flush=True)
    stages = experiment_costs(config, args.dataset, progress=lambda line: print(line, flush=True))
    print("\n".join(report_lines(stages, efficiencies=efficiencies)))
    print("\nFLOPs: TensorFlow's profiler count of the traced train step (analytic: "
          "mitlgan.flops' rule). Hours = FLOPs / (peak x efficiency); the efficiencies are "
          "assumptions (docs/scaling.md), training only, one device.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
