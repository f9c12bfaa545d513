"""Command line of the MITLGAN reproduction: argument parsing and validation.

Everything here runs before the output folder is touched, so bad input never
leaves a half-written run behind.
"""

from __future__ import annotations

import argparse

from reproductions.mitlgan.config import (
    BACKBONE_CHOICES,
    BATCH_REGIME_CHOICES,
    PRECISION_CHOICES,
    VARIANTS,
)
from reproductions.runner.arguments import choice_list, int_list, non_negative_float, positive_int

PRESET_HELP = ("thesis: 128x128, latent 1536, batch 32, n_critic 5, thesis epochs; "
               "hour: the quick models trained about 6x longer, within an hour on a "
               "2-core CPU; quick: small models that finish in minutes on a CPU; "
               "auto (default): thesis on a GPU, quick otherwise")
DESCRIPTION = (
    "Reproduce the MITLGAN thesis experiment: WGAN-GP on combined, background and "
    "foreground images, a MITLGAN from the two frozen part generators, then FID/KID, "
    "sample grids and loss curves in OUTPUT/DATASET/report.md. Running the same "
    "command again resumes an interrupted run."
)


def add_arguments(parser: argparse.ArgumentParser, run: argparse._ArgumentGroup) -> None:
    """Add the MITLGAN flags to the runner's parser (``--preset``, ``--output``,
    ``--seed``, ``--restart`` and ``--until`` come from the runner)."""
    run.add_argument("--dataset", default="synthetic",
                     help="dataset name: synthetic (built in, offline), pokemon, anime, faces")
    run.add_argument("--data-root", default=None,
                     help="folder holding prepared datasets as ROOT/NAME/{foreground,background,combined}/ "
                          "(default: $MITLGAN_DATA_ROOT or ./data)")
    run.add_argument("--skip-corrupt", action="store_true",
                     help="a prepared dataset: skip image files that cannot be decoded (each "
                          "part's count is printed) instead of stopping at the first")

    model = parser.add_argument_group("models (override the preset)")
    model.add_argument("--image-size", type=positive_int("--image-size"))
    model.add_argument("--latent-dim", type=positive_int("--latent-dim"))
    model.add_argument("--critic-channels", type=int_list("--critic-channels", "48,96,192,384"))
    model.add_argument("--head-filters", type=positive_int("--head-filters"))
    model.add_argument("--num-blocks", type=positive_int("--num-blocks"))
    model.add_argument("--variants", type=choice_list("--variants", tuple(VARIANTS)),
                       help="MITLGAN heads trained on the same frozen parts: thesis = the "
                            "thesis's IN+ReLU output (never below the middle of [-1, 1]); "
                            "corrected = a tanh output (default: thesis,corrected for quick, "
                            "thesis for the thesis preset)")

    train = parser.add_argument_group("training (override the preset)")
    train.add_argument("--epochs", type=positive_int("--epochs"),
                       help="epochs of every training stage (sets the three below)")
    train.add_argument("--wgan-epochs", type=positive_int("--wgan-epochs"),
                       help="epochs of the WGAN on the combined images")
    train.add_argument("--part-epochs", type=positive_int("--part-epochs"),
                       help="epochs of the foreground and background WGANs")
    train.add_argument("--mitlgan-epochs", type=positive_int("--mitlgan-epochs"))
    train.add_argument("--batch-size", type=positive_int("--batch-size"))
    train.add_argument("--n-critic", type=positive_int("--n-critic"))
    train.add_argument("--gp-weight", type=non_negative_float("--gp-weight"))
    train.add_argument("--batch-regime", choices=BATCH_REGIME_CHOICES,
                       help="reused: one real batch for all n_critic critic updates (the thesis; an "
                            "epoch is N/B generator updates); fresh: a new real batch for every "
                            "critic update (Algorithm 1; an epoch is N/(n_critic*B) generator updates)")
    train.add_argument("--learning-rate", type=non_negative_float("--learning-rate"))
    train.add_argument("--n-images", type=positive_int("--n-images"),
                       help="images per part (synthetic: how many to make; real: a cap)")
    train.add_argument("--checkpoint-every", type=positive_int("--checkpoint-every"))
    train.add_argument("--precision", choices=PRECISION_CHOICES)
    train.add_argument("--stream", action="store_true",
                       help="read a real dataset's images from disk as training needs them "
                            "instead of holding them in memory (automatic past 2 GiB as "
                            "float32; same batches either way)")
    train.add_argument("--stream-cache", default=None, metavar="DIR",
                       help="with streaming: decode each part once into a uint8 file in DIR "
                            "(local disk) and read it memory-mapped afterwards")

    evaluation = parser.add_argument_group("evaluation")
    evaluation.add_argument("--backbone", choices=BACKBONE_CHOICES, default=None,
                            help="FID network: keras-imagenet (default; the thesis's Keras "
                                 "InceptionV3 ImageNet weights) or random (untrained; numbers "
                                 "comparable to nothing). Without the weights, --preset quick "
                                 "goes on with the scene judge (synthetic) or random (real "
                                 "data), saying so; --preset thesis stops")
    evaluation.add_argument("--weights-path", default=None,
                            help="local InceptionV3 no-top weights file for --backbone keras-imagenet")
    evaluation.add_argument("--fid-n", type=positive_int("--fid-n"),
                            help="generated images per FID/KID (FIDs compare only at equal N)")
    evaluation.add_argument("--eval-every", type=positive_int("--eval-every"),
                            help="score every training stage every K epochs (the curves)")
    evaluation.add_argument("--curve-n", type=positive_int("--curve-n"),
                            help="generated images per point of the curves")
    evaluation.add_argument("--judge-images", type=positive_int("--judge-images"),
                            help="scenes per part the scene judge trains on (synthetic only)")
    evaluation.add_argument("--judge-epochs", type=positive_int("--judge-epochs"))
    evaluation.add_argument("--fid-input-size", type=positive_int("--fid-input-size"),
                            help="side the images are resized to for InceptionV3 (299 is standard)")


#: flags whose values belong to the configuration (compared on resume)
CONFIG_FLAGS = (
    "image_size", "latent_dim", "critic_channels", "head_filters", "num_blocks",
    "variants", "epochs", "wgan_epochs", "part_epochs", "mitlgan_epochs",
    "batch_size", "n_critic", "gp_weight", "batch_regime", "learning_rate", "n_images",
    "checkpoint_every", "precision", "fid_n", "fid_input_size", "eval_every", "curve_n", "judge_images",
    "judge_epochs", "seed",
)
