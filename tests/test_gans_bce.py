"""The BCE GAN: its losses against numpy, its update, and resume through ``train``."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from _gan_helpers import state_arrays

from mitlgan.gans import BCEGAN
from mitlgan.losses import bce_discriminator_loss, bce_generator_loss, binary_cross_entropy
from mitlgan.training import train

LATENT = 6
FEATURES = 5


def _np_bce(p, target):
    p = np.clip(np.asarray(p, "float64"), 1e-7, 1 - 1e-7)
    return -(target * np.log(p) + (1 - target) * np.log(1 - p))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, "float64")))


def test_losses_match_numpy_on_probabilities_and_logits():
    real = np.array([0.9, 0.6, 0.99, 0.2], "float32")
    fake = np.array([[0.1], [0.5], [0.0], [0.7]], "float32")  # (B, 1); 0.0 is clipped
    expected_d = _np_bce(real, 1).mean() + _np_bce(fake[:, 0], 0).mean()
    np.testing.assert_allclose(float(bce_discriminator_loss(real, fake)), expected_d, rtol=1e-5)
    np.testing.assert_allclose(float(bce_generator_loss(fake)), (-np.log(np.clip(fake, 1e-7, 1))).mean(), rtol=1e-5)
    np.testing.assert_allclose(float(bce_generator_loss(fake, "minimax")),
                               np.log(np.clip(1 - fake, 1e-7, 1)).mean(), rtol=1e-5)

    logits = np.array([-30.0, -2.0, 0.0, 3.0, 40.0], "float32")  # extremes stay finite
    wide = logits.astype("float64")
    # -log sigmoid(l) = log(1 + e^-l) and log(1 - sigmoid(l)) = -log(1 + e^l), in float64
    np.testing.assert_allclose(binary_cross_entropy(logits, 1, from_logits=True, reduction="none"),
                               np.logaddexp(0.0, -wide), rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(float(bce_generator_loss(logits, "minimax", from_logits=True)),
                               -np.logaddexp(0.0, wide).mean(), rtol=1e-5)
    probabilities = _sigmoid(logits[1:4])
    np.testing.assert_allclose(float(bce_discriminator_loss(logits[1:4], logits[1:4], from_logits=True)),
                               _np_bce(probabilities, 1).mean() + _np_bce(probabilities, 0).mean(), rtol=1e-5)
    with pytest.raises(ValueError, match="not one of"):
        bce_generator_loss(fake, "wasserstein")
    per_pair = bce_discriminator_loss(real, fake, reduction="none")
    np.testing.assert_allclose(per_pair.numpy(), _np_bce(real, 1) + _np_bce(fake[:, 0], 0), rtol=1e-5)


def _mlp_models(seed):
    keras.utils.set_random_seed(seed)
    z = keras.Input((LATENT,))
    generator = keras.Model(z, keras.layers.Dense(FEATURES, activation="tanh")(keras.layers.Dense(8)(z)))
    x = keras.Input((FEATURES,))
    hidden = keras.layers.Dense(8, activation="relu")(x)
    discriminator = keras.Model(x, keras.layers.Dense(1, activation="sigmoid")(hidden))
    return generator, discriminator


def _real(count=32, seed=0):
    return np.tanh(np.random.default_rng(seed).normal(0.5, 0.3, (count, FEATURES))).astype("float32")


@pytest.mark.parametrize("generator_loss", ["non_saturating", "minimax"])
def test_one_step_updates_each_side_once_with_the_losses_numpy_computes(generator_loss):
    generator, discriminator = _mlp_models(1)
    gan = BCEGAN(generator, discriminator, generator_loss=generator_loss, seed=5)
    gan.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    real = _real(8)
    context = tf.distribute.get_replica_context()
    z_d, next_draw = gan.draw_latents(0, 8, context)  # what step 0 will draw
    z_g, _ = gan.draw_latents(next_draw, 8, context)
    g_before = [v.numpy() for v in generator.trainable_variables]
    fake_before = generator(z_d).numpy()
    expected_d = (_np_bce(discriminator(real).numpy()[:, 0], 1) + _np_bce(discriminator(fake_before).numpy()[:, 0], 0)).mean()
    expected_real_score = discriminator(real).numpy().mean()

    logs = gan.train_step(tf.constant(real))

    assert int(gan.d_optimizer.iterations.numpy()) == 1 and int(gan.g_optimizer.iterations.numpy()) == 1
    np.testing.assert_allclose(float(logs["discriminator_loss"]), expected_d, rtol=1e-5)
    np.testing.assert_allclose(float(logs["real_score"]), expected_real_score, rtol=1e-5)
    # The generator's loss uses the updated discriminator and the generator before its update.
    g_after = [v.numpy() for v in generator.trainable_variables]
    for variable, value in zip(generator.trainable_variables, g_before):
        variable.assign(value)
    d_fake = discriminator(generator(z_g)).numpy()[:, 0].astype("float64")
    expected_g = -np.log(d_fake).mean() if generator_loss == "non_saturating" else np.log(1 - d_fake).mean()
    np.testing.assert_allclose(float(logs["generator_loss"]), expected_g, rtol=1e-5)
    assert any(np.abs(a - b).max() > 0 for a, b in zip(g_after, g_before))
    assert gan.train_steps == 1


def test_bcegan_resumes_bit_identically_through_train(tmp_path):
    def build(seed):
        generator, discriminator = _mlp_models(seed)
        return BCEGAN(generator, discriminator, latent_distribution="uniform", seed=3)

    data = _real(40)
    straight = build(1)
    train(straight, data, batch_size=8, epochs=3, checkpoint_dir=tmp_path / "a", every=1, verbose=0)
    interrupted = build(1)
    train(interrupted, data, batch_size=8, epochs=2, checkpoint_dir=tmp_path / "b", every=1, verbose=0)
    resumed = build(7)
    result = train(resumed, data, batch_size=8, epochs=3, checkpoint_dir=tmp_path / "b", every=1, verbose=0)
    assert result.resumed_from.name == "ckpt-000002" and resumed.train_steps == 15
    for expected, actual in zip(state_arrays(straight), state_arrays(resumed), strict=True):
        np.testing.assert_array_equal(expected, actual)


def test_bad_arguments_are_named():
    generator, discriminator = _mlp_models(0)
    with pytest.raises(ValueError, match="generator_loss='hinge'"):
        BCEGAN(generator, discriminator, generator_loss="hinge")
    with pytest.raises(ValueError, match="latent_distribution='cauchy'"):
        BCEGAN(generator, discriminator, latent_distribution="cauchy")


def test_several_steps_per_call_train_the_same_weights():
    # 12 steps an epoch: 5 per call would run into the next epoch's batches, so train()
    # lowers it to 4 (a divisor); then weights and epoch logs are one step per call's
    import keras

    import mitlgan
    from mitlgan.models import build_mlp_discriminator, build_mlp_generator
    from mitlgan.training import train

    images = np.random.default_rng(0).uniform(-1, 1, (200, 28, 28, 1)).astype("float32")
    states, histories = [], []
    for steps_per_execution in (1, 5):
        keras.utils.set_random_seed(0)
        gan = mitlgan.BCEGAN(build_mlp_generator(16), build_mlp_discriminator(), seed=3)
        gan.compile(steps_per_execution=steps_per_execution)
        result = train(gan, images, batch_size=16, epochs=2, seed=1, verbose=0)
        assert gan.train_steps == 24
        assert gan.steps_per_execution == (1 if steps_per_execution == 1 else 4)
        states.append([v.numpy() for v in gan.generator.variables + gan.discriminator.variables])
        histories.append(result.history)
    for a, b in zip(*states):
        np.testing.assert_array_equal(a, b)
    assert histories[0] == histories[1]


def test_steps_per_call_divides_the_epoch():
    from mitlgan.training import steps_per_call

    assert [steps_per_call(12, k) for k in (1, 4, 5, 32)] == [1, 4, 4, 12]
    assert steps_per_call(125, 32) == 25 and steps_per_call(7, 32) == 7
    assert steps_per_call(31, 8) == 1  # a prime epoch: one step per call
