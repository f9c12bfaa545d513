"""Run one zi2zi study on the shared runner, resuming an interrupted run.

Layout of ``OUTPUT/zi2zi/STUDY/``: ``config.json``, ``run.log``, ``data/`` (the split
and the identity baseline), ``classifier/`` (the glyph classifier), one folder per
variant with ``seed_K/`` (checkpoints, ``history.csv``, ``generator.keras`` and ``generator_savedmodel/``,
``result.json``), the grids and ``report.md``. Seeds: :mod:`reproductions.runner.repeats`.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from reproductions.runner import Reproduction, Stage, entry_points
from reproductions.zi2zi.config import (
    DEFAULT_STUDY,
    PRESETS,
    STUDIES,
    Zi2ZiSettings,
    add_arguments,
    configure,
    study_variants,
)

DESCRIPTION = (
    "Reproduce document 000's zi2zi font style transfer at 64x64 and score it on held-out "
    "characters against the true target glyphs (L1, SSIM, a glyph classifier's accuracy). "
    "--study picks the report's experiment. Running the same command again resumes.")


def reproduction_for(study: str) -> Reproduction:
    """The runner's view of one study (its variant stages differ)."""
    from reproductions.zi2zi.config import CLASSIFIER_STAGE, DATA_STAGE
    from reproductions.zi2zi.stages import (
        classifier_stage,
        data_stage,
        report_stage,
        variant_stage,
    )

    # variant names do not depend on the configuration, so the stage list is known early
    names = study_variants(study, SimpleNamespace(epochs=1, train_chars_available=3))
    stages = (Stage(DATA_STAGE, "glyph pairs, the held-out split and the identity baseline",
                    data_stage),
              Stage(CLASSIFIER_STAGE, "the glyph classifier on the real target fonts",
                    classifier_stage),
              *(Stage(name, f"zi2zi, {name}", variant_stage(study, name)) for name in names),
              Stage("report", "grids, tables and the report's claims", report_stage))
    return Reproduction(
        prog="python -m reproductions.zi2zi", description=DESCRIPTION, stages=stages,
        configure=configure, add_arguments=add_arguments, presets=PRESETS,
        preset_help="full: zi2zi's 100 epochs, every character, 3 seeds; hour: the "
                    "report's port's 6,400 generator updates on every character, 1 seed "
                    "(--study samples fits an hour on 2 CPU cores, the other studies 2-4 "
                    "hours); quick: a reduced charset, minutes on a CPU; auto (default): "
                    "full on a GPU, quick otherwise",
        run_folder=lambda args: Path(args.output) / "zi2zi" / args.study,
        settings=Zi2ZiSettings,
    )


prepare, main, reproduce = entry_points(
    reproduction_for, chosen_by=("--study", STUDIES, DEFAULT_STUDY),
    defaults={"study": DEFAULT_STUDY},
    doc="""Run or resume one zi2zi study (``study``: ``"style"``, ``"l1"``, ``"epochs"``, ``"samples"``,
    ``"sources"`` or ``"depth"``); the command line with the same settings writes the same
    ``OUTPUT/zi2zi/STUDY`` folder. ``result.table`` is the held-out L1, SSIM and accuracy
    per variant.""")
