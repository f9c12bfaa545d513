"""The stages of the three MNIST studies (the judge stage is in ``training.py``)."""

from __future__ import annotations

import numpy as np

from mitlgan.artifacts import GENERATOR_FILE
from reproductions.mnist_gans.config import (
    INTERPOLATION_STAGE,
    JUDGE_STAGE,
    TRAIN_STAGE,
    VARIANTS,
    ablation_stage_name,
    variant_epochs,
    variant_spec,
)
from reproductions.mnist_gans.training import judge_stage, train_gan
from reproductions.runner import Stage, say, seeded_repeats

INTERPOLATION_PAIRS = 4
INTERPOLATION_STEPS = 9  # document 002: two end points and 7 steps between them


def single_gan_stage(context) -> dict:
    """Train the MLP GAN (documents 000 and 002), judging fixed samples after every epoch."""
    config = context.settings
    result = train_gan(context, context.stage_dir(TRAIN_STAGE), None, seed=config.seed,
                       epochs=config.epochs, per_epoch_judge=True)
    scores = result["scores"]
    say(f"  final: {scores['classes_covered']} classes, KL to uniform "
        f"{scores['kl_to_uniform']:.3f}, judge-feature FD {scores['feature_fd']:.2f}, "
        f"{result['seconds_per_epoch']:.1f} s/epoch")
    return {"epochs": result["epochs"], "seconds_per_epoch": result["seconds_per_epoch"]}


def interpolation_stage(context) -> dict:
    """Document 002's interpolation: 9 images between pairs of latents, linear and spherical."""
    import keras

    from mitlgan.interpolation import interpolate_images
    from reproductions.mnist_gans.report import interpolation_figure

    generator = keras.saving.load_model(context.stage_dir(TRAIN_STAGE) / GENERATOR_FILE)
    rng = np.random.default_rng(context.settings.seed)
    dim = context.settings.latent_dim
    rows = {"linear": [], "spherical": []}
    for _ in range(INTERPOLATION_PAIRS):
        z0, z1 = rng.standard_normal(dim), rng.standard_normal(dim)
        for method in rows:
            rows[method].append(interpolate_images(generator, z0, z1, INTERPOLATION_STEPS, method))
    path = context.stage_dir(INTERPOLATION_STAGE) / "interpolation.png"
    interpolation_figure(rows, path)
    say(f"  wrote {path}")
    return {"pairs": INTERPOLATION_PAIRS, "steps": INTERPOLATION_STEPS}


def ablation_stage(name: str):
    """A stage training variant ``name`` once per seed (finished seeds are read back)."""

    def run(context) -> dict:
        config = context.settings
        epochs = variant_epochs(name, config.epochs)

        def train(folder, seed):
            return train_gan(context, folder, variant_spec(name), seed=seed, epochs=epochs,
                             per_epoch_judge=False)

        def progress(index, seed, result, earlier):
            scores = result["scores"]
            say(f"  seed {seed}: judge-feature FD {scores['feature_fd']:.2f}, "
                f"{scores['classes_covered']} classes, {result['seconds_per_epoch']:.2f} s/epoch")

        runs = seeded_repeats(context.stage_dir(ablation_stage_name(name)), config.seeds,
                              config.seed, train, progress)
        return {"epochs": epochs, "seeds": len(runs)}

    return run


def report_stage(context) -> dict:
    """The claims (``claims.json``), then the figures, tables and ``report.md``."""
    from reproductions.mnist_gans.claims import decide_claims
    from reproductions.mnist_gans.report import write_report

    claims = decide_claims(context)
    write_report(context)
    return {"claims": [[c, v] for c, v, _ in claims]}


def study_stages(study: str) -> tuple[Stage, ...]:
    """The ordered stages of ``study``; the last writes ``report.md``."""

    judge = Stage(JUDGE_STAGE, "train the MNIST judge (the CNN classifier of document 000)",
                  judge_stage)
    report = Stage("report", "figures, tables and report.md", report_stage)
    if study == "ablations":
        return (judge, *(Stage(ablation_stage_name(name), f"FC GAN, {what}", ablation_stage(name))
                         for name, (what, _) in VARIANTS.items()), report)
    train = Stage(TRAIN_STAGE, "the MLP GAN of PyTorch-GAN's gan.py, judged every epoch",
                  single_gan_stage)
    if study == "mlp":
        return (judge, train, Stage(INTERPOLATION_STAGE, "latent interpolation, 9 images per pair",
                                    interpolation_stage), report)
    return (judge, train, report)
