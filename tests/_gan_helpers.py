"""Tiny models for the WGAN-GP tests, and subprocess entry points.

Imported by the tests for the builders. Run as a script for what needs a fresh
process:

- ``python _gan_helpers.py distributed OUT.json``: configures two logical CPU devices
  (only possible before TensorFlow initialises them, hence the subprocess), runs one
  train_step of every GAN family (WGAN-GP, BCE GAN, zi2zi) from the same weights, data
  and seed on one device and under ``MirroredStrategy``, and writes the largest weight
  difference per family.
- ``python _gan_helpers.py resume CHECKPOINT_DIR OUT.npz``: a fresh process rebuilds the
  model, resumes from the latest checkpoint with ``mitlgan.training.train`` for one more
  epoch, and saves the resulting weights.
"""

import json
import os
import sys

import numpy as np

IMAGE_SIZE = 16
LATENT_DIM = 32


def tiny_models(seed=0, *, dropout=0.0, prefix=""):
    """A (generator, critic) pair for 16x16 images, built deterministically from ``seed``."""
    import keras

    from mitlgan.models import build_wgan_critic, build_wgan_generator

    keras.utils.set_random_seed(seed)
    generator = build_wgan_generator(
        LATENT_DIM, IMAGE_SIZE, initial_channels=16, name=f"{prefix}generator"
    )
    critic = build_wgan_critic(IMAGE_SIZE, channels=(8, 16), dropout=dropout, name=f"{prefix}critic")
    return generator, critic


def tiny_images(count=32, seed=0):
    """Simple real data in [-1, 1]: smooth colour gradients with a random tilt per image."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(-1.0, 1.0, IMAGE_SIZE, dtype="float32")
    yy, xx = np.meshgrid(grid, grid, indexing="ij")
    tilt = rng.uniform(-1.0, 1.0, (count, 1, 1, 3)).astype("float32")
    return np.clip(0.6 * tilt * xx[None, :, :, None] + 0.3 * yy[None, :, :, None], -1.0, 1.0)


def resume_gan():
    """The WGANGP used by the resume tests (dropout on: its seed state is checkpointed)."""
    import mitlgan

    generator, critic = tiny_models(1, dropout=0.3)
    return mitlgan.WGANGP(generator, critic, n_critic=2, seed=11)


def state_arrays(gan):
    """Every checkpointed variable of ``gan`` as numpy arrays, in a fixed order."""
    return [np.array(v.numpy()) for group in gan.checkpoint_variables().values() for v in group]


def _family(name):
    """(gan, data, batch) of one GAN family at tiny size, built in the current scope from
    fixed seeds (dropout off: per-replica dropout masks would legitimately differ)."""
    import keras

    import mitlgan
    from mitlgan.models import (
        build_mlp_discriminator,
        build_mlp_generator,
        build_zi2zi_discriminator,
        build_zi2zi_generator,
    )

    rng = np.random.default_rng(3)
    if name == "wgangp":
        generator, critic = tiny_models(5, dropout=0.0)
        return (mitlgan.WGANGP(generator, critic, n_critic=2, seed=21, real_batches="fresh"),
                tiny_images(16, seed=3), 8)
    keras.utils.set_random_seed(5)
    if name == "bcegan":
        digits = rng.uniform(-1, 1, (16, 28, 28, 1)).astype("float32")
        return (mitlgan.BCEGAN(build_mlp_generator(16), build_mlp_discriminator(), seed=21),
                digits, 8)
    generator = build_zi2zi_generator(generator_dim=4, embedding_num=3)
    for layer in generator.layers:
        if isinstance(layer, keras.layers.Dropout):
            layer.rate = 0.0
    targets = rng.uniform(-1, 1, (8, 64, 64, 3)).astype("float32")
    sources = np.clip(targets + rng.normal(0, 0.3, targets.shape), -1, 1).astype("float32")
    styles = rng.integers(0, 3, 8).astype("int32")
    gan = mitlgan.Zi2Zi(generator, build_zi2zi_discriminator(discriminator_dim=4, embedding_num=3),
                        num_styles=3, seed=21)
    return gan, (targets, sources, styles), 4


def _optimizers(family):
    """zi2zi's many near-zero gradients would have Adam turn rounding noise into whole
    learning-rate steps (its first step is lr * sign(g)); plain SGD keeps a difference
    in the gradients a difference of the same size in the weights."""
    import keras

    if family == "zi2zi":
        return {"g_optimizer": keras.optimizers.SGD(0.01), "d_optimizer": keras.optimizers.SGD(0.01)}
    return {}


def _largest_difference(first, second):
    return max(float(np.max(np.abs(a.astype("float64") - b.astype("float64"))))
               for a, b in zip(first, second))


def _distributed(out_path):
    """Every GAN family: one train step on one device and under MirroredStrategy on two
    logical CPUs, from the same weights, data and seed."""
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
    )
    strategies = {
        "one_device": tf.distribute.get_strategy(),
        "mirrored": tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]),
    }
    report = {}
    for family in ("wgangp", "bcegan", "zi2zi"):
        results = {}
        for name, strategy in strategies.items():
            with strategy.scope():
                gan, data, batch = _family(family)
                gan.compile(**_optimizers(family))
            initial = state_arrays(gan)
            dataset = gan.prepare_dataset(data, batch, epochs=1, seed=0)
            history = gan.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0, shuffle=False)
            results[name] = {
                "replicas": strategy.num_replicas_in_sync,
                "state": state_arrays(gan),
                "initial": initial,
                "history": {k: v[0] for k, v in history.history.items()},
            }
        one, mirrored = results["one_device"], results["mirrored"]
        report[family] = {
            "replicas": mirrored["replicas"],
            "max_weight_difference": _largest_difference(one["state"], mirrored["state"]),
            "max_update": _largest_difference(one["state"], one["initial"]),
            "initial_difference": _largest_difference(one["initial"], mirrored["initial"]),
            "history_one_device": one["history"],
            "history_mirrored": mirrored["history"],
        }
    with open(out_path, "w") as handle:
        json.dump(report, handle)


def _resume(checkpoint_dir, out_path):
    from mitlgan.training import train

    gan = resume_gan()
    result = train(gan, tiny_images(), batch_size=8, epochs=2, checkpoint_dir=checkpoint_dir, every=1, seed=4, verbose=0)
    if result.resumed_from is None or result.initial_epoch != 1:
        raise SystemExit(f"did not resume from epoch 1: {result}")
    np.savez(out_path, *state_arrays(gan))


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    mode = sys.argv[1]
    if mode == "distributed":
        _distributed(sys.argv[2])
    elif mode == "resume":
        _resume(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(f"unknown mode {mode!r}")
