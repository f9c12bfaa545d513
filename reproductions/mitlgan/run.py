"""Run the MITLGAN experiment stage by stage, resuming whatever an earlier run left.

Layout of ``OUTPUT/DATASET/``::

    config.json                 the resolved configuration (a resumed run must match it)
    judge/                      the scene judge (synthetic scenes) and the curves' real
                                statistics
    wgan_combined/              one folder per training stage:
        checkpoints/              every --checkpoint-every epochs (atomic writes)
        samples/epoch_NNNN.png    a grid from fixed noise after every epoch
        history.csv               per-epoch losses; FID, KID, precision, recall, density
                                  and coverage every --eval-every epochs
        generator.keras           the final generator
        generator_savedmodel/     the same, as a TF SavedModel
        done.json                 written last: steps, FLOPs per step; the stage is finished
    wgan_background/  wgan_foreground/  mitlgan/  mitlgan_corrected/
    evaluation/                 real statistics, per-model results, figures
    fid.csv  report.md
"""

from __future__ import annotations

import warnings
from pathlib import Path

from mitlgan.artifacts import CHECKPOINT_DIR, GENERATOR_FILE, HISTORY_FILE, SAMPLES_DIR
from reproductions.mitlgan.cli import CONFIG_FLAGS, DESCRIPTION, PRESET_HELP, add_arguments
from reproductions.mitlgan.config import (
    JUDGE_ONLY,
    PART_EPOCHS_RULE,
    PRESETS,
    STAGE_PART,
    STAGES,
    VARIANTS,
    build_config,
)
from reproductions.mitlgan.models import (
    COMBINED_GENERATOR_NAME,
    PART_GENERATOR_NAMES,
    build_critic,
    build_generator,
    build_head,
)
from reproductions.runner.engine import Reproduction, Stage, keras_verbosity, say
from reproductions.runner.entry import entry_points
from reproductions.runner.errors import UsageError
from reproductions.runner.repeats import stage_seed

STAGE_TITLES = {
    "judge": "scene judge (synthetic scenes) and the real statistics of the curves",
    "wgan_combined": "WGAN-GP on the combined images (the baseline)",
    "wgan_background": "WGAN-GP on the backgrounds (a MITLGAN part)",
    "wgan_foreground": "WGAN-GP on the foregrounds (a MITLGAN part)",
    "mitlgan": "MITLGAN, thesis head (IN+ReLU output): both parts frozen, head trained",
    "mitlgan_corrected": "MITLGAN, corrected head (tanh output) on the same frozen parts",
    "evaluation": "FID/KID, figures and report",
}


# ---------------------------------------------------------------------- configuration


def _overrides(args) -> dict:
    return {flag: getattr(args, flag) for flag in CONFIG_FLAGS if flag != "seed"}


def _check_models(config: dict) -> None:
    """Build the models once so that impossible sizes fail before any folder exists."""
    try:
        foreground = build_generator(config, PART_GENERATOR_NAMES["wgan_foreground"])
        background = build_generator(config, PART_GENERATOR_NAMES["wgan_background"])
        build_critic(config)
        for variant in config["variants"]:
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
    _check_models(config)
    config["backbone"], config["backbone_fallback"] = _choose_backbone(args, preset)
    return config


def _choose_backbone(args, preset: str) -> tuple[str, str | None]:
    """(backbone, why it replaces the one asked for, or None).

    Without the ImageNet weights, the quick preset goes on when the user did not insist
    on them: the synthetic scenes with the scene judge alone, a real set with the
    untrained backbone. The thesis preset and an explicit ``--backbone keras-imagenet``
    stop before training.
    """
    from mitlgan.metrics import WeightsUnavailableError, check_backbone_available

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
    if args.dataset == "synthetic":
        return JUDGE_ONLY, ("the Keras ImageNet InceptionV3 weights cannot be had offline, so "
                            "every score comes from the scene judge alone")
    return "random", ("the Keras ImageNet InceptionV3 weights cannot be had offline, so every "
                      "FID/KID comes from an untrained InceptionV3 and compares with nothing")


# ---------------------------------------------------------------------- models


def _load_generator(run_dir, stage):
    import keras

    return keras.saving.load_model(run_dir / stage / GENERATOR_FILE)


# ---------------------------------------------------------------------- stages


def _parts(context):
    """The dataset's foreground/background/combined images, loaded once per process: as
    arrays, or (``--stream``, or a real dataset past the size threshold) as
    ``ImageFiles`` read from disk as training needs them. Both give the same batches, so
    the choice is not part of the configuration."""

    def load():
        from mitlgan.data import load_parts, stream_parts
        from mitlgan.data.stream import STREAM_THRESHOLD_BYTES

        config = context.config
        size = config["image_size"]
        options = dict(image_size=size, n=config["n_images"], seed=config["seed"])
        streamed = None
        if config["dataset"] != "synthetic":
            streamed = stream_parts(config["dataset"], context.args.data_root, **options)
            total = sum(files.float32_bytes for files in streamed.values())
            if not context.args.stream and total <= STREAM_THRESHOLD_BYTES:
                streamed = None
            else:
                why = "--stream" if context.args.stream else (
                    f"more than {STREAM_THRESHOLD_BYTES / 2**30:.0f} GiB")
                say(f"Streaming dataset {config['dataset']!r} from disk at {size}x{size} "
                    f"({total / 2**30:.2f} GiB as float32; {why})")
        if streamed is not None and context.args.stream_cache:
            cache = Path(context.args.stream_cache)
            say(f"  decoding each part once into {cache} (reused by later runs)")
            streamed = {part: files.cached(cache / files.cache_name(f"{config['dataset']}-{part}"))
                        for part, files in streamed.items()}
        if streamed is not None:
            parts = streamed
        else:
            say(f"Loading dataset {config['dataset']!r} at {size}x{size} ...")
            parts = load_parts(config["dataset"], context.args.data_root,
                               skip_corrupt=context.args.skip_corrupt, **options)
        say("  " + ", ".join(f"{k}: {len(v)} images" for k, v in parts.items()))
        return parts

    return context.load_once("parts", load)


def train_stage(stage: str, context) -> dict:
    """Train (or resume) one WGAN-GP stage and export its generator; returns done.json
    (epochs, generator updates, FLOPs per update counted from the built models)."""
    import keras

    from mitlgan import WGANGP
    from mitlgan.flops import wgan_gp_step_flops
    from mitlgan.gans import dtype_policy
    from mitlgan.metrics import SmallSampleWarning
    from mitlgan.metrics.fid_callback import FIDCallback
    from mitlgan.training import export_generator

    config, run_dir = context.config, context.run_dir
    variant = next((v for v, (s, _) in VARIANTS.items() if s == stage), None)
    if variant is not None and variant not in config["variants"]:
        say(f"  skipped: --variants {','.join(config['variants'])} does not include {variant}")
        return {"skipped": True}
    images = _parts(context)[STAGE_PART[stage]]
    stage_dir = context.stage_dir(stage)
    seed = stage_seed(config["seed"], STAGES.index(stage))
    keras.utils.set_random_seed(seed)
    with context.strategy_scope(), dtype_policy(config["precision"]):
        if variant is not None:
            foreground = _load_generator(run_dir, "wgan_foreground")
            background = _load_generator(run_dir, "wgan_background")
            generator = build_head(config, variant, foreground, background)
        else:
            name = PART_GENERATOR_NAMES.get(stage, COMBINED_GENERATOR_NAME)
            generator = build_generator(config, name)
        critic = build_critic(config)
        gan = WGANGP(generator, critic, n_critic=config["n_critic"],
                     gp_weight=config["gp_weight"], real_batches=config["batch_regime"], seed=seed)
        lr = config["learning_rate"]
        gan.compile(
            g_optimizer=keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.9),
            d_optimizer=keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.9),
        )
    epochs = config["mitlgan_epochs"] if variant is not None else (
        config["wgan_epochs"] if stage == "wgan_combined" else config["part_epochs"])
    curves = FIDCallback(_curve_evaluator(context, STAGE_PART[stage]), config["eval_every"],
                         n=config["curve_n"], seed=config["seed"], manifold=True, verbose=0)
    with warnings.catch_warnings():
        # The curves compare only with each other (equal N); the report says so once.
        warnings.simplefilter("ignore", SmallSampleWarning)
        result = context.train(
            gan, images, batch_size=config["batch_size"], epochs=epochs,
            checkpoint_dir=stage_dir / CHECKPOINT_DIR, every=config["checkpoint_every"],
            sample_dir=stage_dir / SAMPLES_DIR, history_csv=stage_dir / HISTORY_FILE,
            seed=seed, verbose=keras_verbosity(), callbacks=[curves],
            tensorboard_dir=context.tensorboard_dir(stage_dir),
        )
    if result.resumed_from is not None:
        say(f"  resumed from {result.resumed_from} (epoch {result.initial_epoch})")
    export_generator(generator, stage_dir)  # generator.keras and generator_savedmodel/
    return {"epochs": result.epochs, "train_steps": gan.train_steps, "images": int(len(images)),
            "step_flops": wgan_gp_step_flops(generator, critic, config["batch_size"],
                                             config["n_critic"])}


def _curve_features(context):
    """The curves' feature network: the scene judge on the synthetic scenes, else the
    run's FID backbone (loaded once per process)."""

    def load():
        if context.config["dataset"] == "synthetic":
            return _scene_judge(context).features()
        from mitlgan.metrics import InceptionFeatures

        return InceptionFeatures(backbone=context.config["backbone"],
                                 input_size=context.config["fid_input_size"],
                                 weights_path=context.args.weights_path, verbose=0)

    return context.load_once("curve_features", load)


def _curve_evaluator(context, part: str):
    """FID/KID of ``curve_n`` samples against the real ``part`` images, real statistics
    cached in ``judge/``."""
    from mitlgan.metrics import FrechetInceptionDistance

    config = context.config
    n_real = len(_parts(context)[part])
    return FrechetInceptionDistance(
        _parts(context)[part], cache_path=context.stage_dir("judge") / f"curve_real_{part}.npz",
        n=config["curve_n"], features=_curve_features(context),
        kid_subset_size=min(1000, config["curve_n"], n_real), seed=config["seed"],
        real_source=f"{config['dataset']}/{part}", verbose=0)


def _scene_judge(context):
    """The scene judge of the synthetic scenes, trained once (cached in ``judge/``)."""
    from mitlgan.metrics.scene_judge import SceneJudge

    config = context.config
    return context.load_once("scene_judge", lambda: SceneJudge.trained(
        context.stage_dir("judge"), config["image_size"], n_per_part=config["judge_images"],
        epochs=config["judge_epochs"], seed=config["seed"], verbose=keras_verbosity()))


def judge_stage(context) -> dict:
    """Train the scene judge (synthetic scenes) and compute the curves' real statistics."""
    config = context.config
    payload = {}
    if config["dataset"] == "synthetic":
        judge = _scene_judge(context)
        say(f"  {judge.description}")
        payload = {"judge": judge.backbone_id, "accuracy": judge.accuracy,
                   "mask_iou": judge.mask_iou}
    else:
        say("  no scene judge for a real dataset (no factor labels or masks): the curves "
            f"use the {config['backbone']} backbone")
    for part in sorted(set(STAGE_PART.values())):
        _curve_evaluator(context, part).real_statistics  # noqa: B018 (computes and caches)
    return payload


def evaluation_stage(context) -> dict:
    """FID/KID of every generator, the figures, ``fid.csv`` and ``report.md``."""
    from reproductions.mitlgan.evaluate import evaluate_and_report

    judge = _scene_judge(context) if context.config["dataset"] == "synthetic" else None
    return evaluate_and_report(context, context.config, context.run_dir, _parts(context),
                               context.args.weights_path, context.environment(), judge)


def _training(stage):
    return lambda context: train_stage(stage, context)


def _stage_function(name):
    return {"judge": judge_stage, "evaluation": evaluation_stage}.get(name) or _training(name)


def _on_start(context) -> None:
    config = context.config
    rule = f" ({PART_EPOCHS_RULE})" if config["preset"] == "thesis" else ""
    say(f"Epochs: WGAN {config['wgan_epochs']}, each part WGAN {config['part_epochs']}{rule}, "
        f"each MITLGAN head {config['mitlgan_epochs']}; heads: {', '.join(config['variants'])}.")
    if config["backbone_fallback"]:
        say("!" * 78 + f"\nWARNING (offline fallback): {config['backbone_fallback']}. Every "
            "number this run writes is labelled so.\n" + "!" * 78)
    elif config["backbone"] == "random":
        say("WARNING: --backbone random is an untrained network; its FID/KID numbers are "
            "labelled as such and compare with nothing.")


REPRODUCTION = Reproduction(
    prog="python -m reproductions.mitlgan",
    description=DESCRIPTION,
    stages=tuple(Stage(name, STAGE_TITLES[name], _stage_function(name)) for name in STAGES),
    configure=configure,
    add_arguments=add_arguments,
    presets=PRESETS,
    gpu_preset="thesis",
    cpu_preset="quick",
    preset_help=PRESET_HELP,
    run_folder=lambda args: Path(args.output) / args.dataset,
    on_start=_on_start,
)


prepare, main, reproduce = entry_points(
    REPRODUCTION, defaults={"dataset": "synthetic"}, headline="fid",
    doc="""Run or resume the MITLGAN experiment (``dataset``: ``"synthetic"`` built in, or a
    prepared dataset such as ``"pokemon"``); ``python -m reproductions.mitlgan`` with the
    same settings writes the same ``OUTPUT/DATASET`` folder. ``result.table`` is
    ``fid.csv``: FID/KID per model.""")
