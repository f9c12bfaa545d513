"""The MITLGAN experiment's stages: the scene judge and the curves' real statistics, five
WGAN-GP trainings (combined, background, foreground, two heads on the frozen parts), and
the evaluation (:mod:`reproductions.mitlgan.evaluate`) that writes the report."""

from __future__ import annotations

import warnings
from pathlib import Path

from mitlgan.artifacts import CHECKPOINT_DIR, GENERATOR_FILE, HISTORY_FILE, SAMPLES_DIR
from reproductions.mitlgan.config import STAGE_PART, STAGES, VARIANTS
from reproductions.mitlgan.models import (
    COMBINED_GENERATOR_NAME,
    PART_GENERATOR_NAMES,
    build_critic,
    build_generator,
    build_head,
)
from reproductions.runner import keras_verbosity, say, stage_seed


def _load_generator(run_dir, stage):
    import keras

    return keras.saving.load_model(run_dir / stage / GENERATOR_FILE)


def _parts(context):
    """The dataset's foreground/background/combined images, loaded once per process: as
    arrays, or (``--stream``, or a real dataset past the size threshold) as
    ``ImageFiles`` read from disk as training needs them. Both give the same batches, so
    the choice is not part of the configuration."""

    def load():
        from mitlgan.data import load_parts, stream_parts
        from mitlgan.data.stream import STREAM_THRESHOLD_BYTES

        config = context.settings
        size = config.image_size
        # --n-images (or the preset's) is an upper bound: a real part with fewer
        # images trains on all it has, said below and counted in the report's tables
        options = dict(image_size=size, n=config.n_images, seed=config.seed, at_most=True)
        streamed = None
        if config.dataset != "synthetic":
            streamed = stream_parts(config.dataset, context.args.data_root, **options)
            total = sum(files.float32_bytes for files in streamed.values())
            if not context.args.stream and total <= STREAM_THRESHOLD_BYTES:
                streamed = None
            else:
                why = "--stream" if context.args.stream else (
                    f"more than {STREAM_THRESHOLD_BYTES / 2**30:.0f} GiB")
                say(f"Streaming dataset {config.dataset!r} from disk at {size}x{size} "
                    f"({total / 2**30:.2f} GiB as float32; {why})")
        if streamed is not None and context.args.stream_cache:
            cache = Path(context.args.stream_cache)
            say(f"  decoding each part once into {cache} (reused by later runs)")
            streamed = {part: files.cached(cache / files.cache_name(f"{config.dataset}-{part}"))
                        for part, files in streamed.items()}
        if streamed is not None:
            parts = streamed
        else:
            say(f"Loading dataset {config.dataset!r} at {size}x{size} ...")
            parts = load_parts(config.dataset, context.args.data_root,
                               skip_corrupt=context.args.skip_corrupt, **options)
        say("  " + ", ".join(f"{k}: {len(v)} images" for k, v in parts.items()))
        short = {k: len(v) for k, v in parts.items() if config.n_images and len(v) < config.n_images}
        if short:
            say(f"  NOTE: {', '.join(f'{k} holds {n}' for k, n in short.items())}, fewer than "
                f"the {config.n_images} images per part the settings ask for (--n-images or "
                "the preset's): training uses every image there is.")
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

    config, run_dir = context.settings, context.run_dir
    variant = next((v for v, (s, _) in VARIANTS.items() if s == stage), None)
    if variant is not None and variant not in config.variants:
        say(f"  skipped: --variants {','.join(config.variants)} does not include {variant}")
        return {"skipped": True}
    images = _parts(context)[STAGE_PART[stage]]
    stage_dir = context.stage_dir(stage)
    seed = stage_seed(config.seed, STAGES.index(stage))
    keras.utils.set_random_seed(seed)
    with context.strategy_scope(), dtype_policy(config.precision):
        if variant is not None:
            foreground = _load_generator(run_dir, "wgan_foreground")
            background = _load_generator(run_dir, "wgan_background")
            generator = build_head(config, variant, foreground, background)
        else:
            name = PART_GENERATOR_NAMES.get(stage, COMBINED_GENERATOR_NAME)
            generator = build_generator(config, name)
        critic = build_critic(config)
        gan = WGANGP(generator, critic, n_critic=config.n_critic,
                     gp_weight=config.gp_weight, real_batches=config.batch_regime, seed=seed)
        lr = config.learning_rate
        gan.compile(
            g_optimizer=keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.9),
            d_optimizer=keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.9),
        )
    epochs = config.mitlgan_epochs if variant is not None else (
        config.wgan_epochs if stage == "wgan_combined" else config.part_epochs)
    curves = FIDCallback(_curve_evaluator(context, STAGE_PART[stage]), config.eval_every,
                         n=config.curve_n, seed=config.seed, manifold=True, verbose=0)
    with warnings.catch_warnings():
        # The curves compare only with each other (equal N); the report says so once.
        warnings.simplefilter("ignore", SmallSampleWarning)
        result = context.train(
            gan, images, batch_size=config.batch_size, epochs=epochs,
            checkpoint_dir=stage_dir / CHECKPOINT_DIR, every=config.checkpoint_every,
            sample_dir=stage_dir / SAMPLES_DIR, history_csv=stage_dir / HISTORY_FILE,
            seed=seed, verbose=keras_verbosity(), callbacks=[curves],
            tensorboard_dir=context.tensorboard_dir(stage_dir),
        )
    if result.resumed_from is not None:
        say(f"  resumed from {result.resumed_from} (epoch {result.initial_epoch})")
    export_generator(generator, stage_dir)  # generator.keras and generator_savedmodel/
    return {"epochs": result.epochs, "train_steps": gan.train_steps, "images": int(len(images)),
            "step_flops": wgan_gp_step_flops(generator, critic, config.batch_size,
                                             config.n_critic)}


def _curve_features(context):
    """The curves' feature network: the scene judge on the synthetic scenes, else the
    run's FID backbone (loaded once per process)."""

    def load():
        if context.settings.dataset == "synthetic":
            return _scene_judge(context).features()
        from mitlgan.metrics import InceptionFeatures

        return InceptionFeatures(backbone=context.settings.backbone,
                                 input_size=context.settings.fid_input_size,
                                 weights_path=context.args.weights_path,
                                 dtype=context.settings.fid_precision, verbose=0)

    return context.load_once("curve_features", load)


def _curve_evaluator(context, part: str):
    """FID/KID of ``curve_n`` samples against the real ``part`` images, real statistics
    cached in ``judge/``."""
    from mitlgan.metrics import FrechetInceptionDistance

    config = context.settings
    n_real = len(_parts(context)[part])
    return FrechetInceptionDistance(
        _parts(context)[part], cache_path=context.stage_dir("judge") / f"curve_real_{part}.npz",
        n=config.curve_n, features=_curve_features(context),
        kid_subset_size=min(1000, config.curve_n, n_real), seed=config.seed,
        real_source=f"{config.dataset}/{part}", verbose=0)


def _scene_judge(context):
    """The scene judge of the synthetic scenes, trained once (cached in ``judge/``)."""
    from mitlgan.metrics.scene_judge import SceneJudge

    config = context.settings
    return context.load_once("scene_judge", lambda: SceneJudge.trained(
        context.stage_dir("judge"), config.image_size, n_per_part=config.judge_images,
        epochs=config.judge_epochs, seed=config.seed, verbose=keras_verbosity()))


def judge_stage(context) -> dict:
    """Train the scene judge (synthetic scenes) and compute the curves' real statistics."""
    config = context.settings
    payload = {}
    if config.dataset == "synthetic":
        judge = _scene_judge(context)
        say(f"  {judge.description}")
        payload = {"judge": judge.backbone_id, "accuracy": judge.accuracy,
                   "mask_iou": judge.mask_iou}
    else:
        say("  no scene judge for a real dataset (no factor labels or masks): the curves "
            f"use the {config.backbone} backbone")
    for part in sorted(set(STAGE_PART.values())):
        _curve_evaluator(context, part).real_statistics  # noqa: B018 (computes and caches)
    return payload


def evaluation_stage(context) -> dict:
    """FID/KID of every generator, the figures, ``fid.csv`` and ``report.md``."""
    from reproductions.mitlgan.evaluate import evaluate_and_report

    judge = _scene_judge(context) if context.settings.dataset == "synthetic" else None
    return evaluate_and_report(context, context.settings, context.run_dir, _parts(context),
                               context.args.weights_path, context.environment(), judge)


def _training(stage):
    return lambda context: train_stage(stage, context)


def stage_function(name):
    return {"judge": judge_stage, "evaluation": evaluation_stage}.get(name) or _training(name)
