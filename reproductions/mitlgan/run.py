"""Run the MITLGAN experiment stage by stage, resuming whatever an earlier run left.

Layout of ``OUTPUT/DATASET/``::

    config.json                 the resolved configuration (a resumed run must match it)
    judge/                      the scene judge (synthetic scenes) and the curves' real
                                statistics
    wgan_combined/              one folder per training stage:
        checkpoints/              every --checkpoint-every epochs (atomic writes)
        samples/epoch_NNNN.png    a grid from fixed noise after every epoch
        history.csv               per-epoch losses; FID, KID, precision, recall, density
                                  and coverage every --eval-every epochs
        generator.keras           the final generator
        generator_savedmodel/     the same, as a TF SavedModel
        done.json                 written last: steps, FLOPs per step; the stage is finished
    wgan_background/  wgan_foreground/  mitlgan/  mitlgan_corrected/
    evaluation/                 real statistics, per-model results, figures
    fid.csv  report.md
"""

from __future__ import annotations

from pathlib import Path

from reproductions.mitlgan.config import (
    PART_EPOCHS_RULE,
    PRESETS,
    STAGES,
    MitlganSettings,
)
from reproductions.mitlgan.flags import DESCRIPTION, PRESET_HELP, add_arguments, configure
from reproductions.mitlgan.stages import stage_function
from reproductions.runner import Reproduction, Stage, entry_points, say

STAGE_TITLES = {
    "judge": "scene judge (synthetic scenes) and the real statistics of the curves",
    "wgan_combined": "WGAN-GP on the combined images (the baseline)",
    "wgan_background": "WGAN-GP on the backgrounds (a MITLGAN part)",
    "wgan_foreground": "WGAN-GP on the foregrounds (a MITLGAN part)",
    "mitlgan": "MITLGAN, thesis head (IN+ReLU output): both parts frozen, head trained",
    "mitlgan_corrected": "MITLGAN, corrected head (tanh output) on the same frozen parts",
    "evaluation": "FID/KID, figures and report",
}


# ---------------------------------------------------------------------- configuration


# ---------------------------------------------------------------------- models


# ---------------------------------------------------------------------- stages


def _on_start(context) -> None:
    config = context.settings
    rule = f" ({PART_EPOCHS_RULE})" if config.preset == "thesis" else ""
    say(f"Epochs: WGAN {config.wgan_epochs}, each part WGAN {config.part_epochs}{rule}, "
        f"each MITLGAN head {config.mitlgan_epochs}; heads: {', '.join(config.variants)}.")
    if config.backbone_fallback:
        say("!" * 78 + f"\nWARNING (offline fallback): {config.backbone_fallback}. Every "
            "number this run writes is labelled so.\n" + "!" * 78)
    elif config.backbone == "random":
        say("WARNING: --backbone random is an untrained network; its FID/KID numbers are "
            "labelled as such and compare with nothing.")


REPRODUCTION = Reproduction(
    prog="python -m reproductions.mitlgan",
    description=DESCRIPTION,
    stages=tuple(Stage(name, STAGE_TITLES[name], stage_function(name)) for name in STAGES),
    configure=configure,
    add_arguments=add_arguments,
    presets=PRESETS,
    gpu_preset="thesis",
    cpu_preset="quick",
    preset_help=PRESET_HELP,
    run_folder=lambda args: Path(args.output) / args.dataset,
    on_start=_on_start,
    settings=MitlganSettings,
    config_wording=("backbone_fallback",),
)


prepare, main, reproduce = entry_points(
    REPRODUCTION, defaults={"dataset": "synthetic"}, headline="fid",
    doc="""Run or resume the MITLGAN experiment (``dataset``: ``"synthetic"`` built in, or a
    prepared dataset such as ``"pokemon"``); ``python -m reproductions.mitlgan`` with the
    same settings writes the same ``OUTPUT/DATASET`` folder. ``result.table`` is
    ``fid.csv``: FID/KID per model.""")
