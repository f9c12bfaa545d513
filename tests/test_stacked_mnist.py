"""Stacked MNIST: building the 1,000-mode data and counting modes."""

import math

import numpy as np
import pytest

from mitlgan.data import load_mnist
from mitlgan.data.stacked_mnist import make_stacked_mnist, stacked_mode
from mitlgan.metrics.stacked_mnist import STACKED_MNIST_SAMPLES, mode_statistics, stacked_modes


@pytest.fixture(scope="module")
def digits():
    return load_mnist("embedded", verbose=False)


def test_modes_are_the_digit_triples():
    assert stacked_mode([1, 9, 0], [2, 9, 0], [3, 9, 7]).tolist() == [123, 999, 7]


def test_real_stacked_data_covers_all_modes_nearly_uniformly(digits):
    images, modes = make_stacked_mnist(digits.train_images, digits.train_labels,
                                       STACKED_MNIST_SAMPLES, seed=0)
    assert images.shape == (26_000, 28, 28, 3) and images.dtype == np.uint8
    stats = mode_statistics(modes)
    assert stats["modes_covered"] == 1000 and stats["n"] == 26_000
    # 26 samples per mode on average: KL to uniform is small (the class sizes differ a little).
    assert stats["kl_to_uniform"] < 0.05


def test_each_channel_is_classified_and_one_repeated_image_covers_one_mode(digits):
    images, modes = make_stacked_mnist(digits.test_images, digits.test_labels, 50, seed=1)
    lookup = {img.tobytes(): label for img, label in
              zip(digits.test_images[..., 0], digits.test_labels)}

    def oracle(channel):  # a perfect classifier: the true label of each digit
        labels = [lookup[np.asarray(c[..., 0], np.uint8).tobytes()] for c in channel]
        return np.eye(10)[labels]

    np.testing.assert_array_equal(stacked_modes(oracle, images), modes)
    one = np.repeat(images[:1], 500, axis=0)
    stats = mode_statistics(stacked_modes(oracle, one))
    assert stats["modes_covered"] == 1 and stats["kl_to_uniform"] == pytest.approx(math.log(1000))


def _oracle(digits):
    lookup = {img.tobytes(): label for img, label in
              zip(digits.test_images[..., 0], digits.test_labels)}
    return lambda channel: np.eye(10)[[lookup[np.asarray(c[..., 0], np.uint8).tobytes()]
                                       for c in channel]]


def test_padded_stacks_are_counted_by_their_central_28x28(digits):
    from mitlgan.data.stacked_mnist import pad_digits

    images, modes = make_stacked_mnist(digits.test_images, digits.test_labels, 40, seed=3)
    padded = pad_digits(images, 32, background=0)
    assert padded.shape == (40, 32, 32, 3)
    np.testing.assert_array_equal(padded[:, 2:30, 2:30], images)
    assert padded[:, :2].max() == 0 and padded[:, 30:].max() == 0
    np.testing.assert_array_equal(stacked_modes(_oracle(digits), padded), modes)
    with pytest.raises(ValueError, match="28, 28"):
        pad_digits(np.zeros((2, 32, 32, 3)))
    with pytest.raises(ValueError, match="S >= 28"):
        stacked_modes(_oracle(digits), np.zeros((2, 24, 24, 3)))


class _Lookup:
    """A stand-in GAN whose 'generator' returns stored images: latent i -> image i."""

    def __init__(self, images):
        self.images = images

    def sample_latents(self, n, seed=0):
        return np.arange(n)[:, None]

    def generator(self, latents, training=False):
        return self.images[np.asarray(latents)[:, 0]]


def test_the_callback_counts_what_the_generator_emits_each_epoch(digits):
    from mitlgan.metrics.stacked_callback import StackedModesCallback

    images, modes = make_stacked_mnist(digits.test_images, digits.test_labels, 600, seed=4)
    counter = StackedModesCallback(_oracle(digits), 600, batch_size=128)
    counter.set_model(_Lookup(images))
    logs = {}
    counter.on_epoch_end(0, logs)
    expected = mode_statistics(modes)
    assert logs["modes_covered"] == expected["modes_covered"]
    assert logs["kl_to_uniform"] == pytest.approx(expected["kl_to_uniform"])
    counter.set_model(_Lookup(np.repeat(images[:1], 600, axis=0)))  # collapsed to one stack
    counter.on_epoch_end(1, logs)
    assert logs["modes_covered"] == 1 and logs["kl_to_uniform"] == pytest.approx(math.log(1000))
    assert [r["epoch"] for r in counter.results] == [1, 2]
