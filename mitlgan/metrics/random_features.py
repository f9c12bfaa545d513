"""Features from an untrained convolutional network, for domains far from ImageNet.

Naeem et al. (2020) recommend a randomly initialised network's features for precision,
recall, density and coverage outside ImageNet's domain. The network here is fixed by
its seed, so its numbers compare across runs with the same seed and image size, and
every result names it (:attr:`RandomConvFeatures.backbone`).
"""

from __future__ import annotations

import keras
import numpy as np

__all__ = ["RandomConvFeatures"]


class RandomConvFeatures:
    """Four random 3x3 stride-2 convolutions (32, 64, 128, 256 channels, LeakyReLU 0.2),
    flattened: images (N, S, S, C) in [-1, 1] -> float64 (N, (S/16)^2 * 256) features
    (4,096 at 64x64). Flattening, not averaging, keeps where things are: an average over
    the map is dominated by the image's mean colour.

    Args:
        image_shape: (S, S, C) of the images.
        seed: seed of the He-normal weights.
        batch_size: images per forward pass.
    """

    def __init__(self, image_shape, seed: int = 0, batch_size: int = 256):
        initializer = keras.initializers.HeNormal(seed=seed)
        inputs = keras.Input(tuple(image_shape))
        x = inputs
        for index, channels in enumerate((32, 64, 128, 256)):
            x = keras.layers.Conv2D(channels, 3, strides=2, padding="same",
                                    kernel_initializer=initializer, name=f"conv{index}")(x)
            x = keras.layers.LeakyReLU(0.2)(x)
        self.model = keras.Model(inputs, keras.layers.Flatten()(x))
        self.batch_size = batch_size
        self.backbone = f"random-conv4-flat-seed{seed}@{'x'.join(map(str, image_shape))}"

    def __call__(self, images) -> np.ndarray:
        features = self.model.predict(np.asarray(images, np.float32), batch_size=self.batch_size,
                                      verbose=0)
        return features.astype(np.float64)
