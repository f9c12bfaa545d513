"""Part attribution: 1.0 for a generator that pastes a z_fg sprite on a z_bg background
through the true mask, about 0.5 when both latents change every pixel."""

import numpy as np
import pytest

from mitlgan.metrics.attribution import part_attribution, pixel_change

SIZE = 16


def _sprite_mask(z_fg):
    """A square whose position depends on z_fg: (N, S, S) in {0, 1}."""
    masks = np.zeros((len(z_fg), SIZE, SIZE))
    for i, z in enumerate(z_fg):
        top = int(np.clip(4 + 3 * z[0], 0, SIZE - 6))
        masks[i, top:top + 6, 5:11] = 1.0
    return masks


def _pasting_generator(z_fg, z_bg):
    mask = _sprite_mask(z_fg)[..., None]
    sprite = np.tanh(z_fg[:, None, None, :3]) * np.ones((1, SIZE, SIZE, 3))
    ramp = np.linspace(-1, 1, SIZE)[None, :, None, None]
    background = np.tanh(z_bg[:, None, None, :3]) * ramp
    return mask * sprite + (1 - mask) * background


def test_a_pasting_generator_is_perfectly_separated():
    rng = np.random.default_rng(0)
    z_fg, z_bg = rng.normal(size=(20, 4)), rng.normal(size=(20, 4))
    z_fg2, z_bg2 = rng.normal(size=(20, 4)), rng.normal(size=(20, 4))
    masks = {id(z): _sprite_mask(z) for z in (z_fg, z_fg2)}

    def masks_of(images):  # the true mask of the image just generated, by identity
        for zf in (z_fg, z_fg2):
            if np.array_equal(images, _pasting_generator(zf, z_bg)) or np.array_equal(
                    images, _pasting_generator(zf, z_bg2)):
                return masks[id(zf)]
        raise AssertionError("unknown image")

    result = part_attribution(_pasting_generator, masks_of, z_fg, z_bg, z_fg2, z_bg2)
    assert result["foreground_share"] == pytest.approx(1.0)
    assert result["background_share"] == pytest.approx(1.0)
    assert result["score"] == pytest.approx(1.0) and result["n"] == 20


def test_latents_that_change_every_pixel_score_about_half():
    rng = np.random.default_rng(1)
    z_fg, z_bg = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    z_fg2, z_bg2 = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))

    def generate(zf, zb):  # every pixel depends on both latents in the same way
        return np.tanh(zf[:, None, None, :] + zb[:, None, None, :]) * np.ones((1, SIZE, SIZE, 3))

    half = np.zeros((SIZE, SIZE))
    half[:, :SIZE // 2] = 1.0  # a fixed mask covering half of the image
    result = part_attribution(generate, lambda images: np.broadcast_to(half, images.shape[:3]),
                              z_fg, z_bg, z_fg2, z_bg2)
    assert result["foreground_share"] == pytest.approx(0.5)
    assert result["background_share"] == pytest.approx(0.5)
    assert result["score"] == pytest.approx(0.5)
    assert result["foreground_fraction"] == pytest.approx(0.5)  # the half mask


def test_pixel_change_by_hand_and_a_generator_that_ignores_its_latents():
    a = np.zeros((1, 2, 2, 3))
    b = a.copy()
    b[0, 0, 1] = [0.5, -0.5, 1.0]
    np.testing.assert_allclose(pixel_change(a, b)[0], [[0.0, 2.0], [0.0, 0.0]])
    z = np.zeros((3, 2))
    with pytest.raises(ValueError, match="ignores its latents"):
        part_attribution(lambda f, b: np.zeros((3, 4, 4, 3)),
                         lambda images: np.zeros(images.shape[:3]), z, z, z + 1, z + 1)
