"""Studies, presets and the ablation variants of the MNIST GAN reproduction.

Three studies, one per document:

- ``mlp`` (document 002, Part 2): PyTorch-GAN's MLP GAN, 25-image grids at the start,
  half and end of training, latent interpolation.
- ``ablations`` (document 003): the fully connected GAN and its one-change variants.
- ``collapse`` (document 000, experiment 2): an MNIST GAN whose digits the judge counts
  per epoch, so a collapse onto a few classes shows as it happens.

Where the reports leave a setting open we follow the template they name: PyTorch-GAN's
``gan.py`` for documents 000 and 002 (Adam 2e-4, betas 0.5/0.999, latent 100) and the
"GAN hacks" list for document 003, with the same Adam settings.
"""

from __future__ import annotations

import dataclasses

from reproductions.runner import Settings, UsageError
from reproductions.runner.arguments import add_positive_int_flags

STUDIES = ("mlp", "ablations", "collapse")
PRESETS = ("full", "hour", "quick")

#: Per study and preset: epochs, batch size, training images (None: the whole train
#: split), seeds, and the judge's training epochs.
STUDY_PRESETS = {
    "mlp": {
        "full": {"epochs": 200, "batch_size": 64, "n_images": None, "seeds": 1, "judge_epochs": 15},
        # the report's 200 epochs fit an hour on the 8,000 embedded digits (~15 min)
        "hour": {"epochs": 200, "batch_size": 64, "n_images": None, "seeds": 1, "judge_epochs": 15},
        "quick": {"epochs": 10, "batch_size": 64, "n_images": None, "seeds": 1, "judge_epochs": 15},
    },
    "collapse": {
        # Document 000's figure shows epochs 1, 10 and 99 of 99.
        "full": {"epochs": 99, "batch_size": 64, "n_images": None, "seeds": 1, "judge_epochs": 15},
        # the report's 99 epochs fit an hour on the 8,000 embedded digits (~6 min)
        "hour": {"epochs": 99, "batch_size": 64, "n_images": None, "seeds": 1, "judge_epochs": 15},
        "quick": {"epochs": 12, "batch_size": 64, "n_images": None, "seeds": 1, "judge_epochs": 15},
    },
    "ablations": {
        # Document 003: batch 128, "number of epochs of training is 30 most of the time".
        "full": {"epochs": 30, "batch_size": 128, "n_images": None, "seeds": 3, "judge_epochs": 15},
        # 16 variants x 3 seeds at the report's batch 128 on the 8,000 embedded digits:
        # 10 base epochs (620 updates; the 50/100/300-epoch variants 17/33/100) fit an
        # hour, against the report's 30 epochs of 60,000 (about 14,000 updates)
        "hour": {"epochs": 10, "batch_size": 128, "n_images": None, "seeds": 3, "judge_epochs": 15},
        # 16 variants x 2 seeds in 10 minutes on 2 CPU cores: about 190 updates per base
        # run, at batch 64 (more updates for the same arithmetic than batch 128).
        "quick": {"epochs": 3, "batch_size": 64, "n_images": 4000, "seeds": 2, "judge_epochs": 15},
    },
}

#: Document 003's base model; every variant changes one thing (``epochs_scale`` multiplies
#: the preset's epochs, so 50/100/300 epochs in the full preset are 5/3, 10/3 and 10
#: times its 30).
BASE_VARIANT = {
    "g_widths": [128, 256, 512, 1024],
    "d_widths": [1024, 512, 256, 128],
    "g_dropout": 0.0,
    "d_dropout": 0.0,
    "g_batchnorm": False,
    "conv_filters": None,
    "d_optimizer": "adam",
    "data_range": [-1.0, 1.0],
    "noise": "normal",
    "epochs_scale": 1.0,
}

#: name -> (what changes from the base, the change)
VARIANTS = {
    "base": ("the base model", {}),
    "fixed_128": ("every layer 128 units", {"g_widths": [128] * 4, "d_widths": [128] * 4}),
    "g_dropout_0.4": ("dropout 0.4 in the generator", {"g_dropout": 0.4}),
    "d_dropout_0.3": ("dropout 0.3 in the discriminator", {"d_dropout": 0.3}),
    "d_dropout_0.4": ("dropout 0.4 in the discriminator", {"d_dropout": 0.4}),
    "d_dropout_0.5": ("dropout 0.5 in the discriminator", {"d_dropout": 0.5}),
    "sgd_d": ("SGD for the discriminator", {"d_optimizer": "sgd"}),
    # document 003's "original data": MNIST as loaded, 0-255, against the same in [-1, 1]
    "data_0_255": ("data as loaded (0-255) instead of [-1, 1]", {"data_range": [0.0, 255.0]}),
    "g_batchnorm": ("BatchNorm in the generator", {"g_batchnorm": True}),
    "uniform_noise": ("uniform instead of Gaussian noise", {"noise": "uniform"}),
    "conv_8_16_32": ("convolutional generator, 8/16/32 filters", {"conv_filters": [8, 16, 32]}),
    "conv_16_32_64": ("convolutional generator, 16/32/64 filters", {"conv_filters": [16, 32, 64]}),
    "conv_8_16_32_long": ("convolutional generator, 8/16/32 filters, 100/30 the epochs",
                          {"conv_filters": [8, 16, 32], "epochs_scale": 10 / 3}),
    "epochs_50": ("50/30 the epochs", {"epochs_scale": 5 / 3}),
    "epochs_100": ("100/30 the epochs", {"epochs_scale": 10 / 3}),
    "epochs_300": ("300/30 the epochs", {"epochs_scale": 10.0}),
}

MLP_SETTINGS = {"latent_dim": 100, "batchnorm_epsilon": 0.8, "learning_rate": 2e-4,
                "beta_1": 0.5, "beta_2": 0.999, "generator_loss": "non_saturating"}
FC_LATENT_DIM = 100  # document 003 gives none; its template's usual value
SGD_LEARNING_RATE = 0.01  # GAN hacks names SGD for D without a rate; Keras's default
JUDGE_SAMPLES = 1000  # generated digits per judge evaluation


def variant_spec(name: str) -> dict:
    """The base model with variant ``name``'s change applied."""
    return {**BASE_VARIANT, **VARIANTS[name][1]}


def variant_epochs(name: str, base_epochs: int) -> int:
    """Epochs of a variant: the preset's, scaled by its ``epochs_scale``, at least 1."""
    return max(1, round(base_epochs * variant_spec(name)["epochs_scale"]))


def build_config(study: str, preset: str, overrides: dict) -> dict:
    """The study's preset with the flags that were given (None: not given)."""
    config = {"study": study, "preset": preset, **STUDY_PRESETS[study][preset]}
    config.update({k: v for k, v in overrides.items() if v is not None})
    if study in ("mlp", "collapse"):
        config.update(MLP_SETTINGS)
    else:
        config["latent_dim"] = FC_LATENT_DIM
    config["judge_samples"] = JUDGE_SAMPLES
    return config


# ---------------------------------------------------------------------- folder names
JUDGE_STAGE = "judge"
TRAIN_STAGE = "train"
INTERPOLATION_STAGE = "interpolation"
SUMMARY_FILE = "summary.json"  # the ablation study's means and sds per variant


def ablation_stage_name(variant: str) -> str:
    """The stage (folder) of ablation ``variant``."""
    return f"ablation_{variant}"


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


@dataclasses.dataclass(frozen=True, kw_only=True)
class MnistGansSettings(Settings):
    """One MNIST GAN study's settings (``context.settings``; :func:`build_config` and the
    flags make them).

    Attributes:
        study: one of :data:`STUDIES`.
        mnist_source: "auto", "keras" or "embedded".
        epochs, batch_size: training (ablations: the base model's epochs).
        n_images: training digits (None: the whole train split).
        seeds: runs per ablation variant; judge_epochs, judge_samples: the MNIST judge's
            training and the generated digits per evaluation.
        latent_dim: the generators' latent size.
        batchnorm_epsilon, learning_rate, beta_1, beta_2, generator_loss: document 002's
            MLP GAN (the mlp and collapse studies; None in the ablations, whose variants
            set their own).
    """

    study: str
    mnist_source: str = "auto"
    epochs: int
    batch_size: int
    n_images: int | None = None
    seeds: int = 1
    judge_epochs: int
    judge_samples: int
    latent_dim: int
    batchnorm_epsilon: float | None = None
    learning_rate: float | None = None
    beta_1: float | None = None
    beta_2: float | None = None
    generator_loss: str = "non_saturating"
