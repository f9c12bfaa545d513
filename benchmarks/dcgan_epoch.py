"""Seconds per epoch of document 001's DCGAN: ``mitlgan.BCEGAN`` against the keras-io example.

The reference is a ``keras.Model`` whose ``train_step`` is written as the keras-io DCGAN
example ("DCGAN overriding train_step") writes it: one discriminator call on the
concatenated fake and real batch with noisy labels (fake 1, real 0, plus 0.05 uniform
noise), then a generator update with fresh noise against "misleading" all-zero labels.
Both train the same DCGAN on the same sprites with Adam(2e-4, 0.5); one timed step is one
epoch.

The example calls its models without ``training=True``: its models have no BatchNorm
(only its Dropout is off). On document 001's DCGAN, which has BatchNorm, it leaves every
BatchNorm in inference mode (normalised by its initial moving statistics, never
updated), a network without batch normalisation, which costs less per step. The
reference is therefore the example's loop with ``training=True`` on every model call, as
the TensorFlow DCGAN tutorial writes it; the loop as printed is timed beside it. By default the widths are the quick preset's (report / 8); ``--full`` uses the
report's. Timing: ``benchmarks/_timing.py``.

Usage::

    python benchmarks/dcgan_epoch.py                   # 512 sprites, batch 64, widths / 8
    python benchmarks/dcgan_epoch.py --full --images 256
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks/ is not a package

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
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
from mitlgan.data import composite, make_sprites  # noqa: E402
from mitlgan.flops import graph_flops  # noqa: E402
from mitlgan.models import build_dcgan_discriminator, build_dcgan_generator  # noqa: E402


class KerasIoDCGAN(keras.Model):
    """The keras-io DCGAN example's ``train_step`` (labels: fake 1, real 0).

    ``training``: passed to every model call; None (the example as printed) leaves
    BatchNorm in inference mode, True trains it as the DCGAN does."""

    def __init__(self, generator, discriminator, latent_dim, training=True):
        super().__init__()
        self.generator, self.discriminator, self.latent_dim = generator, discriminator, latent_dim
        self.training_flag = training
        self.bce = keras.losses.BinaryCrossentropy()

    def compile(self, d_optimizer, g_optimizer):
        super().compile()
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

    def train_step(self, real_images):
        batch_size = tf.shape(real_images)[0]
        generated = self.generator(tf.random.normal((batch_size, self.latent_dim)),
                                   training=self.training_flag)
        combined = tf.concat([generated, real_images], axis=0)
        labels = tf.concat([tf.ones((batch_size, 1)), tf.zeros((batch_size, 1))], axis=0)
        labels += 0.05 * tf.random.uniform(tf.shape(labels))
        with tf.GradientTape() as tape:
            d_loss = self.bce(labels, self.discriminator(combined, training=self.training_flag))
        weights = self.discriminator.trainable_weights
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, weights), weights))
        with tf.GradientTape() as tape:
            fake = self.generator(tf.random.normal((batch_size, self.latent_dim)),
                                  training=self.training_flag)
            g_loss = self.bce(tf.zeros((batch_size, 1)),
                              self.discriminator(fake, training=self.training_flag))
        weights = self.generator.trainable_weights
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, weights), weights))
        return {"d_loss": d_loss, "g_loss": g_loss}


REFERENCE = "keras-io train_step, training=True"
AS_PRINTED = "keras-io train_step as printed (BatchNorm in inference mode)"


def models(widths):
    keras.utils.set_random_seed(0)
    return (build_dcgan_generator(100, base_channels=widths[0]),
            build_dcgan_discriminator(base_channels=widths[1]))


def adam():
    return keras.optimizers.Adam(2e-4, beta_1=0.5)


def keras_io_epoch(images, batch_size, widths, training=True):
    model = KerasIoDCGAN(*models(widths), latent_dim=100, training=training)
    model.compile(adam(), adam())
    dataset = tf.data.Dataset.from_tensor_slices(images).shuffle(len(images)).batch(
        batch_size, drop_remainder=True)
    return lambda: model.fit(dataset, epochs=1, verbose=0, shuffle=False)  # shuffled above


def epoch_flops(images, batch_size, widths):
    """Profiler FLOPs of one epoch of the reference (BatchNorm trained): its train_step
    graph's count (traced on separate models, not run) x the full batches of an epoch."""
    model = KerasIoDCGAN(*models(widths), latent_dim=100)
    model.compile(adam(), adam())
    spec = tf.TensorSpec((batch_size, *images.shape[1:]), tf.float32)
    return graph_flops(model.train_step, spec) * (len(images) // batch_size)


def bcegan_epoch(images, batch_size, widths):
    gan = mitlgan.BCEGAN(*models(widths), seed=0)
    gan.compile(g_optimizer=adam(), d_optimizer=adam())
    steps = gan.steps_per_epoch(len(images), batch_size)
    dataset = gan.prepare_dataset(images, batch_size, epochs=10_000, seed=0)
    return lambda: gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=512, help="sprites per epoch")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--full", action="store_true", help="the report's widths (512 / 64)")
    add_steps_argument(parser, "timed epochs per variant")
    add_json_argument(parser)
    args = parser.parse_args()
    out = Output(args.json)

    widths = (512, 64) if args.full else (64, 8)
    sprite, mask = make_sprites(args.images, 64, 0)
    images = composite(sprite, mask, -1.0)
    out.say(f"{machine_line()}; DCGAN (document 001) widths G {widths[0]} / D {widths[1]}, "
            f"{len(images)} sprites, batch {args.batch_size}, {args.steps} timed epochs per "
            "variant in interleaved rounds")
    flops = epoch_flops(images, args.batch_size, widths)
    ceiling = say_ceiling(out, "one epoch", flops)
    timings = time_interleaved({
        REFERENCE: keras_io_epoch(images, args.batch_size, widths),
        AS_PRINTED: keras_io_epoch(images, args.batch_size, widths, training=None),
        "mitlgan.BCEGAN fit": bcegan_epoch(images, args.batch_size, widths),
    }, args.steps, say=out.say)
    report_epochs(out, "dcgan_epoch", timings, REFERENCE, flops=flops, ceiling=ceiling)


if __name__ == "__main__":
    main()
