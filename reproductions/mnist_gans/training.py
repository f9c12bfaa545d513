"""What the MNIST stages share: the digits, the judge, building and training one GAN."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from mitlgan.artifacts import CHECKPOINT_DIR, HISTORY_FILE, SAMPLES_DIR
from reproductions.mnist_gans.config import JUDGE_STAGE, SGD_LEARNING_RATE
from reproductions.runner import RESULT_FILE, keras_verbosity, run_once, say


def mnist(context):
    """The run's MNIST (:class:`mitlgan.data.MnistData`), loaded once per process."""

    def load():
        from mitlgan.data import load_mnist

        data = load_mnist(context.settings.mnist_source)
        say(f"  MNIST source: {data.description}")
        return data

    return context.load_once("mnist", load)


def training_images(context, data_range=(-1.0, 1.0)) -> np.ndarray:
    """float32 (N, 28, 28, 1) training digits mapped to ``data_range``; the first
    ``n_images`` (all when None)."""
    images = mnist(context).train_images[: context.settings.n_images]
    low, high = data_range
    return (images.astype(np.float32) / 255.0) * (high - low) + low


def judge(context):
    """The trained judge of this run folder (trained by the ``judge`` stage)."""

    def load():
        from mitlgan.metrics.judge import Judge

        return Judge.trained(mnist(context), context.stage_dir(JUDGE_STAGE),
                             epochs=context.settings.judge_epochs, seed=context.settings.seed,
                             verbose=keras_verbosity())

    return context.load_once("judge", load)


def judge_stage(context) -> dict:
    """Train the MNIST judge once per run folder and report its test accuracy."""
    trained = judge(context)
    say(f"  {trained.description}")
    return {"test_accuracy": trained.test_accuracy, "judge": trained.description}


def build_gan(config, spec: dict | None, seed: int):
    """A compiled :class:`mitlgan.BCEGAN`: document 002's MLP GAN when ``spec`` is None,
    else document 003's FC GAN with the variant ``spec``; ``config`` is the study's
    :class:`~reproductions.mnist_gans.config.MnistGansSettings`."""
    import keras

    from mitlgan import BCEGAN
    from mitlgan.gans.base import num_replicas_in_strategy
    from mitlgan.models import (
        build_fc_discriminator,
        build_fc_generator,
        build_mlp_discriminator,
        build_mlp_generator,
    )
    from mitlgan.training import SMALL_MODEL_STEPS_PER_EXECUTION, xla_faster_on_cpu

    keras.utils.set_random_seed(seed)
    adam = lambda: keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999)  # noqa: E731
    if spec is None:
        generator = build_mlp_generator(config.latent_dim,
                                        batchnorm_epsilon=config.batchnorm_epsilon)
        discriminator, noise, d_optimizer = build_mlp_discriminator(), "normal", adam()
    else:
        generator = build_fc_generator(
            config.latent_dim, widths=spec["g_widths"], dropout=spec["g_dropout"],
            batchnorm=spec["g_batchnorm"], conv_filters=spec["conv_filters"])
        discriminator = build_fc_discriminator(widths=spec["d_widths"], dropout=spec["d_dropout"])
        noise = spec["noise"]
        d_optimizer = (keras.optimizers.SGD(SGD_LEARNING_RATE) if spec["d_optimizer"] == "sgd"
                       else adam())
    gan = BCEGAN(generator, discriminator, latent_distribution=noise, seed=seed,
                 generator_loss=config.generator_loss)
    # "auto" compiles with XLA on an accelerator; the MLP GAN runs faster under it on a CPU
    # too (one replica, as "auto" rules). Not the ablations: their conv variants run slower
    # under XLA, and one claim sets their seconds per epoch against the FC base's.
    xla = (spec is None and num_replicas_in_strategy() == 1
           and xla_faster_on_cpu(generator, discriminator))
    gan.compile(g_optimizer=adam(), d_optimizer=d_optimizer,
                steps_per_execution=SMALL_MODEL_STEPS_PER_EXECUTION,
                jit_compile=True if xla else "auto")
    return gan


def _epoch_timer():
    """A callback keeping, per epoch run in this process, the seconds from the first
    batch's start to the last batch's end (checkpoints and sample grids excluded)."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds, self._start, self._end = [], None, None

        def on_epoch_begin(self, epoch, logs=None):
            self._start = None

        def on_train_batch_begin(self, batch, logs=None):
            if self._start is None:
                self._start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            self._end = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(self._end - self._start)

    return EpochTimer()


def train_gan(context, out_dir: Path, spec: dict | None, *, seed: int, epochs: int,
              per_epoch_judge: bool) -> dict:
    """Train (or resume) one GAN in ``out_dir``; returns and saves its result.

    A finished run (its ``result.json`` exists) is read back, not retrained. Results:
    the judge's scores of the final generator, seconds per epoch (median of the epochs
    timed), epochs, seed. The generator is exported as ``generator.keras`` and
    ``generator_savedmodel/``.
    """
    return run_once(Path(out_dir) / RESULT_FILE, lambda: _train_gan(
        context, Path(out_dir), spec, seed=seed, epochs=epochs,
        per_epoch_judge=per_epoch_judge))[0]


def _train_gan(context, out_dir: Path, spec: dict | None, *, seed: int, epochs: int,
               per_epoch_judge: bool) -> dict:
    from mitlgan.metrics.judge_callback import JudgeCallback
    from mitlgan.training import export_generator

    config = context.settings
    data_range = tuple(spec["data_range"]) if spec else (-1.0, 1.0)
    the_judge = judge(context)  # built outside the strategy: each worker trains its own
    with context.strategy_scope():
        gan = build_gan(config, spec, seed)
    # document 003's "original data" (0-255) lies outside the generator's tanh range on
    # purpose: that is the ablation
    gan.real_range = (min(-1.0, data_range[0]), max(1.0, data_range[1]))
    scorer = JudgeCallback(the_judge, config.judge_samples, seed=seed, data_range=data_range)
    timer = _epoch_timer()
    callbacks = [timer] + ([scorer] if per_epoch_judge else [])
    context.train(gan, training_images(context, data_range), batch_size=config.batch_size,
                  epochs=epochs, checkpoint_dir=out_dir / CHECKPOINT_DIR, every=max(5, epochs // 5),
                  keep=1, sample_dir=out_dir / SAMPLES_DIR, num_samples=25, sample_seed=seed,
                  history_csv=out_dir / HISTORY_FILE, seed=seed, callbacks=callbacks,
                  tensorboard_dir=context.tensorboard_dir(out_dir),
                  verbose=keras_verbosity(interactive=0))
    scorer.set_model(gan)
    scorer.on_epoch_end(epochs - 1)
    export_generator(gan, out_dir)  # generator.keras and generator_savedmodel/
    return {"seed": seed, "epochs": epochs, "scores": scorer.last.as_dict(),
            "seconds_per_epoch": float(np.median(timer.seconds)) if timer.seconds else None,
            "epochs_timed": len(timer.seconds), "data_range": list(data_range)}
