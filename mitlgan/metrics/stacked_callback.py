"""Stacked-MNIST modes counted while training: one row of ``history.csv`` per epoch."""

from __future__ import annotations

import keras
import numpy as np

from mitlgan.metrics.stacked_mnist import STACKED_MNIST_SAMPLES, mode_statistics, stacked_modes

__all__ = ["STACKED_LOG_KEYS", "StackedModesCallback"]

STACKED_LOG_KEYS = ("modes_covered", "kl_to_uniform")


class StackedModesCallback(keras.callbacks.Callback):
    """After every epoch, generate ``n`` images from fixed latents and count their modes.

    The protocol of the Unrolled GAN / VEEGAN / PacGAN papers, which also count once per
    epoch: ``n`` = 26,000 samples, each channel classified by an MNIST classifier.

    Args:
        classify: (M, 28, 28, 1) images in the generator's range -> (M, 10) probabilities.
        n: samples per count.
        seed: seed of the fixed latents (``model.sample_latents(n, seed)``).
        batch_size: generator batch.
    """

    def __init__(self, classify, n: int = STACKED_MNIST_SAMPLES, *, seed: int = 0,
                 batch_size: int = 500):
        super().__init__()
        self.classify, self.n, self.seed, self.batch_size = classify, int(n), seed, batch_size
        self.results: list[dict] = []

    def generate(self) -> np.ndarray:
        """(n, S, S, 3) samples of the current generator from the fixed latents."""
        latents = keras.ops.convert_to_numpy(self.model.sample_latents(self.n, seed=self.seed))
        return np.concatenate([
            keras.ops.convert_to_numpy(self.model.generator(latents[i:i + self.batch_size],
                                                            training=False))
            for i in range(0, self.n, self.batch_size)])

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        statistics = mode_statistics(stacked_modes(self.classify, self.generate()))
        statistics["epoch"] = epoch + 1
        self.results.append(statistics)
        logs.update({key: float(statistics[key]) for key in STACKED_LOG_KEYS})
