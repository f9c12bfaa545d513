"""The embedded synthetic scene set: determinism, compositing algebra, ranges, looks."""

import numpy as np
import pytest

from mitlgan.data import composite, make_backgrounds, make_sprites, synthetic_scenes

S = 32
IMAGE_PARTS = ("foreground", "background", "combined")


@pytest.fixture(scope="module")
def scenes():
    return synthetic_scenes(20, image_size=S, seed=7, return_layers=True)


def test_same_seed_same_arrays_other_seed_other_arrays():
    a = synthetic_scenes(5, image_size=S, seed=1)
    b = synthetic_scenes(5, image_size=S, seed=1)
    c = synthetic_scenes(5, image_size=S, seed=2)
    assert set(a) == {"foreground", "background", "combined", "mask"}
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
        # Every image differs, not just some pixels of one of them.
        diff = np.abs(a[key] - c[key]).reshape(5, -1).max(axis=1)
        assert np.all(diff > 0.1), key


def test_first_images_do_not_depend_on_n():
    # 20 crosses a chunk boundary of the vectorised generator.
    small = synthetic_scenes(3, image_size=S, seed=4)
    large = synthetic_scenes(20, image_size=S, seed=4)
    for key in small:
        np.testing.assert_array_equal(small[key], large[key][:3])


def test_shapes_dtypes_and_ranges(scenes):
    for key in IMAGE_PARTS + ("sprite", "combined_sprite", "combined_background"):
        x = scenes[key]
        assert x.shape == (20, S, S, 3) and x.dtype == np.float32, key
        assert x.min() >= -1.0 and x.max() <= 1.0, key
    for key in ("mask", "combined_mask"):
        m = scenes[key]
        assert m.shape == (20, S, S, 1) and m.dtype == np.float32
        assert m.min() == 0.0 and m.max() == 1.0
    # Anti-aliased edges: some coverage values strictly between 0 and 1.
    assert np.any((scenes["mask"] > 0.05) & (scenes["mask"] < 0.95))


def test_foreground_is_black_outside_the_mask(scenes):
    fg, mask = scenes["foreground"], scenes["mask"][..., 0]
    outside = fg[mask == 0]
    assert outside.size > 0
    assert np.all(outside == -1.0)
    # And the sprite actually shows inside: not black where fully covered.
    inside = fg[mask == 1]
    assert inside.size > 0 and np.mean(inside.max(axis=-1) > -0.9) > 0.9


def test_foreground_is_the_sprite_composited_on_black(scenes):
    m = scenes["mask"].astype(np.float64)
    expected = m * scenes["sprite"] + (1.0 - m) * -1.0
    np.testing.assert_allclose(scenes["foreground"], expected, atol=1e-6)


def test_combined_is_mask_times_sprite_plus_rest_times_background(scenes):
    m = scenes["combined_mask"].astype(np.float64)
    expected = m * scenes["combined_sprite"] + (1.0 - m) * scenes["combined_background"]
    np.testing.assert_allclose(scenes["combined"], expected, atol=1e-6)
    # Where the mask is 0 the combined image is exactly the background.
    out = scenes["combined_mask"][..., 0] == 0
    np.testing.assert_array_equal(scenes["combined"][out], scenes["combined_background"][out])


def test_combined_part_is_drawn_independently_of_the_other_parts(scenes):
    # Other sprites and other backgrounds than the foreground/background parts.
    assert not np.allclose(scenes["combined_mask"], scenes["mask"])
    assert (
        np.abs(scenes["combined_background"] - scenes["background"]).reshape(20, -1).max(1).min()
        > 0.1
    )


def test_the_layers_are_the_public_generators_with_derived_seeds():
    sprite, mask = make_sprites(4, S, seed=(3, 2))
    bg = make_backgrounds(4, S, seed=(3, 3))
    scenes = synthetic_scenes(4, S, seed=3, return_layers=True)
    np.testing.assert_array_equal(scenes["combined"], composite(sprite, mask, bg))


def test_sprites_are_creatures_of_varied_size_mostly_centred():
    _, mask = make_sprites(64, 48, seed=0)
    m = mask[..., 0]
    area = m.mean(axis=(1, 2))
    assert area.min() > 0.03 and area.max() < 0.8
    assert area.std() > 0.02  # varied size
    ys, xs = np.mgrid[0:48, 0:48]
    cy = (m * ys).sum(axis=(1, 2)) / m.sum(axis=(1, 2))
    cx = (m * xs).sum(axis=(1, 2)) / m.sum(axis=(1, 2))
    centred = (np.abs(cy - 23.5) < 12) & (np.abs(cx - 23.5) < 12)
    assert centred.mean() > 0.9
    # Nothing touches the frame in most sprites (they are whole, like pokemon sprites).
    border = np.concatenate([m[:, 0], m[:, -1], m[:, :, 0], m[:, :, -1]], axis=1)
    assert (border.max(axis=1) == 0).mean() > 0.8


def test_backgrounds_have_a_sky_above_and_ground_below():
    bg = make_backgrounds(32, 48, seed=0, blur_probability=0.0)
    top, bottom = bg[:, :4], bg[:, -4:]
    # Sky: bluer than red at the top in most scenes; the ground differs from the sky.
    assert np.mean(top[..., 2].mean(axis=(1, 2)) > top[..., 0].mean(axis=(1, 2))) > 0.6
    assert np.all(np.abs(top.mean(axis=(1, 2)) - bottom.mean(axis=(1, 2))).max(axis=1) > 0.05)


def test_background_blur_smooths_the_same_scene():
    sharp = make_backgrounds(8, S, seed=5, blur_probability=0.0)
    blurred = make_backgrounds(8, S, seed=5, blur_probability=1.0)

    def roughness(x):
        return np.abs(np.diff(x, axis=2)).mean(axis=(1, 2, 3))

    assert np.all(roughness(blurred) < roughness(sharp))
    # Same scene: the blurred image stays close to the sharp one on average.
    assert np.abs(blurred - sharp).mean() < 0.1


def test_zero_images_and_bad_arguments():
    empty = synthetic_scenes(0, image_size=S)
    assert empty["foreground"].shape == (0, S, S, 3) and empty["mask"].shape == (0, S, S, 1)
    with pytest.raises(ValueError, match="seed"):
        synthetic_scenes(2, image_size=S, seed=-1)
    with pytest.raises(ValueError, match="n must be"):
        synthetic_scenes(-2, image_size=S)
    with pytest.raises(ValueError, match="blur_probability"):
        make_backgrounds(2, S, blur_probability=2.0)


def test_factors_are_returned_without_changing_the_images():
    import colorsys

    from mitlgan.data.scene_backgrounds import BACKGROUND_FACTORS
    from mitlgan.data.scene_drawing import SPRITE_FACTORS

    sprite, mask, factors = make_sprites(600, 32, seed=1, return_factors=True)
    again, _ = make_sprites(600, 32, seed=1)
    np.testing.assert_array_equal(sprite, again)
    assert factors.shape == (600, len(SPRITE_FACTORS)) and factors.dtype == np.int64
    for column, classes in enumerate(SPRITE_FACTORS.values()):
        assert factors[:, column].min() >= 0 and factors[:, column].max() < classes
    # the drawing probabilities: ears 0.75, feet 0.65, tail 0.4, one eye 0.12
    np.testing.assert_allclose(factors[:, 1:5].mean(0), [0.75, 0.65, 0.4, 0.88], atol=0.06)
    # size terciles of a uniform radius: a third each, and the mask area grows with them
    np.testing.assert_allclose(np.bincount(factors[:, 5]) / 600, [1 / 3] * 3, atol=0.06)
    areas = [mask[factors[:, 5] == k].sum(axis=(1, 2, 3)).mean() for k in range(3)]
    assert areas[0] < areas[1] < areas[2]
    # the colour factor is the hue sixth of the body: read it back from the pixels
    hues = [int(colorsys.rgb_to_hsv(*np.median((sprite[i][mask[i, ..., 0] > 0.99] + 1) / 2,
                                               axis=0))[0] * 6) % 6 for i in range(600)]
    assert np.mean(np.array(hues) == factors[:, 0]) > 0.9

    images, bg_factors = make_backgrounds(40, 32, seed=2, sun_probability=1.0,
                                          cloud_probability=0.0, return_factors=True)
    np.testing.assert_array_equal(images, make_backgrounds(40, 32, seed=2, sun_probability=1.0,
                                                           cloud_probability=0.0))
    assert bg_factors.shape == (40, len(BACKGROUND_FACTORS))
    assert bg_factors[:, 3].min() == 1 and bg_factors[:, 4].max() == 0  # sun always, no cloud
    assert set(bg_factors[:, 2]) <= {0, 1, 2}  # 2-4 ridge layers


def test_synthetic_scenes_return_the_factors_of_every_part():
    scenes = synthetic_scenes(20, 32, seed=4, return_factors=True)
    from mitlgan.data.scene_backgrounds import BACKGROUND_FACTORS
    from mitlgan.data.scene_drawing import SPRITE_FACTORS

    for key, factors in (("foreground_factors", SPRITE_FACTORS),
                         ("background_factors", BACKGROUND_FACTORS),
                         ("combined_sprite_factors", SPRITE_FACTORS),
                         ("combined_background_factors", BACKGROUND_FACTORS)):
        assert scenes[key].shape == (20, len(factors))
    plain = synthetic_scenes(20, 32, seed=4)
    np.testing.assert_array_equal(plain["combined"], scenes["combined"])
    # the foreground part is make_sprites with the seed words (seed, 0)
    _, _, direct = make_sprites(20, 32, seed=(4, 0), return_factors=True)
    np.testing.assert_array_equal(direct, scenes["foreground_factors"])
