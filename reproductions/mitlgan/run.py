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

import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

from reproductions.mitlgan.cli import CONFIG_FLAGS, build_parser
from reproductions.mitlgan.config import (
    PART_EPOCHS_RULE,
    STAGE_PART,
    STAGES,
    TRAINING_STAGES,
    build_config,
    config_differences,
    resolve_preset,
    write_json_atomic,
)

DONE_FILE = "done.json"
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


class UsageError(Exception):
    """Bad input found before anything was written; the message says what to do."""


def say(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------- preparation


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


def prepare(argv=None):
    """Parse and validate everything; touch no file. Returns (args, config, run_dir)."""
    args = build_parser().parse_args(argv)
    from mitlgan.data import DatasetNotPreparedError, UnknownDatasetError, check_dataset

    try:
        check_dataset(args.dataset, args.data_root)
    except (UnknownDatasetError, DatasetNotPreparedError) as err:
        raise UsageError(str(err)) from err

    preset, reason = resolve_preset(args.preset)
    say(f"Preset: {preset} ({reason}).")
    config = build_config(args.dataset, preset, _overrides(args))
    config["seed"] = args.seed
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

    run_dir = Path(args.output) / args.dataset
    config_path = run_dir / "config.json"
    if config_path.exists() and not args.restart:
        saved = json.loads(config_path.read_text())
        differences = config_differences(saved, config)
        if differences:
            raise UsageError(
                f"{run_dir} holds a run with a different configuration:\n  "
                + "\n  ".join(differences)
                + "\nResuming would mix the two. Use another --output, give the same "
                "settings as before, or add --restart to delete that run and start over."
            )
    elif run_dir.exists() and any(run_dir.iterdir()) and not config_path.exists() and not args.restart:
        raise UsageError(
            f"{run_dir} exists and is not a run of this program (no config.json). Choose "
            "another --output, or add --restart to delete its contents."
        )
    return args, config, run_dir


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


def is_done(run_dir, stage) -> bool:
    return (run_dir / stage / DONE_FILE).is_file()


# ---------------------------------------------------------------------- stages


def train_stage(stage, config, run_dir, parts):
    """Train (or resume) one WGAN-GP stage and export its generator."""
    import keras

    from mitlgan import WGANGP
    from mitlgan.gans import dtype_policy
    from mitlgan.models import build_mitlgan_generator
    from mitlgan.training import export_generator, train

    stage_dir = run_dir / stage
    stage_dir.mkdir(parents=True, exist_ok=True)
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
    images = parts[STAGE_PART[stage]]
    started = time.perf_counter()
    result = train(
        gan, images, batch_size=config["batch_size"], epochs=epochs,
        checkpoint_dir=stage_dir / "checkpoints", every=config["checkpoint_every"],
        sample_dir=stage_dir / "samples", history_csv=stage_dir / "history.csv",
        seed=seed, verbose=2 if os.environ.get("CI") else "auto",
    )
    if result.resumed_from is not None:
        say(f"  resumed from {result.resumed_from} (epoch {result.initial_epoch})")
    export_generator(generator, stage_dir, keras_filename=GENERATOR_FILE,
                     saved_model_dirname=SAVEDMODEL_DIR)
    write_json_atomic(stage_dir / DONE_FILE, {
        "epochs": result.epochs, "train_steps": gan.train_steps, "images": int(len(images)),
        "seconds_this_run": round(time.perf_counter() - started, 1),
    })


def run(args, config, run_dir) -> int:
    if args.restart and run_dir.exists():
        say(f"--restart: deleting {run_dir}")
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    config_path = run_dir / "config.json"
    if not config_path.exists():
        write_json_atomic(config_path, config)
    say(f"Run folder: {run_dir}")
    say(f"Part-WGAN epochs: {config['part_epochs']} ({PART_EPOCHS_RULE}).")
    if args.backbone == "random":
        say("WARNING: --backbone random is an untrained network; its FID/KID numbers are "
            "labelled as such and compare with nothing.")

    parts = None
    for index, stage in enumerate(STAGES, start=1):
        header = f"[{index}/{len(STAGES)}] {stage}: {STAGE_TITLES[stage]}"
        if is_done(run_dir, stage):
            say(f"{header} -- done earlier, skipped")
        else:
            say(header)
            if stage in TRAINING_STAGES:
                if parts is None:
                    parts = _load_parts(args, config)
                train_stage(stage, config, run_dir, parts)
            else:
                if parts is None:
                    parts = _load_parts(args, config)
                from reproductions.mitlgan.evaluate import evaluate_and_report

                evaluate_and_report(config, run_dir, parts, args.weights_path, environment())
        if args.until == stage:
            say(f"Stopped after {stage} (--until). Run the same command without --until to go on.")
            return 0
    say(f"Finished. Report: {run_dir / 'report.md'}")
    return 0


def _load_parts(args, config):
    from mitlgan.data import load_parts

    say(f"Loading dataset {args.dataset!r} at {config['image_size']}x{config['image_size']} ...")
    parts = load_parts(args.dataset, args.data_root, image_size=config["image_size"],
                       n=config["n_images"], seed=config["seed"])
    say("  " + ", ".join(f"{k}: {len(v)} images" for k, v in parts.items()))
    return parts


def environment() -> dict:
    import keras
    import tensorflow as tf

    import mitlgan

    return {
        "mitlgan": mitlgan.__version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "python": platform.python_version(),
        "devices": ", ".join(d.device_type for d in tf.config.list_physical_devices()) or "CPU",
    }


def main(argv=None) -> int:
    """Entry point; returns the process exit code (2 for bad input)."""
    try:
        args, config, run_dir = prepare(argv)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return run(args, config, run_dir)
