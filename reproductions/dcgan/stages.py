"""The DCGAN collapse study's stages: training with per-epoch collapse metrics, then the report.

The Stacked-MNIST benchmark's stages are in :mod:`reproductions.dcgan.stacked`.
"""

from __future__ import annotations

import numpy as np

from mitlgan.artifacts import CHECKPOINT_DIR, HISTORY_FILE, SAMPLES_DIR
from reproductions.dcgan.claims import decide_claims
from reproductions.dcgan.config import SPRITES_FULL, TRAIN_STAGE
from reproductions.runner import keras_verbosity, say


def _images(context) -> np.ndarray:
    """float32 (N, 64, 64, 3) in [-1, 1], each image followed by its mirror image."""

    def load():
        config = context.settings
        if config.images is None:
            from mitlgan.data import composite, make_sprites

            sprite, mask = make_sprites(config.n_images or SPRITES_FULL, 64, config.seed)
            images = composite(sprite, mask, -1.0)
        else:
            from mitlgan.data import load_image_array

            images, read = load_image_array(config.images, 64, square="pad",
                                            limit=config.n_images, seed=config.seed,
                                            skip_corrupt=config.skip_corrupt,
                                            verbose=False, return_report=True)
            corrupt = read.skipped_by_reason().get("corrupt", [])
            context.shared["corrupt_files"] = corrupt
            if corrupt:
                say(f"  --skip-corrupt: skipped {len(corrupt)} undecodable file(s), e.g. "
                    f"{corrupt[0]}")
        say(f"  {len(images)} images from {config.images or 'the built-in sprites'}, "
            "each also mirrored (the report's only augmentation)")
        return np.concatenate([images, images[:, :, ::-1]]).astype(np.float32)

    return context.load_once("images", load)


def train_stage(context) -> dict:
    """Train the DCGAN (or resume), tracking collapse after every epoch."""
    import keras

    from mitlgan import BCEGAN
    from mitlgan.metrics.collapse import CollapseCallback
    from mitlgan.metrics.random_features import RandomConvFeatures
    from mitlgan.models import (
        build_dcgan_discriminator,
        build_dcgan_generator,
        build_tutorial_dcgan_discriminator,
        build_tutorial_dcgan_generator,
    )
    from mitlgan.training import export_generator

    config, stage_dir = context.settings, context.stage_dir(TRAIN_STAGE)
    images = _images(context)
    keras.utils.set_random_seed(config.seed)
    with context.strategy_scope():
        if config.network == "tutorial":
            networks = (build_tutorial_dcgan_generator(
                config.latent_dim, features=config.discriminator_channels),
                build_tutorial_dcgan_discriminator(features=config.discriminator_channels))
        else:
            networks = (build_dcgan_generator(config.latent_dim,
                                              base_channels=config.generator_channels),
                        build_dcgan_discriminator(base_channels=config.discriminator_channels,
                                                  first_batchnorm=config.first_batchnorm))
        gan = BCEGAN(*networks, generator_loss=config.generator_loss, seed=config.seed)
        gan.compile()  # Adam(2e-4, beta_1=0.5) for both, carpedm20's setting
    features = RandomConvFeatures((64, 64, 3), seed=config.seed)
    real = images[np.random.default_rng(config.seed).choice(
        len(images), min(config.collapse_samples, len(images)), replace=False)]
    tracker = CollapseCallback(features, features(real), config.collapse_samples,
                               seed=config.seed, fraction=config.collapse_fraction,
                               backbone=features.backbone,
                               history_csv=stage_dir / HISTORY_FILE)
    result = context.train(gan, images, batch_size=config.batch_size, epochs=config.epochs,
                           checkpoint_dir=stage_dir / CHECKPOINT_DIR, every=5, keep=2,
                           sample_dir=stage_dir / SAMPLES_DIR, num_samples=25, sample_seed=config.seed,
                           history_csv=stage_dir / HISTORY_FILE, seed=config.seed,
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
    """The claims (``claims.json``), then the figures and ``report.md``."""
    from reproductions.dcgan.report import write_report

    claims = decide_claims(context)
    write_report(context)
    return {"claims": [[c, v] for c, v, _ in claims]}
