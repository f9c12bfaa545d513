"""Run one MNIST study stage by stage on the shared runner, resuming an interrupted run.

Layout of ``OUTPUT/mnist_gans/STUDY/``: ``config.json``, ``run.log``, ``judge/``
(the judge, ``judge.keras`` and its test accuracy), one folder per training stage
(checkpoints, ``history.csv``, sample grids, ``generator.keras``, ``result.json``),
the figures and ``report.md``.
"""

from __future__ import annotations

from pathlib import Path

from reproductions.mnist_gans.config import PRESETS, STUDIES, build_config
from reproductions.mnist_gans.stages import study_stages
from reproductions.runner.arguments import add_positive_int_flags
from reproductions.runner.engine import Reproduction
from reproductions.runner.entry import entry_points
from reproductions.runner.errors import UsageError

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
OVERRIDES = ("epochs", "batch_size", "n_images", "seeds", "judge_epochs")


def add_arguments(parser, run) -> None:
    """The MNIST flags (the runner adds --preset, --output, --seed, --restart, --until)."""
    run.add_argument("--study", choices=STUDIES, default="mlp",
                     help="which report's experiment (default: mlp)")
    run.add_argument("--mnist-source", choices=("auto", "keras", "embedded"), default="auto",
                     help="keras: the full MNIST (downloaded once); embedded: the 10,000 "
                          "digits shipped with mitlgan; auto (default): keras if it can be "
                          "had, else embedded, said in the report")
    add_positive_int_flags(parser.add_argument_group("training (override the preset)"), {
        "--seeds": "runs per ablation variant (mean ± sd over them)",
        "--epochs": "epochs (ablations: the base model's; the epoch variants scale it)",
        "--batch-size": None,
        "--n-images": "training digits (the first N of the train split)",
        "--judge-epochs": None,
    })


def configure(args, preset: str) -> dict:
    """The study's configuration; refuses what cannot work before any file is written."""
    config = build_config(args.study, preset, {k: getattr(args, k) for k in OVERRIDES})
    config["mnist_source"] = args.mnist_source
    if config["n_images"] is not None and config["n_images"] < config["batch_size"]:
        raise UsageError(f"--n-images {config['n_images']} is smaller than one batch "
                         f"(--batch-size {config['batch_size']}).")
    return config


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
    )


prepare, main, reproduce = entry_points(
    reproduction_for, chosen_by=("--study", STUDIES, "mlp"), defaults={"study": "mlp"},
    doc="""Run or resume one MNIST GAN study (``study``: ``"mlp"`` for document 002,
    ``"ablations"`` for document 003, ``"collapse"`` for document 000); the command line with the
    same settings writes the same ``OUTPUT/mnist_gans/STUDY`` folder. ``result.table`` is
    the report's first table.""")
