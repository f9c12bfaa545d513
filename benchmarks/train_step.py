"""Speed of one WGAN-GP train_step (n_critic critic updates + 1 generator update).

Measures, in one process and one run:

- ``mitlgan.WGANGP`` in float32 and ``mixed_bfloat16``, each with XLA off and on;
- a reference: the same models trained by a straightforward loop written the way the
  widely copied Keras WGAN-GP example does it (a ``keras.Model`` whose ``train_step``
  runs the critic updates in a Python loop, generating the fakes inside the critic's
  tape and calling the critic separately on fakes, reals and interpolates), float32,
  compiled the way ``compile()`` does by default on a CPU (graph mode);
- a 2048^3 float32 (and bfloat16) matmul, as the machine's attainable FLOP/s.

"Useful FLOPs" of a step are TensorFlow's profiler count of the float32 step graph
(convolutions and their two gradients, matmuls, elementwise ops); the same count is
used for every variant of a model, since they all do the same arithmetic.

Images per second = batch size B / the median train_step time (every train_step uses
one real batch of B and generates n_critic + 1 fake batches of B). The variants of a
model are timed by ``benchmarks/_timing.py``: interleaved rounds, median and spread.

Usage::

    python benchmarks/train_step.py                 # both models, batch 32, 8 timed steps
    python benchmarks/train_step.py --models wgan --steps 12 --no-xla
    python benchmarks/train_step.py --variants "reference float32,WGANGP float32"
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
from _timing import (  # noqa: E402
    Output,
    add_json_argument,
    add_steps_argument,
    has_bf16_instructions,
    machine_line,
    matmul_flops_per_second,
    ratios,
    time_interleaved,
    timing_rows,
)

import mitlgan  # noqa: E402
from mitlgan.flops import graph_flops  # noqa: E402
from mitlgan.gans import dtype_policy  # noqa: E402
from mitlgan.models import build_mitlgan_generator, build_wgan_critic, build_wgan_generator  # noqa: E402

IMAGE_SIZE = 64


class KerasExampleWGAN(keras.Model):
    """Reference: the structure of the widely copied Keras WGAN-GP example.

    Differences from that example, none of which changes the arithmetic: alpha is
    uniform (the example's normal alpha is a known bug), and latents are drawn for
    every generator input so that the MITLGAN generator fits.
    """

    def __init__(self, generator, critic, n_critic=5, gp_weight=10.0):
        super().__init__()
        self.generator = generator
        self.critic = critic
        self.n_critic = n_critic
        self.gp_weight = gp_weight
        self.latent_dims = [int(x.shape[-1]) for x in generator.inputs]

    def compile(self, g_optimizer, d_optimizer):
        super().compile()
        self.g_optimizer = g_optimizer
        self.d_optimizer = d_optimizer

    def _latents(self, batch_size):
        latents = [tf.random.normal((batch_size, dim)) for dim in self.latent_dims]
        return latents[0] if len(latents) == 1 else latents

    def _gradient_penalty(self, batch_size, real, fake):
        alpha = tf.random.uniform([batch_size, 1, 1, 1], 0.0, 1.0)
        interpolated = real + alpha * (fake - real)
        with tf.GradientTape() as tape:
            tape.watch(interpolated)
            prediction = self.critic(interpolated, training=True)
        gradients = tape.gradient(prediction, [interpolated])[0]
        norm = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=[1, 2, 3]))
        return tf.reduce_mean((norm - 1.0) ** 2)

    def train_step(self, real):
        batch_size = tf.shape(real)[0]
        for _ in range(self.n_critic):
            latents = self._latents(batch_size)
            with tf.GradientTape() as tape:
                fake = self.generator(latents, training=True)
                fake_logits = self.critic(fake, training=True)
                real_logits = self.critic(real, training=True)
                d_cost = tf.reduce_mean(fake_logits) - tf.reduce_mean(real_logits)
                d_loss = d_cost + self.gp_weight * self._gradient_penalty(batch_size, real, fake)
            gradients = tape.gradient(d_loss, self.critic.trainable_variables)
            self.d_optimizer.apply_gradients(zip(gradients, self.critic.trainable_variables))
        latents = self._latents(batch_size)
        with tf.GradientTape() as tape:
            generated = self.generator(latents, training=True)
            g_loss = -tf.reduce_mean(self.critic(generated, training=True))
        gradients = tape.gradient(g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(gradients, self.generator.trainable_variables))
        return {"d_loss": d_loss, "g_loss": g_loss}


def build_models(kind, seed=0):
    """(generator, critic) of the benchmarked model, built under the current dtype policy."""
    keras.utils.set_random_seed(seed)
    critic = build_wgan_critic(IMAGE_SIZE)  # Table 7.2 at 64x64
    if kind == "wgan":  # Table 7.1 at 64x64: latent 1536, widths 48, 24, 12
        return build_wgan_generator(1536, IMAGE_SIZE), critic
    parts = [build_wgan_generator(1536, IMAGE_SIZE, name=name) for name in ("foreground", "background")]
    # Reduced Table 7.3 head: width 16 instead of 64, 3 dense-residual blocks instead of 6.
    return build_mitlgan_generator(*parts, filters=16, num_blocks=3), critic


def step_flops(kind, batch_size, n_critic):
    """Profiler float-op count of one float32 WGANGP train_step graph."""
    generator, critic = build_models(kind)
    gan = mitlgan.WGANGP(generator, critic, n_critic=n_critic, seed=0)
    gan.compile()
    return graph_flops(gan.train_step,
                       tf.TensorSpec((batch_size, IMAGE_SIZE, IMAGE_SIZE, 3), tf.float32))


def prepare_variant(kind, variant, batch_size, n_critic):
    """Build one variant; returns its one-step function (the harness warms it up)."""
    policy = "mixed_bfloat16" if "bfloat16" in variant else "float32"
    with dtype_policy(policy):
        generator, critic = build_models(kind)
    optimizers = [mitlgan.gans.default_optimizer() for _ in range(2)]
    if variant == "reference float32":
        model = KerasExampleWGAN(generator, critic, n_critic=n_critic)
        model.compile(*optimizers)
    else:
        model = mitlgan.WGANGP(generator, critic, n_critic=n_critic, seed=0)
        model.compile(g_optimizer=optimizers[0], d_optimizer=optimizers[1],
                      jit_compile="XLA" in variant)
    images = np.random.default_rng(0).uniform(-1, 1, (batch_size, IMAGE_SIZE, IMAGE_SIZE, 3))
    dataset = tf.data.Dataset.from_tensors(images.astype("float32")).repeat()

    def one_step():
        # One fit call per step: its overhead is milliseconds against seconds-long steps.
        model.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0, shuffle=False)

    return one_step


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="wgan,mitlgan", help="comma-separated: wgan, mitlgan")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--n-critic", type=int, default=5)
    add_steps_argument(parser, "timed train_steps per variant")
    parser.add_argument("--no-xla", action="store_true", help="skip the XLA variants")
    parser.add_argument(
        "--variants",
        default=None,
        help="comma-separated subset, e.g. 'reference float32,WGANGP float32' (the first is the "
        "'vs ref' baseline)",
    )
    add_json_argument(parser)
    args = parser.parse_args()
    out = Output(args.json)

    variants = ["reference float32", "WGANGP float32", "WGANGP mixed_bfloat16"]
    if not args.no_xla:
        variants += ["WGANGP float32 XLA", "WGANGP mixed_bfloat16 XLA"]
    if args.variants:
        chosen = [v.strip() for v in args.variants.split(",")]
        unknown = [v for v in chosen if v not in variants]
        if unknown:
            parser.error(f"--variants: unknown {unknown}; choose from {variants}")
        variants = chosen
    elif not has_bf16_instructions():
        variants = [v for v in variants if "bfloat16" not in v]
        out.say("This CPU has neither AVX-512 BF16 nor AMX-BF16: the mixed_bfloat16 variants "
                "are skipped (bfloat16 runs emulated there, slower than float32; name them "
                "in --variants to time them anyway).")
    out.say(f"{machine_line()}; batch {args.batch_size}, n_critic {args.n_critic}, "
            f"{IMAGE_SIZE}x{IMAGE_SIZE}, {args.steps} timed steps per variant in interleaved "
            "rounds")
    matmul32 = matmul_flops_per_second("float32")
    matmul16 = matmul_flops_per_second("bfloat16")
    out.say(f"matmul 2048^3: float32 {matmul32 / 1e9:.1f} GFLOP/s, bfloat16 "
            f"{matmul16 / 1e9:.1f} GFLOP/s")

    label = {"wgan": "thesis WGAN (Tables 7.1/7.2)",
             "mitlgan": "reduced MITLGAN (head f=16, 3 blocks)"}
    for kind in args.models.split(","):
        flops = step_flops(kind, args.batch_size, args.n_critic)
        out.say(f"\n{label[kind]} at {IMAGE_SIZE}x{IMAGE_SIZE}: {flops / 1e9:.1f} GFLOP per "
                "train_step")
        timings = time_interleaved(
            {v: prepare_variant(kind, v, args.batch_size, args.n_critic) for v in variants},
            args.steps, say=out.say)
        speed = ratios(timings, variants[0])
        out.say(f"  {'variant':28s} {'img/s':>7s} {'vs ' + variants[0]:>10s} "
                f"{'step s (min-max)':>18s} {'GFLOP/s':>8s} {'of f32 matmul':>14s} "
                f"{'1st step s':>11s}")
        for variant, timing in timings.items():
            rate = timing.rate(args.batch_size)
            useful = flops / timing.median
            out.say(f"  {variant:28s} {rate:7.2f} {speed[variant]:9.2f}x {timing.spread():>18s} "
                    f"{useful / 1e9:8.1f} {useful / matmul32:13.0%} {timing.first_seconds:11.1f}")
        out.rows(timing_rows(f"train_step {kind}", timings, variants[0], "s/train_step",
                             flops=flops, ceiling=matmul32))


if __name__ == "__main__":
    main()
