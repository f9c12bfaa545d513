"""The shared adversarial base: a new GAN family gets noise, data, checkpoints and resume."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from _gan_helpers import IMAGE_SIZE, state_arrays, tiny_images, tiny_models

from mitlgan.gans import LatentAdversarialModel
from mitlgan.training import train


class LeastSquaresGAN(LatentAdversarialModel):
    """A toy family (LSGAN losses, one update per side) written only against the base."""

    metric_names = ("d_loss", "g_loss")
    state_group = "lsgan"

    def train_step(self, data):
        context = tf.distribute.get_replica_context()
        real = tf.cast(data[0] if isinstance(data, (tuple, list)) else data, tf.float32)
        local_batch = self.local_batch_size(real)
        global_batch = self.global_batch(local_batch, context)
        z, draw = self.draw_latents(0, local_batch, context)
        with tf.GradientTape() as tape:
            real_scores = tf.reshape(self.discriminator(real, training=True), [-1])
            fake_scores = tf.reshape(self.discriminator(self.generator(z, training=True), training=True), [-1])
            d_loss = tf.reduce_sum((real_scores - 1.0) ** 2 + fake_scores**2) / global_batch
        variables = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, variables), variables))
        z, _ = self.draw_latents(draw, local_batch, context)
        with tf.GradientTape() as tape:
            fake_scores = tf.reshape(self.discriminator(self.generator(z, training=True), training=True), [-1])
            g_loss = tf.reduce_sum((fake_scores - 1.0) ** 2) / global_batch
        variables = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, variables), variables))
        self.tracker("d_loss").update_state(d_loss)
        self.tracker("g_loss").update_state(g_loss)
        self.step_counter.assign_add(1)
        return self.tracker_results()


def _toy(seed=4):
    generator, discriminator = tiny_models(seed, prefix="toy_")
    return LeastSquaresGAN(generator, discriminator, latent_distribution="uniform", seed=9)


def test_a_new_family_resumes_bit_identically_through_train(tmp_path):
    images = tiny_images(24)
    straight = _toy()
    train(straight, images, batch_size=4, epochs=2, checkpoint_dir=tmp_path / "a", every=1,
          history_csv=tmp_path / "a.csv", verbose=0)

    interrupted = _toy()
    train(interrupted, images, batch_size=4, epochs=1, checkpoint_dir=tmp_path / "b", every=1,
          verbose=0)
    resumed = _toy(seed=99)  # other initial weights: everything must come from the checkpoint
    result = train(resumed, images, batch_size=4, epochs=2, checkpoint_dir=tmp_path / "b", every=1,
                   verbose=0)

    assert result.initial_epoch == 1 and resumed.train_steps == straight.train_steps == 12
    for expected, actual in zip(state_arrays(straight), state_arrays(resumed), strict=True):
        np.testing.assert_array_equal(expected, actual)
    meta = json.loads((tmp_path / "a" / "ckpt-000002" / "meta.json").read_text())
    assert set(meta["variables"]) == {"generator", "discriminator", "lsgan", "g_optimizer", "d_optimizer"}
    assert meta["discriminator_optimizer_iterations"] == 12
    assert (tmp_path / "a.csv").read_text().splitlines()[0].split(",")[:4] == [
        "epoch", "train_steps", "d_loss", "g_loss"]


def test_uniform_latents_have_the_moments_of_u_minus_one_one():
    gan = _toy()
    z = np.asarray(gan.sample_latents(4096, seed=3))
    assert z.shape == (4096, 32)
    assert z.min() >= -1.0 and z.max() < 1.0
    # U[-1, 1): mean 0, variance 1/3; standard errors over 131k draws are ~0.0016 and ~0.0008.
    assert abs(z.mean()) < 0.01 and abs(z.var() - 1.0 / 3.0) < 0.005
    np.testing.assert_array_equal(z, np.asarray(gan.sample_latents(4096, seed=3)))


def test_tuple_data_are_gathered_with_the_same_indices_and_epoch_order_is_a_function_of_the_epoch():
    gan = _toy()
    images = tiny_images(20)
    labels = np.arange(20, dtype="int32")
    whole = list(gan.prepare_dataset((images, labels), 4, epochs=3, seed=5))
    assert len(whole) == 15
    for batch_images, batch_labels in whole:
        np.testing.assert_array_equal(batch_images.numpy(), images[batch_labels.numpy()])
    last_epoch = list(gan.prepare_dataset((images, labels), 4, epochs=3, initial_epoch=2, seed=5))
    for (_, a_labels), (_, b_labels) in zip(whole[10:], last_epoch, strict=True):
        np.testing.assert_array_equal(a_labels.numpy(), b_labels.numpy())
    first_epoch_labels = np.concatenate([b.numpy() for _, b in whole[:5]])
    assert sorted(first_epoch_labels.tolist()) == list(range(20))  # every example once per epoch


def test_bad_real_data_are_refused_with_the_expected_shape():
    gan = _toy()
    bad = np.zeros((8, IMAGE_SIZE + 1, IMAGE_SIZE, 3), "float32")
    try:
        gan.prepare_dataset(bad, 4, epochs=1)
    except ValueError as error:
        assert f"(N,) + {(IMAGE_SIZE, IMAGE_SIZE, 3)}" in str(error)
    else:
        raise AssertionError("a wrong image shape was accepted")
    try:
        gan.prepare_dataset((tiny_images(8), np.zeros(7)), 4, epochs=1)
    except ValueError as error:
        assert "different lengths" in str(error)
    else:
        raise AssertionError("arrays of different lengths were accepted")


def test_default_optimizers_are_two_objects_and_keras_sees_the_trackers():
    gan = _toy()
    gan.compile()
    assert gan.g_optimizer is not gan.d_optimizer
    assert isinstance(gan.g_optimizer, keras.optimizers.Adam)
    assert [m.name for m in gan.metrics] == ["d_loss", "g_loss"]


def test_a_keras_io_style_positional_compile_raises_naming_the_keywords():
    # keras-io's GANs are compile(d_optimizer, g_optimizer, loss_fn): copied here
    # positionally it would swap the two optimizers without a word.
    gan = _toy()
    d_optimizer, g_optimizer = keras.optimizers.Adam(1e-3), keras.optimizers.Adam(2e-4)
    with pytest.raises(TypeError, match=r"compile\(g_optimizer=\.\.\., d_optimizer=\.\.\.\)"):
        gan.compile(d_optimizer, g_optimizer, keras.losses.BinaryCrossentropy())
    with pytest.raises(TypeError, match="keywords"):
        gan.compile(g_optimizer)
    gan.compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer)
    assert gan.g_optimizer is g_optimizer and gan.d_optimizer is d_optimizer
