"""XLA for dense GANs on a CPU: which models get it, and that it trains the same GAN.

Document 002's MLP GAN (the mnist_gans mlp and collapse studies) compiles its train step
with XLA on a CPU; the numbers must stay those of TensorFlow's own kernels to float32
rounding, and a resumed run must still match an uninterrupted one bit for bit.
"""

import keras
import numpy as np
from _gan_helpers import state_arrays

from mitlgan.models import (
    build_fc_discriminator,
    build_fc_generator,
    build_mlp_discriminator,
    build_mlp_generator,
)
from mitlgan.training import train, xla_faster_on_cpu
from reproductions.mnist_gans.config import MnistGansSettings, build_config, variant_spec
from reproductions.mnist_gans.training import build_gan

#: the mlp study's settings (document 002's MLP GAN)
MLP_SETTINGS = MnistGansSettings.from_config(build_config("mlp", "quick", {}))


def _digits(count=64, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (count, 28, 28, 1)).astype("float32")


def test_only_networks_of_dense_layers_get_xla():
    assert xla_faster_on_cpu(build_mlp_generator(100), build_mlp_discriminator())
    assert xla_faster_on_cpu(build_fc_generator(100, batchnorm=True), build_fc_discriminator())
    assert not xla_faster_on_cpu(build_fc_generator(100, conv_filters=(8, 16, 32)))
    assert not xla_faster_on_cpu(build_mlp_generator(100), build_fc_discriminator(dropout=0.3))


def test_the_mlp_gan_compiles_with_xla_and_the_ablations_do_not():
    assert build_gan(MLP_SETTINGS, None, seed=0).jit_compile is True
    assert build_gan(MLP_SETTINGS, variant_spec("base"), seed=0).jit_compile is False


def _fit(gan, epochs, checkpoint_dir=None):
    train(gan, _digits(), batch_size=16, epochs=epochs, checkpoint_dir=checkpoint_dir,
          every=1, seed=3, verbose=0)
    return gan


def _mean_abs_difference(first, second):
    """Mean |a - b| over every float element of two models' states (weights, slots)."""
    return np.concatenate([np.abs(a.astype(float) - b.astype(float)).ravel()
                           for a, b in zip(first, second) if a.dtype.kind == "f"]).mean()


def test_xla_trains_the_same_mlp_gan_and_resumes_exactly(tmp_path):
    initial = state_arrays(build_gan(MLP_SETTINGS, None, seed=1))
    compiled = _fit(build_gan(MLP_SETTINGS, None, seed=1), 2)
    plain = build_gan(MLP_SETTINGS, None, seed=1)
    plain.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999),
                  d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999),
                  jit_compile=False)
    _fit(plain, 2)
    assert compiled.jit_compile and not plain.jit_compile
    assert compiled.train_steps == plain.train_steps == 8
    # Rounding, not another computation: other noise or a skipped update would differ
    # by about as much as training moved the state (mean 7e-4 here). XLA's kernels round
    # differently by CPU: 1e-8 on an AMD EPYC, 2e-6 (0.3% of the move) on an Intel Xeon
    # with AMX, so the bound is 1% of the move.
    moved = _mean_abs_difference(state_arrays(plain), initial)
    assert _mean_abs_difference(state_arrays(compiled), state_arrays(plain)) < 1e-2 * moved

    first = _fit(build_gan(MLP_SETTINGS, None, seed=1), 1, tmp_path / "ckpt")
    assert first.train_steps == 4
    resumed = _fit(build_gan(MLP_SETTINGS, None, seed=1), 2, tmp_path / "ckpt")
    assert resumed.train_steps == 8
    for a, b in zip(state_arrays(resumed), state_arrays(compiled)):
        assert np.array_equal(a, b)
