"""``--benchmark stacked-mnist``: the DCGAN on Stacked MNIST, modes counted as the papers do.

Stages: ``judge`` (the MNIST judge, and the count on real stacked digits that checks
it), ``train`` (the DCGAN at 32x32 with the modes counted after every epoch) and
``report`` (the count next to the published DCGAN rows, and the protocol differences).
"""

from __future__ import annotations

import numpy as np

from mitlgan.artifacts import CHECKPOINT_DIR, HISTORY_FILE, SAMPLES_DIR
from reproductions.dcgan.config import JUDGE_STAGE, TRAIN_STAGE
from reproductions.runner import Stage, keras_verbosity, say


def _mnist(context):
    def load():
        from mitlgan.data import load_mnist

        data = load_mnist("auto")
        say(f"  MNIST source: {data.description}")
        return data

    return context.load_once("mnist", load)


def _judge(context):
    def load():
        from mitlgan.metrics.judge import Judge

        return Judge.trained(_mnist(context), context.stage_dir(JUDGE_STAGE),
                             epochs=context.settings.judge_epochs, seed=context.settings.seed)

    return context.load_once("judge", load)


def _classify(judge):
    return lambda images: judge.model.predict(np.asarray(images, np.float32), batch_size=1000,
                                              verbose=0)


def _to_unit_range(images) -> np.ndarray:
    return images.astype(np.float32) / 127.5 - 1.0


def judge_stage(context) -> dict:
    """Train the judge; count the modes of real stacked test digits to check it."""
    from mitlgan.data.stacked_mnist import make_stacked_mnist
    from mitlgan.metrics.stacked_mnist import mode_statistics, stacked_modes

    config, judge, data = context.settings, _judge(context), _mnist(context)
    say(f"  {judge.description}")
    stacks, true_modes = make_stacked_mnist(data.test_images, data.test_labels,
                                            config.mode_samples, seed=config.seed + 1)
    counted = stacked_modes(_classify(judge), _to_unit_range(stacks))
    real = mode_statistics(counted)
    real["mode_accuracy"] = float(np.mean(counted == true_modes))
    truth = mode_statistics(true_modes)
    say(f"  real stacked test digits: {real['modes_covered']} modes, KL {real['kl_to_uniform']:.3f} "
        f"(true labels: {truth['modes_covered']}, KL {truth['kl_to_uniform']:.3f}); all three "
        f"digits right for {real['mode_accuracy']:.1%}")
    return {"judge": judge.description, "real": real, "real_true_labels": truth}


def train_stage(context) -> dict:
    """Train the DCGAN on Stacked MNIST (or resume), counting modes after every epoch."""
    import keras

    from mitlgan import BCEGAN
    from mitlgan.data.stacked_mnist import make_stacked_mnist, pad_digits
    from mitlgan.metrics.stacked_callback import StackedModesCallback
    from mitlgan.models import build_dcgan_discriminator, build_dcgan_generator
    from mitlgan.training import export_generator

    config, stage_dir, data = context.settings, context.stage_dir(TRAIN_STAGE), _mnist(context)
    stacks, _ = make_stacked_mnist(data.train_images, data.train_labels, config.n_images,
                                   seed=config.seed)
    images = pad_digits(_to_unit_range(stacks), config.image_size)
    say(f"  {len(images)} stacked training images at {config.image_size}x"
        f"{config.image_size} from {len(data.train_images)} training digits")
    keras.utils.set_random_seed(config.seed)
    size = config.image_size
    with context.strategy_scope():
        gan = BCEGAN(build_dcgan_generator(config.latent_dim, image_size=size,
                                           base_channels=config.generator_channels),
                     build_dcgan_discriminator(image_size=size,
                                               base_channels=config.discriminator_channels),
                     generator_loss=config.generator_loss, seed=config.seed)
        gan.compile()
    counter = StackedModesCallback(_classify(_judge(context)), config.mode_samples,
                                   seed=config.seed)
    result = context.train(gan, images, batch_size=config.batch_size, epochs=config.epochs,
                           checkpoint_dir=stage_dir / CHECKPOINT_DIR, every=1, keep=2,
                           sample_dir=stage_dir / SAMPLES_DIR, num_samples=64, sample_seed=config.seed,
                           history_csv=stage_dir / HISTORY_FILE, seed=config.seed,
                           callbacks=[counter], verbose=keras_verbosity(),
                           tensorboard_dir=context.tensorboard_dir(stage_dir))
    export_generator(gan, stage_dir)  # generator.keras and generator_savedmodel/
    last = counter.results[-1] if counter.results else None
    if last:
        say(f"  epoch {last['epoch']}: {last['modes_covered']} modes of 1,000, KL "
            f"{last['kl_to_uniform']:.3f} ({config.mode_samples} samples)")
    return {"epochs": result.epochs, "train_steps": int(gan.train_steps)}


def report_stage(context) -> dict:
    """Figure and report.md."""
    from reproductions.dcgan.stacked_report import write_stacked_report

    return write_stacked_report(context)


STACKED_STAGES = (
    Stage(JUDGE_STAGE, "the MNIST judge, checked on real stacked digits", judge_stage),
    Stage(TRAIN_STAGE, "the DCGAN on Stacked MNIST, modes counted every epoch", train_stage),
    Stage("report", "modes and KL next to the published DCGAN rows", report_stage),
)
