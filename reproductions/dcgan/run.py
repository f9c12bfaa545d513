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

import numpy as np

from mitlgan.artifacts import CHECKPOINT_DIR, HISTORY_FILE, SAMPLES_DIR
from reproductions.dcgan.config import PRESETS, SPRITES_FULL, TRAIN_STAGE, build_config
from reproductions.dcgan.stacked import (
    STACKED_MNIST,
    STACKED_PRESETS,
    STACKED_STAGES,
    build_stacked_config,
)
from reproductions.runner.arguments import add_positive_int_flags
from reproductions.runner.engine import Reproduction, Stage, keras_verbosity, say
from reproductions.runner.entry import entry_points
from reproductions.runner.errors import UsageError

DESCRIPTION = ("Reproduce document 001's DCGAN at 64x64 and measure its mode collapse: precision, "
               "recall, density, coverage and diversity after every epoch, collapsed epochs "
               "flagged, grids at the report's epochs. --benchmark stacked-mnist counts the "
               "modes of a DCGAN on Stacked MNIST instead. Running the same command again "
               "resumes.")
DISCRIMINATORS = ("report", "template")
OVERRIDES = ("epochs", "batch_size", "n_images", "generator_channels", "discriminator_channels")


def add_arguments(parser, run) -> None:
    """The DCGAN flags (the runner adds --preset, --output, --seed, --restart, --until)."""
    run.add_argument("--dataset", default="sprites",
                     help="sprites (built in: the synthetic scenes' creatures on black) or "
                          "the name of a folder given with --images (e.g. emoji)")
    run.add_argument("--images", default=None,
                     help="a folder of images to train on instead of the built-in sprites "
                          "(see datasets/emoji.md)")
    run.add_argument("--skip-corrupt", action="store_true",
                     help="with --images: skip files that cannot be decoded (counted in "
                          "the report) instead of stopping at the first")
    run.add_argument("--benchmark", choices=(STACKED_MNIST,), default=None,
                     help="stacked-mnist: train the DCGAN on Stacked MNIST (1,000 modes) and "
                          "count the modes it covers, as the Unrolled GAN / VEEGAN / PacGAN "
                          "papers do")
    run.add_argument("--discriminator", choices=DISCRIMINATORS, default="report",
                     help="report: BatchNorm on the first convolution, as the report's table "
                          "(default); template: none there, as DCGAN and carpedm20 (a "
                          "separate run folder, DATASET-template)")
    run.add_argument("--generator-loss", choices=("non_saturating", "minimax"),
                     default="non_saturating",
                     help="non_saturating: carpedm20's code (default); minimax: the formula "
                          "the report writes")
    add_positive_int_flags(parser.add_argument_group("training (override the preset)"), {
        "--epochs": None, "--batch-size": None,
        "--n-images": "training images (sprites: how many to make; folders: a cap)",
        "--generator-channels": "the generator's first width (report: 512)",
        "--discriminator-channels": "the discriminator's first width (report: 64)",
        "--mode-samples": "stacked-mnist: samples per mode count (papers: 26,000)",
        "--judge-epochs": "stacked-mnist: epochs of the MNIST judge (default 15)",
    })


def configure(args, preset: str) -> dict:
    """The configuration; a missing image folder is refused before anything is written."""
    overrides = {k: getattr(args, k) for k in OVERRIDES}
    if args.benchmark == STACKED_MNIST:
        if preset not in STACKED_PRESETS:
            raise UsageError(f"--benchmark stacked-mnist has no {preset} preset; give --preset "
                             f"{' or --preset '.join(STACKED_PRESETS)}.")
        if args.images is not None or args.dataset != "sprites":
            raise UsageError("--benchmark stacked-mnist makes its own data from MNIST; leave "
                             "out --dataset and --images.")
        config = build_stacked_config(preset, {**overrides, "mode_samples": args.mode_samples,
                                               "judge_epochs": args.judge_epochs})
        config["generator_loss"] = args.generator_loss
        if config["n_images"] < config["batch_size"]:
            raise UsageError(f"--n-images {config['n_images']} is smaller than one batch.")
        return config
    for flag in ("mode_samples", "judge_epochs"):
        if getattr(args, flag) is not None:
            raise UsageError(f"--{flag.replace('_', '-')} belongs to --benchmark stacked-mnist.")
    config = build_config(preset, overrides)
    config.update(dataset=args.dataset, generator_loss=args.generator_loss,
                  first_batchnorm=args.discriminator == "report",
                  skip_corrupt=args.skip_corrupt,
                  images=str(Path(args.images).resolve()) if args.images else None)
    if args.images is None and args.dataset != "sprites":
        raise UsageError(f"--dataset {args.dataset} needs --images DIR (a folder of its images); "
                         "the only built-in dataset is sprites.")
    if args.images is not None and not Path(args.images).is_dir():
        raise UsageError(f"--images {args.images} is not a folder. Prepare one as "
                         "datasets/emoji.md describes, or leave --images out for the sprites.")
    return config


def _images(context) -> np.ndarray:
    """float32 (N, 64, 64, 3) in [-1, 1], each image followed by its mirror image."""

    def load():
        config = context.config
        if config["images"] is None:
            from mitlgan.data import composite, make_sprites

            sprite, mask = make_sprites(config["n_images"] or SPRITES_FULL, 64, config["seed"])
            images = composite(sprite, mask, -1.0)
        else:
            from mitlgan.data import load_image_array

            images, read = load_image_array(config["images"], 64, square="pad",
                                            limit=config["n_images"], seed=config["seed"],
                                            skip_corrupt=config.get("skip_corrupt", False),
                                            verbose=False, return_report=True)
            corrupt = read.skipped_by_reason().get("corrupt", [])
            context.shared["corrupt_files"] = corrupt
            if corrupt:
                say(f"  --skip-corrupt: skipped {len(corrupt)} undecodable file(s), e.g. "
                    f"{corrupt[0]}")
        say(f"  {len(images)} images from {config['images'] or 'the built-in sprites'}, "
            "each also mirrored (the report's only augmentation)")
        return np.concatenate([images, images[:, :, ::-1]]).astype(np.float32)

    return context.load_once("images", load)


def train_stage(context) -> dict:
    """Train the DCGAN (or resume), tracking collapse after every epoch."""
    import keras

    from mitlgan import BCEGAN
    from mitlgan.metrics.collapse import CollapseCallback
    from mitlgan.metrics.random_features import RandomConvFeatures
    from mitlgan.models import build_dcgan_discriminator, build_dcgan_generator
    from mitlgan.training import export_generator

    config, stage_dir = context.config, context.stage_dir(TRAIN_STAGE)
    images = _images(context)
    keras.utils.set_random_seed(config["seed"])
    with context.strategy_scope():
        gan = BCEGAN(build_dcgan_generator(config["latent_dim"],
                                           base_channels=config["generator_channels"]),
                     build_dcgan_discriminator(base_channels=config["discriminator_channels"],
                                               first_batchnorm=config.get("first_batchnorm",
                                                                          True)),
                     generator_loss=config["generator_loss"], seed=config["seed"])
        gan.compile()  # Adam(2e-4, beta_1=0.5) for both, carpedm20's setting
    features = RandomConvFeatures((64, 64, 3), seed=config["seed"])
    real = images[np.random.default_rng(config["seed"]).choice(
        len(images), min(config["collapse_samples"], len(images)), replace=False)]
    tracker = CollapseCallback(features, features(real), config["collapse_samples"],
                               seed=config["seed"], fraction=config["collapse_fraction"],
                               backbone=features.backbone,
                               history_csv=stage_dir / HISTORY_FILE)
    result = context.train(gan, images, batch_size=config["batch_size"], epochs=config["epochs"],
                   checkpoint_dir=stage_dir / CHECKPOINT_DIR, every=5, keep=2,
                   sample_dir=stage_dir / SAMPLES_DIR, num_samples=25, sample_seed=config["seed"],
                   history_csv=stage_dir / HISTORY_FILE, seed=config["seed"],
                   callbacks=[tracker], verbose=keras_verbosity(),
                   tensorboard_dir=context.tensorboard_dir(stage_dir))
    if result.resumed_from is not None:
        say(f"  resumed from {result.resumed_from} (epoch {result.initial_epoch}); the collapse "
            "threshold's best-so-far was read back from history.csv")
    export_generator(gan, stage_dir)  # generator.keras and generator_savedmodel/
    return {"epochs": result.epochs, "backbone": features.backbone,
            "train_steps": gan.train_steps, "images": int(len(images)),
            "corrupt_files_skipped": len(context.shared.get("corrupt_files", []))}


def report_stage(context) -> dict:
    """Figures and report.md."""
    from reproductions.dcgan.report import write_report

    return write_report(context)


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
                                              else f"-{args.discriminator}")),
    )


prepare, main, reproduce = entry_points(
    reproduction_for, chosen_by=("--benchmark", (STACKED_MNIST,), None),
    defaults={"dataset": "sprites", "benchmark": None},
    doc="""Run or resume the DCGAN collapse study (``dataset``: ``"sprites"`` built in, or a
    name with ``images=DIR``), or ``benchmark="stacked-mnist"`` (modes covered of 1,000);
    the command line with the same settings writes the same folder (``OUTPUT/dcgan/DATASET``
    or ``OUTPUT/dcgan/stacked-mnist``). ``result.table`` is the claims table (with
    stacked-mnist the modes table).""")
