"""Seconds per epoch of document 002's MLP GAN: ``mitlgan.BCEGAN`` against the tutorial loop.

The reference is a straightforward loop written the way the TensorFlow DCGAN tutorial
writes its training: a ``@tf.function`` ``train_step(images)`` with one
``GradientTape`` per network, ``tf.random.normal`` noise, binary cross-entropy on
probabilities, and a Python loop over a shuffled, batched ``tf.data.Dataset``. Both
train the same models (PyTorch-GAN's MLP GAN) with the same optimizers on the same
digits; one timed step is one epoch. Timing: ``benchmarks/_timing.py``.

Usage::

    python benchmarks/mlp_gan_epoch.py                  # 8000 embedded digits, batch 64
    python benchmarks/mlp_gan_epoch.py --images 2000 --steps 10
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/ is not a package

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from _floor import FLOOR, matmul_floor  # noqa: E402
from _timing import (  # noqa: E402
    Output,
    add_json_argument,
    add_steps_argument,
    machine_line,
    report_epochs,
    say_ceiling,
    time_interleaved,
)

import mitlgan  # noqa: E402
from mitlgan.data import load_mnist  # noqa: E402
from mitlgan.flops import graph_flops  # noqa: E402
from mitlgan.models import build_mlp_discriminator, build_mlp_generator  # noqa: E402
from mitlgan.training import fit_epochs_exactly  # noqa: E402


def adam():
    return keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999)


def tutorial_step(latent_dim=100):
    """The reference's ``@tf.function`` train step on freshly built models and optimizers:
    (real digits (B, 28, 28, 1) in [-1, 1]) -> generator loss."""
    generator, discriminator = build_mlp_generator(latent_dim), build_mlp_discriminator()
    g_optimizer, d_optimizer = adam(), adam()
    bce = keras.losses.BinaryCrossentropy()

    @tf.function
    def train_step(real):
        noise = tf.random.normal([tf.shape(real)[0], latent_dim])
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = generator(noise, training=True)
            real_output = discriminator(real, training=True)
            fake_output = discriminator(fake, training=True)
            g_loss = bce(tf.ones_like(fake_output), fake_output)
            d_loss = (bce(tf.ones_like(real_output), real_output)
                      + bce(tf.zeros_like(fake_output), fake_output))
        g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, generator.trainable_variables),
                                        generator.trainable_variables))
        d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, discriminator.trainable_variables),
                                        discriminator.trainable_variables))
        return g_loss

    return train_step


def tutorial_epoch(images, batch_size, latent_dim=100):
    """The reference: one epoch per call, the TensorFlow DCGAN tutorial's way."""
    keras.utils.set_random_seed(0)
    train_step = tutorial_step(latent_dim)
    dataset = tf.data.Dataset.from_tensor_slices(images).shuffle(len(images)).batch(batch_size)

    def epoch():
        for batch in dataset:
            loss = train_step(batch)
        return float(loss)

    return epoch


def reference_work(images, batch_size, latent_dim=100):
    """What one epoch of the reference must compute, read from its step graph (traced on
    separate models, not run): (profiler FLOPs per epoch, the epoch's matrix products
    alone as a timed floor, ``benchmarks/_floor.py``)."""
    step = tutorial_step(latent_dim)
    spec = tf.TensorSpec((batch_size, *images.shape[1:]), tf.float32)
    steps = len(images) // batch_size
    floor, _ = matmul_floor(step, spec, repeats=steps)
    return graph_flops(step, spec) * steps, floor


def bcegan_epoch(images, batch_size, latent_dim=100, steps_per_execution=1, jit_compile=False):
    """``mitlgan.BCEGAN`` through ``fit``: one epoch per call."""
    keras.utils.set_random_seed(0)
    gan = mitlgan.BCEGAN(build_mlp_generator(latent_dim), build_mlp_discriminator(), seed=0)
    gan.compile(g_optimizer=adam(), d_optimizer=adam(), steps_per_execution=steps_per_execution,
                jit_compile=jit_compile)
    steps = gan.steps_per_epoch(len(images), batch_size)
    fit_epochs_exactly(gan, steps)  # as mitlgan.training.train does: a divisor of the epoch
    dataset = gan.prepare_dataset(images, batch_size, epochs=10_000, seed=0)

    def epoch():
        gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)

    return epoch


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=8000, help="training digits per epoch")
    parser.add_argument("--batch-size", type=int, default=64)
    add_steps_argument(parser, "timed epochs per variant")
    add_json_argument(parser)
    args = parser.parse_args()
    out = Output(args.json)

    data = load_mnist("embedded", verbose=False)
    images = data.train_images[: args.images].astype("float32") / 127.5 - 1.0
    out.say(f"{machine_line()}; MLP GAN (document 002), {len(images)} digits, batch {args.batch_size}, "
            f"{args.steps} timed epochs per variant in interleaved rounds")
    flops, floor = reference_work(images, args.batch_size)
    ceiling = say_ceiling(out, "one epoch", flops)
    timings = time_interleaved({
        "tutorial loop": tutorial_epoch(images, args.batch_size),
        "mitlgan.BCEGAN fit": bcegan_epoch(images, args.batch_size),
        **{f"mitlgan.BCEGAN fit, {k} steps per call": bcegan_epoch(images, args.batch_size,
                                                                   steps_per_execution=k)
           for k in (8, 32)},
        "mitlgan.BCEGAN fit, XLA, 32 steps per call": bcegan_epoch(
            images, args.batch_size, steps_per_execution=32, jit_compile=True),
        FLOOR: floor,
    }, args.steps, say=out.say)
    report_epochs(out, "mlp_gan_epoch", timings, "tutorial loop", flops=flops, ceiling=ceiling)


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    main()
