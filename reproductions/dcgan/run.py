"""Train document 001's DCGAN with collapse tracking, then write the report; resumes.

Layout of ``OUTPUT/dcgan/DATASET/``: ``config.json``, ``run.log``, ``train/``
(checkpoints, ``history.csv`` with the losses and the per-epoch precision, recall,
density, coverage, diversity and collapse flag, sample grids, ``generator.keras`` and ``generator_savedmodel/``),
``collapse.png``, ``grids.png`` and ``report.md``.

``--benchmark stacked-mnist`` runs the Stacked-MNIST mode count instead
(``reproductions/dcgan/stacked.py``), in ``OUTPUT/dcgan/stacked-mnist/``.
"""

from __future__ import annotations

from pathlib import Path

from reproductions.dcgan.config import (
    PRESETS,
    STACKED_MNIST,
    TRAIN_STAGE,
    DcganSettings,
    add_arguments,
    configure,
)
from reproductions.dcgan.stacked import STACKED_STAGES
from reproductions.dcgan.stages import report_stage, train_stage
from reproductions.runner import Reproduction, Stage, entry_points

DESCRIPTION = ("Reproduce document 001's DCGAN at 64x64 and measure its mode collapse: precision, "
               "recall, density, coverage and diversity after every epoch, collapsed epochs "
               "flagged, grids at the report's epochs. --benchmark stacked-mnist counts the "
               "modes of a DCGAN on Stacked MNIST instead. Running the same command again "
               "resumes.")


PRESET_HELP = ("full: the report's DCGAN (stacked-mnist: the papers' budget); hour: the "
               "report's 50 epochs at widths / 4 (collapse study only); quick: widths / 8, "
               "minutes on a CPU; auto (default): full on a GPU, quick otherwise")
MAIN_STAGES = (
    Stage(TRAIN_STAGE, "the DCGAN, with precision/recall/density/coverage every epoch", train_stage),
    Stage("report", "collapse figure, grids and report.md", report_stage),
)


def reproduction_for(benchmark: str | None) -> Reproduction:
    """The runner's view of the collapse study, or of ``--benchmark`` (its stages differ)."""
    return Reproduction(
        prog="python -m reproductions.dcgan",
        description=DESCRIPTION,
        stages=STACKED_STAGES if benchmark == STACKED_MNIST else MAIN_STAGES,
        configure=configure,
        add_arguments=add_arguments,
        presets=PRESETS,
        preset_help=PRESET_HELP,
        run_folder=lambda args: Path(args.output) / "dcgan" / (
            args.benchmark or args.dataset + ("" if args.discriminator == "report"
                                              else f"-{args.discriminator}")
            + ("-tutorial" if args.network == "tutorial" else "")),
        settings=DcganSettings,
    )


prepare, main, reproduce = entry_points(
    reproduction_for, chosen_by=("--benchmark", (STACKED_MNIST,), None),
    defaults={"dataset": "sprites", "benchmark": None},
    doc="""Run or resume the DCGAN collapse study (``dataset``: ``"sprites"`` built in, or a
    name with ``images=DIR``), or ``benchmark="stacked-mnist"`` (modes covered of 1,000);
    the command line with the same settings writes the same folder (``OUTPUT/dcgan/DATASET``
    or ``OUTPUT/dcgan/stacked-mnist``). ``result.table`` is the claims table (with
    stacked-mnist the modes table).""")
