"""Mode counting on Stacked MNIST: each channel classified by the MNIST judge.

Protocol of the Unrolled GAN / VEEGAN / PacGAN papers: 26,000 generated samples, each
of the three channels classified by a pretrained MNIST classifier; report the modes
covered (of 1,000) and KL(generated mode histogram ‖ uniform).
"""

from __future__ import annotations

import numpy as np

from mitlgan.data.stacked_mnist import NUM_STACKED_MODES, stacked_mode
from mitlgan.metrics.judge import kl_to_uniform

__all__ = ["STACKED_MNIST_SAMPLES", "mode_statistics", "stacked_modes"]

STACKED_MNIST_SAMPLES = 26_000


def stacked_modes(classify, images) -> np.ndarray:
    """Mode ids (N,) in 0..999 of (N, S, S, 3) images, S >= 28.

    ``classify`` maps (M, 28, 28, 1) images to (M, 10) class probabilities (e.g.
    ``Judge.features_and_probabilities(x)[1]``). Images larger than 28x28 (the DCGAN's
    32x32, padded by :func:`mitlgan.data.stacked_mnist.pad_digits`) are cropped to their
    central 28x28 first.
    """
    images = np.asarray(images, np.float32)
    if images.ndim != 4 or images.shape[-1] != 3 or min(images.shape[1:3]) < 28:
        raise ValueError(f"stacked images must be (N, S, S, 3) with S >= 28; got {images.shape}")
    top, left = (images.shape[1] - 28) // 2, (images.shape[2] - 28) // 2
    images = images[:, top:top + 28, left:left + 28]
    digits = [np.argmax(classify(images[..., c:c + 1]), axis=1) for c in range(3)]
    return stacked_mode(*digits)


def mode_statistics(modes) -> dict:
    """{"modes_covered": of 1,000, "kl_to_uniform": nats, "n": samples} of mode ids."""
    counts = np.bincount(np.asarray(modes, np.int64), minlength=NUM_STACKED_MODES)
    return {"modes_covered": int(np.sum(counts > 0)), "kl_to_uniform": kl_to_uniform(counts),
            "n": int(counts.sum())}
