"""Presets of the DCGAN reproduction (document 001).

The full preset is the report's: its DCGAN tables at 64x64, batch 64, 50 epochs (its
grids are at epochs 1, 25, 35 and 50), Adam(2e-4, 0.5) from carpedm20/DCGAN-tensorflow.
The quick preset keeps the structure with every width divided by 8 (generator from
4x4x64, discriminator from 8 channels), so 50 epochs of 1,024 sprites fit a CPU.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reproductions.runner import Settings, UsageError
from reproductions.runner.arguments import add_positive_int_flags

PRESETS = ("full", "hour", "quick")
REPORT_EPOCHS = (1, 25, 35, 50)  # the report's sample grids
PRESET_VALUES = {
    "full": {"epochs": 50, "batch_size": 64, "n_images": None, "generator_channels": 512,
             "discriminator_channels": 64},
    # the report's 50 epochs in an hour on a 2-core CPU: widths / 4, 2,048 sprites
    "hour": {"epochs": 50, "batch_size": 64, "n_images": 2048, "generator_channels": 128,
             "discriminator_channels": 16},
    "quick": {"epochs": 50, "batch_size": 64, "n_images": 1024, "generator_channels": 64,
              "discriminator_channels": 8},
}
SPRITES_FULL = 8000  # built-in sprites made for the full preset
LATENT_DIM = 100
COLLAPSE_SAMPLES = 500  # generated and real samples behind each epoch's metrics
COLLAPSE_FRACTION = 0.5


def build_config(preset: str, overrides: dict) -> dict:
    """The preset with the flags that were given (None: not given)."""
    config = {"preset": preset, **PRESET_VALUES[preset], "latent_dim": LATENT_DIM,
              "collapse_samples": COLLAPSE_SAMPLES, "collapse_fraction": COLLAPSE_FRACTION}
    config.update({k: v for k, v in overrides.items() if v is not None})
    return config


TRAIN_STAGE = "train"  # the DCGAN's training stage (collapse study and benchmark)
JUDGE_STAGE = "judge"  # the benchmark's MNIST judge


STACKED_IMAGE_SIZE = 32  # the DCGAN doubles from 4x4; the 28x28 digits are padded by 2 a side


STACKED_PRESETS = {
    # the papers' budget (PacGAN's VEEGAN setting): 128,000 stacked images, 50 epochs
    "full": {"epochs": 50, "batch_size": 64, "n_images": 128_000, "generator_channels": 512,
             "discriminator_channels": 64},
    # minutes on a CPU: narrow networks, 5 epochs of 16,000
    "quick": {"epochs": 5, "batch_size": 64, "n_images": 16_000, "generator_channels": 64,
              "discriminator_channels": 16},
}


JUDGE_EPOCHS = 15


STACKED_MNIST = "stacked-mnist"


def build_stacked_config(preset: str, overrides: dict) -> dict:
    """The benchmark's preset with the given flags (None: not given)."""
    from mitlgan.metrics.stacked_mnist import STACKED_MNIST_SAMPLES

    config = {"benchmark": STACKED_MNIST, "preset": preset, **STACKED_PRESETS[preset],
              "latent_dim": LATENT_DIM, "image_size": STACKED_IMAGE_SIZE, "judge_epochs": JUDGE_EPOCHS,
              "mode_samples": STACKED_MNIST_SAMPLES}
    config.update({k: v for k, v in overrides.items() if v is not None})
    return config


DISCRIMINATORS = ("report", "template")
#: report: document 001's DCGAN; tutorial: the PyTorch DCGAN tutorial's, with which
#: document 000 generated CelebA faces (its defaults: batch 128, 5 epochs, Adam 2e-4 / 0.5)
NETWORKS = ("report", "tutorial")
TUTORIAL_BATCH, TUTORIAL_EPOCHS = 128, 5


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
    run.add_argument("--network", choices=NETWORKS, default="report",
                     help="report: document 001's DCGAN (default); tutorial: the PyTorch DCGAN "
                          "tutorial's (document 000's CelebA faces: --dataset celeba --images "
                          "DIR; its width is --discriminator-channels, 64 at --preset full)")
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
    if args.network == "tutorial":  # only then a key: earlier runs' config.json stays theirs
        if args.discriminator != "report":
            raise UsageError("--discriminator belongs to document 001's network; the "
                             "tutorial's has no BatchNorm on its first convolution anyway.")
        config["network"] = "tutorial"
        config["first_batchnorm"] = False
        config["batch_size"] = args.batch_size or TUTORIAL_BATCH
        if preset == "full" and args.epochs is None:
            config["epochs"] = TUTORIAL_EPOCHS
        config["generator_channels"] = 8 * config["discriminator_channels"]
    return config


@dataclasses.dataclass(frozen=True, kw_only=True)
class DcganSettings(Settings):
    """The DCGAN study's settings, or the Stacked-MNIST benchmark's (``context.settings``;
    :func:`configure` makes them).

    Attributes:
        dataset: "sprites" (built in) or a folder's name (``images``); benchmark:
            "stacked-mnist" or None.
        network: "report" (document 001's DCGAN) or "tutorial" (the PyTorch DCGAN
            tutorial's, document 000's CelebA faces; its width f is
            ``discriminator_channels``, the generator's first 8f).
        images: the folder of images, or None (the sprites).
        skip_corrupt: skip undecodable files of ``images`` (counted in the report).
        epochs, batch_size, n_images: training (n_images: sprites made, or a cap).
        generator_channels, discriminator_channels: the first widths (report: 512 / 64).
        first_batchnorm: BatchNorm on the discriminator's first convolution (the
            report's table; the template has none there).
        generator_loss: "non_saturating" (carpedm20's code) or "minimax".
        latent_dim, image_size: the DCGAN's.
        collapse_samples, collapse_fraction: the per-epoch collapse metrics' samples and
            threshold (coverage or diversity below this share of its best so far).
        mode_samples, judge_epochs: the Stacked-MNIST benchmark's mode count and judge.
    """

    dataset: str = "sprites"
    network: str = "report"
    benchmark: str | None = None
    images: str | None = None
    skip_corrupt: bool = False
    epochs: int
    batch_size: int
    n_images: int | None = None
    generator_channels: int
    discriminator_channels: int
    first_batchnorm: bool = True
    generator_loss: str = "non_saturating"
    latent_dim: int = LATENT_DIM
    image_size: int = 64  # Stacked MNIST: STACKED_IMAGE_SIZE
    collapse_samples: int = COLLAPSE_SAMPLES
    collapse_fraction: float = COLLAPSE_FRACTION
    mode_samples: int | None = None
    judge_epochs: int | None = None
