"""Latent interpolation: exact end points, the norms slerp keeps, the weights document 002 meant."""

import numpy as np
import pytest

from mitlgan.interpolation import (
    interpolate_images,
    interpolate_latents,
    interpolation_weights,
    latent_swap_images,
)


def test_weights_reach_both_end_points():
    assert interpolation_weights(9).tolist() == [i / 8 for i in range(9)]
    with pytest.raises(ValueError, match="at least its 2 end points"):
        interpolation_weights(1)


def test_linear_path_by_hand():
    path = interpolate_latents([0.0, 2.0], [4.0, -2.0], count=5)
    np.testing.assert_allclose(path, [[0, 2], [1, 1], [2, 0], [3, -1], [4, -2]])


def test_spherical_path_keeps_norms_between_the_end_points_and_moves_on_the_circle():
    rng = np.random.default_rng(0)
    z0, z1 = rng.standard_normal(100), 1.3 * rng.standard_normal(100)
    path = interpolate_latents(z0, z1, count=9, method="spherical").astype(np.float64)
    norms = np.linalg.norm(path, axis=1)
    low, high = sorted((np.linalg.norm(z0), np.linalg.norm(z1)))
    assert np.all(norms >= low * (1 - 1e-6)) and np.all(norms <= high * (1 + 1e-6))
    # Equal angular steps: the angle between neighbours is the total angle / 8.
    units = path / norms[:, None]
    steps = np.arccos(np.clip(np.sum(units[1:] * units[:-1], axis=1), -1, 1))
    total = np.arccos(units[0] @ units[-1])
    np.testing.assert_allclose(steps, total / 8, rtol=1e-4)
    # The linear path dips towards the origin instead.
    linear = np.linalg.norm(interpolate_latents(z0, z1, 9), axis=1)
    assert linear[4] < low


def test_end_point_images_equal_the_generators_images_at_the_latents():
    from mitlgan.models import build_mlp_generator

    generator = build_mlp_generator()
    rng = np.random.default_rng(1)
    z0, z1 = rng.standard_normal(100).astype("float32"), rng.standard_normal(100).astype("float32")
    alone = np.asarray(generator(np.stack([z0, z1]), training=False))
    for method in ("linear", "spherical"):
        path = interpolate_latents(z0, z1, 9, method)
        np.testing.assert_array_equal(path[0], z0)  # the latents are exactly the end points
        np.testing.assert_array_equal(path[-1], z1)
        images = interpolate_images(generator, z0, z1, 9, method)
        assert images.shape == (9, 28, 28, 1)
        # Images: equal up to float32 matmul rounding, which depends on the batch size.
        np.testing.assert_allclose(images[[0, -1]], alone, rtol=0, atol=1e-6)


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="unknown interpolation 'cubic'"):
        interpolate_latents([1.0], [2.0], method="cubic")
    with pytest.raises(ValueError, match="different shapes"):
        interpolate_latents([1.0, 2.0], [2.0])
    with pytest.raises(ValueError, match="away from the origin"):
        interpolate_latents([0.0, 0.0], [1.0, 0.0], method="spherical")


def test_latent_swap_rows_share_the_foreground_and_columns_the_background_latent():
    import keras

    # A toy two-latent generator whose image is the pair (sum of z_fg, sum of z_bg): each
    # pixel column reveals which latent the image got.
    z_fg = keras.Input((3,))
    z_bg = keras.Input((2,))
    fg = keras.layers.Lambda(lambda z: keras.ops.sum(z, axis=1, keepdims=True))(z_fg)
    bg = keras.layers.Lambda(lambda z: keras.ops.sum(z, axis=1, keepdims=True))(z_bg)
    image = keras.layers.Reshape((1, 2, 1))(keras.layers.Concatenate()([fg, bg]))
    generator = keras.Model([z_fg, z_bg], image)
    images = latent_swap_images(generator, side=3, seed=4)
    assert images.shape == (9, 1, 2, 1)
    rng = np.random.default_rng(4)  # the documented latents: side draws per input
    fg_sums = rng.standard_normal((3, 3)).sum(axis=1)
    bg_sums = rng.standard_normal((3, 2)).sum(axis=1)
    grid = images[:, 0, :, 0].reshape(3, 3, 2)
    np.testing.assert_allclose(grid[..., 0], np.repeat(fg_sums[:, None], 3, 1), atol=1e-5)
    np.testing.assert_allclose(grid[..., 1], np.repeat(bg_sums[None, :], 3, 0), atol=1e-5)
    with pytest.raises(ValueError, match="two latent inputs"):
        latent_swap_images(keras.Model(z_fg, fg))
