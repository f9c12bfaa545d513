"""Glyph scores: L1 and SSIM against hand cases and TensorFlow's SSIM, the classifier."""

import numpy as np
import pytest

from mitlgan.metrics.glyphs import (
    character_accuracy,
    gaussian_window,
    per_image_l1,
    per_image_ssim,
    train_glyph_classifier,
)


def test_l1_by_hand():
    a = np.zeros((2, 4, 4, 1))
    b = np.zeros((2, 4, 4, 1))
    b[0, 0, 0, 0] = 1.6  # one pixel of 16 differs by 1.6
    b[1] = -1.0
    np.testing.assert_allclose(per_image_l1(a, b), [0.1, 1.0])
    with pytest.raises(ValueError, match="shapes differ"):
        per_image_l1(a, b[:, :3])


def test_ssim_identical_is_one_and_matches_tensorflow():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (3, 32, 32, 1))
    b = np.clip(a + rng.normal(0, 0.3, a.shape), -1, 1)
    np.testing.assert_allclose(per_image_ssim(a, a), 1.0, atol=1e-12)
    ours = per_image_ssim(a, b)
    theirs = tf.image.ssim(tf.constant(a, tf.float32), tf.constant(b, tf.float32),
                           max_val=2.0).numpy()
    np.testing.assert_allclose(ours, theirs, atol=2e-4)
    assert np.all(ours < 0.9)
    # a constant image against its negative: structure term 1 (both flat), luminance low
    flat = np.full((1, 16, 16, 1), 0.5)
    c1 = (0.01 * 2) ** 2
    np.testing.assert_allclose(per_image_ssim(flat, -flat), (-2 * 0.25 + c1) / (0.5 + c1))


def test_the_window_is_the_normalised_gaussian():
    window = gaussian_window(11, 1.5)
    assert window.shape == (11, 11) and window.sum() == pytest.approx(1.0)
    assert window[5, 5] == window.max() and window[0, 5] == pytest.approx(
        window[5, 5] * np.exp(-25 / (2 * 1.5 ** 2)))


def test_the_window_sums_equal_the_direct_two_dimensional_sum():
    from mitlgan.metrics.glyphs import _filter_valid, gaussian_line

    rng = np.random.default_rng(1)
    images = rng.uniform(-1, 1, (2, 14, 13, 2))
    window = gaussian_window(11, 1.5)
    views = np.lib.stride_tricks.sliding_window_view(images, (11, 11), axis=(1, 2))
    direct = (views * window).sum(axis=(-2, -1))  # (N, 4, 3, C): every fitting position
    np.testing.assert_allclose(_filter_valid(images, gaussian_line(11, 1.5)), direct,
                               rtol=0, atol=1e-12)


def test_the_classifier_reads_the_glyphs_it_was_trained_on():
    from mitlgan.data.fonts import render_glyph

    chars = "0123456789"
    images = np.stack([render_glyph(c, "DejaVuSans.ttf") for c in chars])[..., None]
    model, accuracy = train_glyph_classifier(images, np.arange(10), epochs=15, seed=0)
    assert accuracy >= 0.9
    shifted = np.roll(images, 1, axis=2).astype(np.float32) / 127.5 - 1
    assert character_accuracy(model, shifted, np.arange(10)) >= 0.8
    blank = np.ones((10, 64, 64, 1), np.float32)  # an empty canvas is not a digit
    assert character_accuracy(model, blank, np.arange(10)) <= 0.2


def test_the_style_agnostic_floor_by_hand():
    from mitlgan.metrics.glyphs import style_agnostic_floor

    # four styles of one 2x2 glyph; per pixel the median of four values is the mean of
    # the middle two
    glyphs = np.array([[[[-1.0, -1.0], [1.0, 0.0]]],
                       [[[-1.0, 1.0], [1.0, 0.0]]],
                       [[[1.0, 1.0], [-1.0, 0.0]]],
                       [[[1.0, 1.0], [1.0, 1.0]]]])
    # medians: (-1,-1,1,1) -> 0; (-1,1,1,1) -> 1; (1,1,-1,1) -> 1; (0,0,0,1) -> 0
    # |style - median| per pixel, averaged over the 4 pixels:
    #   style 0: (1 + 2 + 0 + 0) / 4 = 0.75; style 1: (1 + 0 + 0 + 0) / 4 = 0.25
    #   style 2: (1 + 0 + 2 + 0) / 4 = 0.75; style 3: (1 + 0 + 0 + 1) / 4 = 0.5
    overall, per_style = style_agnostic_floor(glyphs)
    assert per_style == [0.75, 0.25, 0.75, 0.5] and overall == 0.5625
    # no other style-agnostic image does better on average: the mean over styles here
    mean_image = glyphs.mean(axis=0, keepdims=True)
    assert np.abs(glyphs - mean_image).mean() > overall
