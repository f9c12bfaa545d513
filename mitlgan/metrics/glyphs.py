"""Scores of transferred glyphs against the true target glyphs (font transfer has them).

Pure numpy, float64: per-image mean L1 and SSIM (Wang et al. 2004: 11x11 Gaussian
window, sigma 1.5, K1 0.01, K2 0.03, over the window positions that fit, as
``tf.image.ssim`` computes it), and the accuracy of a glyph classifier
(:func:`train_glyph_classifier`, trained on the real target fonts' renders).
"""

from __future__ import annotations

import numpy as np

__all__ = ["character_accuracy", "gaussian_line", "gaussian_window", "glyph_classifier",
           "per_image_l1", "per_image_ssim", "train_glyph_classifier"]

SSIM_WINDOW, SSIM_SIGMA, SSIM_K1, SSIM_K2 = 11, 1.5, 0.01, 0.03


def _as_batch(images) -> np.ndarray:
    images = np.asarray(images, np.float64)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4:
        raise ValueError(f"expected images (N, H, W, C) or (N, H, W); got shape {images.shape}")
    return images


def per_image_l1(a, b) -> np.ndarray:
    """float64 (N,) mean |a - b| of each image pair (same shapes; [-1, 1] images give
    values in [0, 2])."""
    a, b = _as_batch(a), _as_batch(b)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    return np.abs(a - b).mean(axis=(1, 2, 3))



def style_agnostic_floor(targets_by_style) -> tuple[float, list[float]]:
    """The held-out L1 that no model ignoring the style id can beat on average.

    Such a model draws one image per character whatever the style; the per-pixel median
    of the true targets over the styles minimises the summed absolute error to them, so
    its L1 is the floor.

    Args:
        targets_by_style: (K, N, H, W[, C]) true target glyphs of the same N characters in
            K styles, in [-1, 1].

    Returns:
        (mean L1 over styles and characters, [mean L1 of each style]).
    """
    targets = np.asarray(targets_by_style, np.float64)
    median = np.median(targets, axis=0, keepdims=True)
    per_style = np.abs(targets - median).reshape(targets.shape[0], -1).mean(axis=1)
    return float(per_style.mean()), [float(v) for v in per_style]

def nearest_style_rate(outputs_by_style, targets_by_style) -> float:
    """How often a glyph generated under style s is nearer (mean L1) to style s's true
    glyph of the same character than to every other style's: a test of style that blur
    cannot win (a per-pixel median ignores the style and scores exactly 1/K).

    Args:
        outputs_by_style: (K, N, H, W[, C]) generated glyphs of the same N characters
            under each of K >= 2 styles.
        targets_by_style: the true glyphs, same shape.

    Returns:
        The fraction in [0, 1] of the K * N (style, character) pairs whose nearest true
        glyph is their own style's (ties count against).
    """
    outputs = np.asarray(outputs_by_style, np.float32)
    targets = np.asarray(targets_by_style, np.float32)
    if outputs.shape != targets.shape or outputs.ndim < 3 or outputs.shape[0] < 2:
        raise ValueError(f"need (K >= 2, N, H, W[, C]) outputs and targets of one shape, got "
                         f"{outputs.shape} and {targets.shape}")
    k, n = outputs.shape[:2]
    flat_out, flat_true = outputs.reshape(k, n, -1), targets.reshape(k, n, -1)
    # distance[s, t, c]: output of character c under style s against style t's true
    # glyph; one target style at a time keeps memory at K x N images (a CJK charset)
    distance = np.stack([np.abs(flat_out - flat_true[t][None]).mean(axis=-1, dtype=np.float64)
                         for t in range(k)], axis=1)
    own = distance[np.arange(k), np.arange(k)]  # (K, N)
    others = distance.copy()
    others[np.arange(k), np.arange(k)] = np.inf
    return float(np.mean(own < others.min(axis=1)))


def gaussian_line(size: int = SSIM_WINDOW, sigma: float = SSIM_SIGMA) -> np.ndarray:
    """float64 (size,) Gaussian weights summing to 1: the window's separable factor."""
    offsets = np.arange(size, dtype=np.float64) - (size - 1) / 2.0
    line = np.exp(-offsets ** 2 / (2 * sigma ** 2))
    return line / line.sum()


def gaussian_window(size: int = SSIM_WINDOW, sigma: float = SSIM_SIGMA) -> np.ndarray:
    """float64 (size, size) Gaussian weights summing to 1."""
    line = gaussian_line(size, sigma)
    return np.outer(line, line)


def _band(length: int, line: np.ndarray) -> np.ndarray:
    """(length, length - k + 1) matrix whose column i holds ``line`` at rows i..i+k-1, so
    ``x @ band`` is the valid 1-D weighted window sum along x's last axis."""
    positions = length - len(line) + 1
    band = np.zeros((length, positions))
    for i in range(positions):
        band[i:i + len(line), i] = line
    return band


def _filter_valid(images: np.ndarray, line: np.ndarray) -> np.ndarray:
    """Weighted window sums of the separable window outer(line, line) over every position
    where it fits: (N, H, W, C) -> (N, H-k+1, W-k+1, C). Two banded matrix products
    (BLAS): the 2-D window sum took ~10 s an epoch in zi2zi's held-out scoring."""
    channels_first = np.moveaxis(images, -1, 1)  # (N, C, H, W)
    rows, cols = _band(images.shape[1], line), _band(images.shape[2], line)
    return np.moveaxis(rows.T @ channels_first @ cols, 1, -1)


def per_image_ssim(a, b, data_range: float = 2.0) -> np.ndarray:
    """float64 (N,) SSIM of each image pair, averaged over positions and channels.

    Args:
        a, b: (N, H, W, C) or (N, H, W) images, H and W at least 11.
        data_range: max - min of the pixel scale (2 for [-1, 1]).
    """
    a, b = _as_batch(a), _as_batch(b)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    line = gaussian_line()
    if min(a.shape[1:3]) < len(line):
        raise ValueError(f"SSIM needs images of at least {len(line)}x{len(line)}")
    c1, c2 = (SSIM_K1 * data_range) ** 2, (SSIM_K2 * data_range) ** 2
    mu_a, mu_b = _filter_valid(a, line), _filter_valid(b, line)
    var_a = _filter_valid(a * a, line) - mu_a ** 2
    var_b = _filter_valid(b * b, line) - mu_b ** 2
    covariance = _filter_valid(a * b, line) - mu_a * mu_b
    ssim_map = ((2 * mu_a * mu_b + c1) * (2 * covariance + c2)) / (
        (mu_a ** 2 + mu_b ** 2 + c1) * (var_a + var_b + c2))
    return ssim_map.mean(axis=(1, 2, 3))


def glyph_classifier(image_size: int, num_classes: int):
    """A small CNN: (B, S, S, 1) glyphs in [-1, 1] -> (B, num_classes) logits.

    Conv 32/64/128/128 3x3 stride 2 with ReLU, flattened (where the strokes are
    matters, so no global pooling), dense logits.
    """
    import keras

    return keras.Sequential([
        keras.Input((image_size, image_size, 1)),
        keras.layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2D(64, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2D(128, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2D(128, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(num_classes),
    ], name="glyph_classifier")


def train_glyph_classifier(images, labels, *, epochs: int = 30, max_shift: int = 2,
                           seed: int = 0, batch_size: int = 64, min_images_per_epoch: int = 2048):
    """Train :func:`glyph_classifier` on real glyph renders.

    Each epoch sees every render shifted by up to ``max_shift`` pixels (new shifts
    every epoch), so a glyph drawn a little off its place is still read; sets smaller
    than ``min_images_per_epoch`` are repeated, each copy with its own shift.

    Args:
        images: (N, S, S, 1) uint8 renders (black on white) or floats in [-1, 1].
        labels: (N,) int character indices.

    Returns:
        (model, training accuracy on the unshifted renders).
    """
    import keras

    images = np.asarray(images)
    if images.dtype == np.uint8:
        images = images.astype(np.float32) / 127.5 - 1.0
    labels = np.asarray(labels, np.int64)
    keras.utils.set_random_seed(seed)
    model = glyph_classifier(images.shape[1], int(labels.max()) + 1)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(seed)
    copies = max(1, -(-min_images_per_epoch // len(images)))  # small sets are repeated
    for _ in range(epochs):
        shifts = rng.integers(-max_shift, max_shift + 1, size=(copies, 2))
        # np.roll wraps, which is harmless: the canvas margins are white
        moved = np.concatenate([np.roll(images, tuple(s), axis=(1, 2)) for s in shifts])
        model.fit(moved, np.tile(labels, copies), batch_size=batch_size, epochs=1, shuffle=True,
                  verbose=0)
    return model, character_accuracy(model, images, labels)


def character_accuracy(model, images, labels) -> float:
    """Fraction of ``images`` (in [-1, 1], (N, S, S, 1) or more channels: the first is
    used) the classifier reads as their ``labels``."""
    images = np.asarray(images, np.float32)[..., :1]
    logits = model.predict(images, batch_size=256, verbose=0)
    return float(np.mean(np.argmax(logits, axis=1) == np.asarray(labels)))
