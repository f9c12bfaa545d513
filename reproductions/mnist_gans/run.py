"""Run one MNIST study stage by stage on the shared runner, resuming an interrupted run.

Layout of ``OUTPUT/mnist_gans/STUDY/``: ``config.json``, ``run.log``, ``judge/``
(the judge, ``judge.keras`` and its test accuracy), one folder per training stage
(checkpoints, ``history.csv``, sample grids, ``generator.keras``, ``result.json``),
the figures and ``report.md``.
"""

from __future__ import annotations

from pathlib import Path

from reproductions.mnist_gans.config import (
    PRESETS,
    STUDIES,
    MnistGansSettings,
    add_arguments,
    configure,
)
from reproductions.mnist_gans.stages import study_stages
from reproductions.runner import Reproduction, entry_points

DESCRIPTION = (
    "Reproduce the MNIST GANs of three documents: --study mlp (document 002: the MLP GAN, "
    "grids at start/half/end, latent interpolation), ablations (document 003: the FC GAN and "
    "its one-change variants, judged over seeds), collapse (document 000: the class histogram "
    "of generated digits per epoch). Every number comes from a CNN judge trained on real "
    "digits. Running the same command again resumes."
)
PRESET_HELP = ("full: the reports' epochs and data; hour: the most of them that fits an hour "
               "on a 2-core CPU (mlp and collapse: the reports' epochs); quick: a few "
               "minutes on a CPU; auto (default): full on a GPU, quick otherwise")


def reproduction_for(study: str) -> Reproduction:
    """The runner's view of one study (its stages differ)."""
    return Reproduction(
        prog="python -m reproductions.mnist_gans",
        description=DESCRIPTION,
        stages=study_stages(study),
        configure=configure,
        add_arguments=add_arguments,
        presets=PRESETS,
        preset_help=PRESET_HELP,
        run_folder=lambda args: Path(args.output) / "mnist_gans" / args.study,
        settings=MnistGansSettings,
    )


prepare, main, reproduce = entry_points(
    reproduction_for, chosen_by=("--study", STUDIES, "mlp"), defaults={"study": "mlp"},
    doc="""Run or resume one MNIST GAN study (``study``: ``"mlp"`` for document 002,
    ``"ablations"`` for document 003, ``"collapse"`` for document 000); the command line with the
    same settings writes the same ``OUTPUT/mnist_gans/STUDY`` folder. ``result.table`` is
    the report's first table.""")
