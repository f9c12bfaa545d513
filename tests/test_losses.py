"""Wasserstein losses and the gradient penalty against independent computations."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from scipy import stats

from mitlgan.losses import (
    gradient_penalty,
    wasserstein_critic_loss,
    wasserstein_generator_loss,
)


class QuadraticCritic(keras.layers.Layer):
    """D(x) = 0.5 * sum(a * x^2) per sample, so grad_x D = a * x (known in closed form)."""

    def __init__(self, weights, **kwargs):
        super().__init__(**kwargs)
        self.a = tf.constant(weights, tf.float32)

    def call(self, x, training=False):
        return 0.5 * tf.reduce_sum(self.a * tf.square(x), axis=[1, 2, 3])[:, None]


def _numpy_penalties(a, real, fake, alpha):
    alpha = np.asarray(alpha, dtype="float64").reshape(-1, 1, 1, 1)
    x_hat = alpha * real.astype("float64") + (1 - alpha) * fake.astype("float64")
    norms = np.sqrt(np.sum((a * x_hat) ** 2, axis=(1, 2, 3)))
    return (norms - 1.0) ** 2


def test_wasserstein_losses_match_numpy():
    rng = np.random.default_rng(0)
    real, fake = rng.standard_normal((7, 1)), rng.standard_normal((5,))
    np.testing.assert_allclose(
        float(wasserstein_critic_loss(real, fake)), fake.mean() - real.mean(), rtol=1e-6
    )
    np.testing.assert_allclose(float(wasserstein_generator_loss(fake)), -fake.mean(), rtol=1e-6)
    assert wasserstein_critic_loss(real.astype("float16"), fake).dtype == tf.float32


def test_per_sample_wasserstein_losses_average_to_the_scalar_ones():
    # the train step sums these per-sample values over the global batch
    rng = np.random.default_rng(1)
    real, fake = rng.standard_normal((6, 1)), rng.standard_normal((6, 1))
    critic = wasserstein_critic_loss(real, fake, reduction="none")
    np.testing.assert_allclose(critic.numpy(), (fake - real)[:, 0], rtol=1e-6)
    np.testing.assert_allclose(float(tf.reduce_mean(critic)),
                               float(wasserstein_critic_loss(real, fake)), rtol=1e-6)
    generator = wasserstein_generator_loss(fake, reduction="none")
    np.testing.assert_allclose(generator.numpy(), -fake[:, 0], rtol=1e-6)
    with pytest.raises(ValueError, match="reduction"):
        wasserstein_generator_loss(fake, reduction="sum")


@pytest.mark.parametrize("alpha_shape", ["per_sample", "broadcast", "scalar"])
def test_gradient_penalty_with_given_alpha_matches_closed_form(alpha_shape):
    rng = np.random.default_rng(1)
    a = rng.uniform(0.2, 1.5, (4, 4, 3)).astype("float32")
    real = rng.uniform(-1, 1, (6, 4, 4, 3)).astype("float32")
    fake = rng.uniform(-1, 1, (6, 4, 4, 3)).astype("float32")
    alpha = {
        "per_sample": rng.uniform(0, 1, 6).astype("float32"),
        "broadcast": rng.uniform(0, 1, (6, 1, 1, 1)).astype("float32"),
        "scalar": np.float32(0.3),
    }[alpha_shape]
    expected = _numpy_penalties(a, real, fake, np.broadcast_to(np.ravel(alpha), (6,)))
    critic = QuadraticCritic(a)
    per_sample = gradient_penalty(critic, real, fake, alpha, reduction="none").numpy()
    np.testing.assert_allclose(per_sample, expected, atol=1e-5, rtol=0)
    mean = float(gradient_penalty(critic, real, fake, alpha))
    np.testing.assert_allclose(mean, expected.mean(), atol=1e-5, rtol=0)
    # Not a vacuous comparison: the penalties differ from sample to sample.
    assert np.ptp(expected) > 0.1


def test_gradient_penalty_of_a_conv_critic_matches_finite_differences():
    # A critic shaped like the thesis's (5x5 stride-2 convolutions, LeakyReLU, Dense), in
    # float64 end to end so that central differences are exact to ~1e-9; the gradient
    # penalty itself runs as in training (float32 interpolates and norm).
    keras.utils.set_random_seed(3)
    image = keras.Input((8, 8, 3), dtype="float64")
    x = image
    for width in (4, 8):
        x = keras.layers.Conv2D(width, 5, strides=2, padding="same", dtype="float64")(x)
        x = keras.layers.LeakyReLU(0.2, dtype="float64")(x)
    x = keras.layers.Flatten(dtype="float64")(x)
    critic = keras.Model(image, keras.layers.Dense(1, dtype="float64")(x))
    rng = np.random.default_rng(3)
    real = rng.uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
    fake = rng.uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
    alpha = np.array([0.25, 0.8], dtype="float32")
    x_hat = (alpha[:, None, None, None] * real + (1 - alpha[:, None, None, None]) * fake).astype("float64")

    eps = 1e-6
    dims = x_hat[0].size
    basis = np.eye(dims).reshape(dims, 8, 8, 3) * eps
    expected = []
    for sample in x_hat:
        plus = critic(sample[None] + basis, training=False).numpy()[:, 0]
        minus = critic(sample[None] - basis, training=False).numpy()[:, 0]
        gradient = (plus - minus) / (2 * eps)
        expected.append((np.linalg.norm(gradient) - 1.0) ** 2)
    actual = gradient_penalty(critic, real, fake, alpha, reduction="none").numpy()
    np.testing.assert_allclose(actual, expected, atol=1e-5, rtol=0)


def test_gradient_penalty_alpha_none_is_uniform_per_sample():
    # With D(x) = 0.5 * ||x||^2, real = 0.5 in a single pixel and fake = 0, the sample's
    # gradient norm is 0.5 * alpha, so each penalty (1 - alpha / 2)^2 reveals its alpha.
    count = 20000
    critic = QuadraticCritic(np.ones((1, 1, 1), "float32"))
    real = np.full((count, 1, 1, 1), 0.5, dtype="float32")
    fake = np.zeros_like(real)
    penalties = gradient_penalty(critic, real, fake, seed=123, reduction="none").numpy()
    alpha = 2.0 * (1.0 - np.sqrt(penalties))
    assert alpha.min() >= -1e-6 and alpha.max() <= 1.0 + 1e-6  # a normal alpha fails here
    assert abs(alpha.mean() - 0.5) < 0.01
    assert abs(alpha.std() - np.sqrt(1 / 12)) < 0.005
    assert stats.kstest(alpha, "uniform").pvalue > 1e-3
    # One draw per sample, not one per batch.
    assert len(np.unique(np.round(alpha, 6))) > count * 0.9


def test_gradient_penalty_is_finite_at_zero_gradient():
    # D(x) = w * sum(x^2) has zero input gradient at x_hat = 0: the penalty is exactly 1
    # there whatever w is, so its derivative with respect to w is 0, not NaN.
    w = tf.Variable(0.7)

    def critic(x, training=False):
        return w * tf.reduce_sum(tf.square(x), axis=[1, 2, 3])

    zeros = tf.zeros((3, 2, 2, 1))
    with tf.GradientTape() as tape:
        penalty = gradient_penalty(critic, zeros, zeros, alpha=tf.fill([3], 0.5))
    gradient = tape.gradient(penalty, w)
    assert float(penalty) == 1.0
    assert np.isfinite(float(gradient)) and float(gradient) == 0.0


def test_gradient_penalty_rejects_bad_arguments():
    critic = QuadraticCritic(np.ones((2, 2, 1), "float32"))
    x = tf.zeros((3, 2, 2, 1))
    with pytest.raises(ValueError, match="reduction"):
        gradient_penalty(critic, x, x, reduction="sum")
    with pytest.raises(ValueError, match="one value per sample"):
        gradient_penalty(critic, x, x, alpha=tf.fill([2], 0.5))
