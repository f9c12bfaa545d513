"""Thesis 6.2.2 augmentation: shapes and ranges kept, every transform can be switched off."""

import os

import keras
import numpy as np
import pytest
from PIL import Image

from mitlgan.data import (
    augment_array,
    augment_folder,
    build_augmenter,
    load_image_folder,
    synthetic_scenes,
)

S = 24
OFF = dict(flip=None, rotation=None, shear=None, elastic=None, blur=None)
LAYER_OF = {
    "flip": keras.layers.RandomFlip,
    "rotation": keras.layers.RandomRotation,
    "shear": keras.layers.RandomShear,
    "elastic": keras.layers.RandomElasticTransform,
}
ON = dict(flip="horizontal_and_vertical", rotation=0.05, shear=0.1, elastic=0.5, blur=1.0)


@pytest.fixture(scope="module")
def batch():
    return synthetic_scenes(6, image_size=S, seed=0)["combined"]


def _layer_types(aug):
    if isinstance(aug, keras.Sequential):
        out = []
        for layer in aug.layers:
            out.append(type(getattr(layer, "layer", layer)))  # unwrap the blur's padding
        return out
    return [type(aug)]


def test_all_off_is_the_identity(batch):
    aug = build_augmenter(**OFF)
    assert isinstance(aug, keras.layers.Identity)
    np.testing.assert_array_equal(np.asarray(aug(batch, training=True)), batch)


@pytest.mark.parametrize("name", ["flip", "rotation", "shear", "elastic", "blur"])
def test_each_transform_alone_keeps_shape_and_range_and_changes_images(batch, name):
    kwargs = {**OFF, name: ON[name]}
    if name == "elastic":
        kwargs["elastic_probability"] = 1.0
    aug = build_augmenter(seed=3, **kwargs)
    out = np.asarray(aug(batch, training=True))
    assert out.shape == batch.shape and out.dtype == np.float32
    assert out.min() >= -1.0 and out.max() <= 1.0
    assert np.abs(out - batch).max() > 0.05
    if name != "blur":
        assert _layer_types(aug) == [LAYER_OF[name]]


@pytest.mark.parametrize("name", ["flip", "rotation", "shear", "elastic"])
def test_each_transform_can_be_switched_off(name):
    aug = build_augmenter(**{**ON, name: None})
    types = _layer_types(aug)
    assert LAYER_OF[name] not in types
    assert len(types) == 4  # the other four are still there


def test_flip_gives_one_of_the_four_mirror_images(batch):
    out = np.asarray(build_augmenter(seed=1, **{**OFF, "flip": ON["flip"]})(batch, training=True))
    for x, y in zip(batch, out):
        candidates = [x, x[:, ::-1], x[::-1], x[::-1, ::-1]]
        assert any(np.array_equal(y, c) for c in candidates)
    horizontal = build_augmenter(seed=1, **{**OFF, "flip": "horizontal"})
    for x, y in zip(batch, np.asarray(horizontal(batch, training=True))):
        assert np.array_equal(y, x) or np.array_equal(y, x[:, ::-1])


def test_blur_smooths_and_keeps_flat_images_flat(batch):
    aug = build_augmenter(seed=0, **{**OFF, "blur": 1.0})
    noise = np.random.default_rng(0).uniform(-1, 1, (4, S, S, 3)).astype(np.float32)
    blurred = np.asarray(aug(noise, training=True))
    assert np.abs(np.diff(blurred, axis=2)).mean() < 0.9 * np.abs(np.diff(noise, axis=2)).mean()
    # Reflect padding: a flat image stays flat up to the border (zero padding would
    # pull the border towards 0).
    flat = np.full((2, S, S, 3), -0.8, np.float32)
    np.testing.assert_allclose(np.asarray(aug(flat, training=True)), flat, atol=1e-5)
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        build_augmenter(blur=2.0)


def test_bad_flip_mode_is_rejected():
    with pytest.raises(ValueError, match="flip must be one of"):
        build_augmenter(flip="diagonal")


def test_augment_array_expands_with_copies(batch):
    out = augment_array(batch, copies=2, seed=0)
    assert out.shape == (18, S, S, 3) and out.dtype == np.float32
    np.testing.assert_array_equal(out[:6], batch)  # originals first
    assert out.min() >= -1.0 and out.max() <= 1.0
    assert np.abs(out[6:12] - batch).reshape(6, -1).max(axis=1).min() > 0  # all changed
    only = augment_array(batch, copies=1, include_originals=False, seed=0)
    assert only.shape == batch.shape


def test_augment_folder_writes_copies_on_disk(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        Image.fromarray(rng.integers(0, 256, (S + 6, S, 3), dtype=np.uint8)).save(
            src / f"im{i}.png"
        )
    n = augment_folder(src, tmp_path / "dst", copies=2, image_size=S)
    names = sorted(os.listdir(tmp_path / "dst"))
    assert n == 9 and len(names) == 9
    assert "im0.png" in names and "im2_aug2.png" in names
    with Image.open(tmp_path / "dst" / "im1_aug1.png") as im:
        assert im.size == (S, S) and im.mode == "RGB"


def test_on_the_fly_augmentation_in_the_tf_data_pipeline(tmp_path):
    for i in range(5):
        Image.fromarray(np.full((S, S, 3), 40 * i, np.uint8)).save(tmp_path / f"{i}.png")
    ds = load_image_folder(tmp_path, S, batch_size=2, augment=True, seed=0, verbose=False)
    batches = [b.numpy() for b in ds]
    assert [b.shape[0] for b in batches] == [2, 2, 1]
    for b in batches:
        assert b.shape[1:] == (S, S, 3) and b.min() >= -1.0 and b.max() <= 1.0
