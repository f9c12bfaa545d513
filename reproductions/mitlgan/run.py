"""Run the MITLGAN experiment stage by stage, resuming whatever an earlier run left.

Layout of ``OUTPUT/DATASET/``::

    config.json                 the resolved configuration (a resumed run must match it)
    wgan_combined/              one folder per training stage:
        checkpoints/              every --checkpoint-every epochs (atomic writes)
        samples/epoch_NNNN.png    a grid from fixed noise after every epoch
        history.csv               per-epoch losses
        generator.keras           the final generator
        generator_savedmodel/     the same, as a TF SavedModel
        done.json                 written last: the stage is finished
    wgan_background/  wgan_foreground/  mitlgan/
    evaluation/                 real statistics, per-model results, figures
    fid.csv  report.md
"""

from __future__ import annotations

from pathlib import Path

from reproductions import _runner
from reproductions._runner import Reproduction, Stage, UsageError, keras_verbosity, say
from reproductions.mitlgan.cli import CONFIG_FLAGS, DESCRIPTION, PRESET_HELP, add_arguments
from reproductions.mitlgan.config import (
    PART_EPOCHS_RULE,
    PRESETS,
    STAGE_PART,
    STAGES,
    build_config,
)

GENERATOR_FILE = "generator.keras"
SAVEDMODEL_DIR = "generator_savedmodel"
STAGE_TITLES = {
    "wgan_combined": "WGAN-GP on the combined images (the baseline)",
    "wgan_background": "WGAN-GP on the backgrounds (a MITLGAN part)",
    "wgan_foreground": "WGAN-GP on the foregrounds (a MITLGAN part)",
    "mitlgan": "MITLGAN: both part generators frozen, head trained on the combined images",
    "evaluation": "FID/KID, figures and report",
}
#: generator name inside the MITLGAN for each part stage (names must differ)
PART_GENERATOR_NAMES = {"wgan_foreground": "foreground_generator",
                        "wgan_background": "background_generator"}


# ---------------------------------------------------------------------- configuration


def _overrides(args) -> dict:
    return {flag: getattr(args, flag) for flag in CONFIG_FLAGS if flag != "seed"}


def _check_models(config: dict) -> None:
    """Build the models once so that impossible sizes fail before any folder exists."""
    from mitlgan.models import build_mitlgan_generator

    try:
        foreground = _build_generator(config, "foreground_generator")
        background = _build_generator(config, "background_generator")
        _build_critic(config)
        build_mitlgan_generator(foreground, background, filters=config["head_filters"],
                                num_blocks=config["num_blocks"],
                                output_activation=config["output_activation"])
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
    _check_models(config)

    from mitlgan.metrics import WeightsUnavailableError, check_backbone_available

    try:
        check_backbone_available(args.backbone, args.weights_path)
    except WeightsUnavailableError as err:
        raise UsageError(
            f"The FID backbone {args.backbone!r} cannot be used, so the run stops before "
            f"training.\n{err}\nOn the command line, give the file with --weights-path FILE "
            "(or copy it into the Keras cache as above). For an offline smoke test whose FIDs "
            "compare with nothing, add --backbone random."
        ) from err
    return config


# ---------------------------------------------------------------------- models


def _build_generator(config, name):
    from mitlgan.models import build_wgan_generator

    return build_wgan_generator(config["latent_dim"], config["image_size"], name=name)


def _build_critic(config):
    from mitlgan.models import build_wgan_critic

    return build_wgan_critic(config["image_size"], channels=tuple(config["critic_channels"]))


def _stage_seed(config, stage):
    return config["seed"] * 1000 + STAGES.index(stage)


def _load_generator(run_dir, stage):
    import keras

    return keras.saving.load_model(run_dir / stage / GENERATOR_FILE)


# ---------------------------------------------------------------------- stages


def _parts(context):
    """The dataset's foreground/background/combined arrays, loaded once per process."""

    def load():
        from mitlgan.data import load_parts

        config = context.config
        say(f"Loading dataset {config['dataset']!r} at {config['image_size']}x"
            f"{config['image_size']} ...")
        parts = load_parts(config["dataset"], context.args.data_root,
                           image_size=config["image_size"], n=config["n_images"],
                           seed=config["seed"])
        say("  " + ", ".join(f"{k}: {len(v)} images" for k, v in parts.items()))
        return parts

    return context.load_once("parts", load)


def train_stage(stage: str, context) -> dict:
    """Train (or resume) one WGAN-GP stage and export its generator; returns done.json."""
    import keras

    from mitlgan import WGANGP
    from mitlgan.gans import dtype_policy
    from mitlgan.models import build_mitlgan_generator
    from mitlgan.training import export_generator, train

    config, run_dir = context.config, context.run_dir
    images = _parts(context)[STAGE_PART[stage]]
    stage_dir = context.stage_dir(stage)
    seed = _stage_seed(config, stage)
    keras.utils.set_random_seed(seed)
    with dtype_policy(config["precision"]):
        if stage == "mitlgan":
            foreground = _load_generator(run_dir, "wgan_foreground")
            background = _load_generator(run_dir, "wgan_background")
            generator = build_mitlgan_generator(
                foreground, background, filters=config["head_filters"],
                num_blocks=config["num_blocks"], output_activation=config["output_activation"],
            )
        else:
            name = PART_GENERATOR_NAMES.get(stage, "combined_generator")
            generator = _build_generator(config, name)
        critic = _build_critic(config)
    gan = WGANGP(generator, critic, n_critic=config["n_critic"], gp_weight=config["gp_weight"],
                 real_batches=config["batch_regime"], seed=seed)
    lr = config["learning_rate"]
    gan.compile(
        g_optimizer=keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.9),
        d_optimizer=keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.9),
    )
    epochs = config["mitlgan_epochs"] if stage == "mitlgan" else (
        config["wgan_epochs"] if stage == "wgan_combined" else config["part_epochs"])
    result = train(
        gan, images, batch_size=config["batch_size"], epochs=epochs,
        checkpoint_dir=stage_dir / "checkpoints", every=config["checkpoint_every"],
        sample_dir=stage_dir / "samples", history_csv=stage_dir / "history.csv",
        seed=seed, verbose=keras_verbosity(),
    )
    if result.resumed_from is not None:
        say(f"  resumed from {result.resumed_from} (epoch {result.initial_epoch})")
    export_generator(generator, stage_dir, keras_filename=GENERATOR_FILE,
                     saved_model_dirname=SAVEDMODEL_DIR)
    return {"epochs": result.epochs, "train_steps": gan.train_steps, "images": int(len(images))}


def evaluation_stage(context) -> dict:
    """FID/KID of every generator, the figures, ``fid.csv`` and ``report.md``."""
    from reproductions.mitlgan.evaluate import evaluate_and_report

    return evaluate_and_report(context.config, context.run_dir, _parts(context),
                               context.args.weights_path, context.environment())


def _training(stage):
    return lambda context: train_stage(stage, context)


def _on_start(context) -> None:
    say(f"Part-WGAN epochs: {context.config['part_epochs']} ({PART_EPOCHS_RULE}).")
    if context.config["backbone"] == "random":
        say("WARNING: --backbone random is an untrained network; its FID/KID numbers are "
            "labelled as such and compare with nothing.")


REPRODUCTION = Reproduction(
    prog="python -m reproductions.mitlgan",
    description=DESCRIPTION,
    stages=tuple(Stage(name, STAGE_TITLES[name],
                       evaluation_stage if name == "evaluation" else _training(name))
                 for name in STAGES),
    configure=configure,
    add_arguments=add_arguments,
    presets=PRESETS,
    gpu_preset="thesis",
    cpu_preset="quick",
    preset_help=PRESET_HELP,
    run_folder=lambda args: Path(args.output) / args.dataset,
    on_start=_on_start,
)


def prepare(argv=None):
    """Parse and validate everything; touch no file. Returns (args, config, run_dir)."""
    return _runner.prepare(REPRODUCTION, argv)


def main(argv=None) -> int:
    """Entry point; returns the process exit code (2 for bad input)."""
    return _runner.main(REPRODUCTION, argv)
