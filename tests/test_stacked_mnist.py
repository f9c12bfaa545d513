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
