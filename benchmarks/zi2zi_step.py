"""Seconds per epoch of zi2zi at 64x64: ``mitlgan.gans.Zi2Zi`` against a pix2pix-style step.

The reference is a ``keras.Model`` whose ``train_step`` is written as the TensorFlow
pix2pix tutorial and the keras-io conditional-GAN example write theirs: one generator
forward pass under two ``GradientTape``s, the discriminator on the real and the fake
pair, both losses (here zi2zi's four: adversarial, L1 x 100, category, constant) and
both updates from that one pass. ``Zi2Zi`` runs zi2zi's schedule instead: a
discriminator update, then ``generator_steps`` generator updates, each with its own
forward pass; with ``generator_steps=1`` it does the reference's number of updates.
Same networks (document 000's widths), glyph pairs, batch 16 and Adam(1e-3, 0.5).
Timing: ``benchmarks/_timing.py``; one timed step is one epoch.

Usage::

    python benchmarks/zi2zi_step.py                     # 256 pairs, batch 16
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
    time_interleaved,
)

from mitlgan.data.fonts import DEFAULT_SOURCE_FONT, DEFAULT_TARGET_FONTS, font_pairs, shared_charset  # noqa: E402
from mitlgan.gans.zi2zi import Zi2Zi  # noqa: E402
from mitlgan.losses import category_loss, const_loss, l1_loss  # noqa: E402
from mitlgan.models.zi2zi import build_zi2zi_discriminator, build_zi2zi_generator  # noqa: E402

STYLES = 10


class Pix2PixStyle(keras.Model):
    """The tutorial's conditional-GAN ``train_step`` with zi2zi's losses."""

    def __init__(self, generator, discriminator):
        super().__init__()
        self.generator, self.discriminator = generator, discriminator
        self.encoder = generator.get_layer("encoder")
        self.bce = keras.losses.BinaryCrossentropy(from_logits=True)

    def compile(self, d_optimizer, g_optimizer):
        super().compile()
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

    def train_step(self, data):
        target, source, style = data
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = self.generator([source, style], training=True)
            real_logit, real_category = self.discriminator(tf.concat([source, target], -1),
                                                           training=True)
            fake_logit, fake_category = self.discriminator(tf.concat([source, fake], -1),
                                                           training=True)
            fake_category_loss = category_loss(fake_category, style, STYLES)
            g_loss = (self.bce(tf.ones_like(fake_logit), fake_logit) + 100.0 * l1_loss(fake, target)
                      + fake_category_loss
                      + 15.0 * const_loss(self.encoder(source, training=True)[-1],
                                          self.encoder(fake, training=True)[-1]))
            d_loss = (self.bce(tf.ones_like(real_logit), real_logit)
                      + self.bce(tf.zeros_like(fake_logit), fake_logit)
                      + (category_loss(real_category, style, STYLES) + fake_category_loss) / 2)
        for tape, loss, model, optimizer in ((g_tape, g_loss, self.generator, self.g_optimizer),
                                             (d_tape, d_loss, self.discriminator, self.d_optimizer)):
            weights = model.trainable_weights
            optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
        return {"d_loss": d_loss, "g_loss": g_loss}


def models():
    keras.utils.set_random_seed(0)
    return build_zi2zi_generator(embedding_num=STYLES), build_zi2zi_discriminator(
        embedding_num=STYLES)


def adam():
    return keras.optimizers.Adam(1e-3, beta_1=0.5)


def reference_epoch(data, batch_size):
    model = Pix2PixStyle(*models())
    model.compile(adam(), adam())
    dataset = tf.data.Dataset.from_tensor_slices(data).shuffle(len(data[0])).batch(
        batch_size, drop_remainder=True)
    return lambda: model.fit(dataset, epochs=1, verbose=0)


def zi2zi_epoch(data, batch_size, generator_steps):
    gan = Zi2Zi(*models(), num_styles=STYLES, generator_steps=generator_steps, seed=0)
    gan.compile(g_optimizer=adam(), d_optimizer=adam())
    steps = gan.steps_per_epoch(len(data[0]), batch_size)
    dataset = gan.prepare_dataset(data, batch_size, epochs=10_000, seed=0)
    return lambda: gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=256, help="glyph pairs per epoch")
    parser.add_argument("--batch-size", type=int, default=16)
    add_steps_argument(parser, "timed epochs per variant")
    add_json_argument(parser)
    args = parser.parse_args()
    out = Output(args.json)

    charset = shared_charset([DEFAULT_SOURCE_FONT, *DEFAULT_TARGET_FONTS])
    per_style = -(-args.pairs // len(DEFAULT_TARGET_FONTS))
    pairs = font_pairs(DEFAULT_SOURCE_FONT, DEFAULT_TARGET_FONTS, charset[:per_style])
    data = tuple(a[:args.pairs] for a in pairs.as_training_arrays())
    out.say(f"{machine_line()}; zi2zi 64x64 (document 000's widths), {len(data[0])} glyph pairs, "
            f"batch {args.batch_size}, {args.steps} timed epochs per variant in interleaved rounds")
    reference = "pix2pix-style train_step (1 D + 1 G update)"
    timings = time_interleaved({
        reference: reference_epoch(data, args.batch_size),
        "mitlgan Zi2Zi, generator_steps=1": zi2zi_epoch(data, args.batch_size, 1),
        "mitlgan Zi2Zi, generator_steps=2 (zi2zi's)": zi2zi_epoch(data, args.batch_size, 2),
    }, args.steps, say=out.say)
    report_epochs(out, "zi2zi_step", timings, reference)


if __name__ == "__main__":
    main()
