"""Reading image folders: formats, transparency, squaring, bad files, the tf.data pipeline.

Fixture images are made here with Pillow; expected pixels are worked out by hand.
"""

import os
import re

import numpy as np
import pytest
from PIL import Image

from mitlgan.data import (
    EmptyImageFolderError,
    ImageReadError,
    load_image_array,
    load_image_folder,
    read_image,
    read_image_folder,
)

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def unit(rgb):
    """0-255 colour -> the loader's [-1, 1] value."""
    return np.asarray(rgb, np.float32) / 127.5 - 1.0


def test_png_with_alpha_is_composited_onto_the_chosen_colour(tmp_path):
    rgba = np.zeros((20, 20, 4), np.uint8)
    rgba[:, :10] = (*RED, 255)  # opaque red
    rgba[:, 10:] = (*GREEN, 0)  # fully transparent: the green must not show
    rgba[:, 15] = (*BLUE, 102)  # 40% blue
    path = tmp_path / "sprite.png"
    Image.fromarray(rgba, "RGBA").save(path)

    for bg in [(0, 0, 0), (255, 255, 255)]:
        img = read_image(path, 20, background=bg)  # same size: no resampling
        assert img.shape == (20, 20, 3) and img.dtype == np.uint8
        assert np.all(img[:, :10] == RED)
        assert np.all(img[:, 11:15] == bg) and np.all(img[:, 16:] == bg)
        a = 102 / 255
        expected = np.round(np.array(BLUE) * a + np.array(bg) * (1 - a))
        np.testing.assert_array_equal(img[:, 15], np.broadcast_to(expected, (20, 3)))

    arr = load_image_array(tmp_path, 20, background="white", verbose=False)
    assert arr.shape == (1, 20, 20, 3) and arr.dtype == np.float32
    np.testing.assert_allclose(arr[0, 0, 0], unit(RED), atol=1e-6)
    np.testing.assert_allclose(arr[0, 0, 19], unit((255, 255, 255)), atol=1e-6)


def test_animated_palette_gif_with_transparency_gives_its_first_frame(tmp_path):
    palette = [0, 255, 0, *RED, *BLUE] + [0] * (256 * 3 - 9)
    first = np.zeros((16, 16), np.uint8)  # index 0: transparent
    first[4:12, 4:12] = 1  # red square
    second = np.full((16, 16), 2, np.uint8)  # all blue
    frames = []
    for idx in (first, second):
        f = Image.fromarray(idx, "P")
        f.putpalette(palette)
        frames.append(f)
    path = tmp_path / "anim.gif"
    frames[0].save(
        path,
        save_all=True,
        append_images=frames[1:],
        transparency=0,
        duration=100,
        loop=0,
        disposal=2,
    )
    with Image.open(path) as check:
        assert check.n_frames == 2 and check.mode == "P"

    for bg in [(0, 0, 0), (255, 255, 255)]:
        img = read_image(path, 16, background=bg)
        assert np.all(img[4:12, 4:12] == RED)
        assert np.all(img[:4] == bg) and np.all(img[:, 12:] == bg)
        assert not np.any(np.all(img == BLUE, axis=-1))  # the second frame is not used


def test_greyscale_jpeg_becomes_rgb(tmp_path):
    grey = np.tile(np.linspace(0, 255, 24).astype(np.uint8), (24, 1))
    path = tmp_path / "grey.jpg"
    Image.fromarray(grey, "L").save(path, quality=95)
    img = read_image(path, 24)
    assert img.shape == (24, 24, 3)
    np.testing.assert_array_equal(img[..., 0], img[..., 1])
    np.testing.assert_array_equal(img[..., 0], img[..., 2])
    # The decoded grey levels, up to JPEG's loss.
    assert np.abs(img[..., 0].astype(int) - grey).max() <= 6


def test_bmp_and_lossless_webp_are_read_exactly(tmp_path):
    rgb = np.random.default_rng(0).integers(0, 256, (12, 12, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "a.bmp")
    Image.fromarray(rgb).save(tmp_path / "b.webp", lossless=True)
    images, report = read_image_folder(tmp_path, 12)
    assert report.n_read == 2 and report.n_skipped == 0
    np.testing.assert_array_equal(images[0], rgb)
    np.testing.assert_array_equal(images[1], rgb)


@pytest.fixture()
def stripes(tmp_path):
    """A 60 x 20 (wide) image: red, green and blue thirds."""
    arr = np.zeros((20, 60, 3), np.uint8)
    arr[:, :20], arr[:, 20:40], arr[:, 40:] = RED, GREEN, BLUE
    path = tmp_path / "wide.png"
    Image.fromarray(arr).save(path)
    return path, arr


def test_non_square_centre_crop_keeps_the_middle(stripes):
    path, _ = stripes
    assert np.all(read_image(path, 20, square="crop") == GREEN)
    # Resized (with antialiasing) the uniform crop stays uniform.
    assert np.abs(read_image(path, 32, square="crop").astype(int) - GREEN).max() <= 1


def test_non_square_padding_keeps_everything(stripes):
    path, arr = stripes
    img = read_image(path, 60, square="pad", background=(255, 255, 255))
    assert np.all(img[:20] == 255) and np.all(img[40:] == 255)
    np.testing.assert_array_equal(img[20:40], arr)
    small = read_image(path, 30, square="pad")  # 60 -> 30: antialiased downscale
    assert small.shape == (30, 30, 3)
    # Far from the content the padding stays exactly black (Lanczos reaches 3 pixels).
    assert np.all(small[:4] == 0) and np.all(small[-4:] == 0)
    np.testing.assert_allclose(small[15, 5], RED, atol=2)
    np.testing.assert_allclose(small[15, 25], BLUE, atol=2)


def test_tiny_image_both_square_modes(tmp_path):
    tiny = np.zeros((5, 3, 3), np.uint8)
    tiny[...] = RED
    path = tmp_path / "tiny.png"
    Image.fromarray(tiny).save(path)
    padded = read_image(path, 32, square="pad", background=(255, 255, 255))
    assert padded.shape == (32, 32, 3)
    # 3 x 5 padded to 5 x 5: a white column each side, upscaled to 32 x 32.
    np.testing.assert_allclose(padded[16, 16], RED, atol=3)
    assert np.all(padded[:, :3] == 255) and np.all(padded[:, -3:] == 255)
    cropped = read_image(path, 32, square="crop")
    assert np.abs(cropped.astype(int) - RED).max() <= 1


def _truncated_png(path):
    noise = np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(noise).save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_truncated_file_raises_naming_it_unless_skipped(tmp_path):
    Image.fromarray(np.full((8, 8, 3), 200, np.uint8)).save(tmp_path / "good.png")
    bad = tmp_path / "broken.png"
    _truncated_png(bad)
    with pytest.raises(ImageReadError, match=re.escape(str(bad))) as info:
        read_image_folder(tmp_path, 8)
    assert "skip_corrupt" in str(info.value) and info.value.path == str(bad)

    images, report = read_image_folder(tmp_path, 8, skip_corrupt=True)
    assert images.shape == (1, 8, 8, 3)
    assert report.n_read == 1 and report.n_skipped == 1
    assert report.skipped[0][0] == str(bad) and report.skipped[0][1].startswith("corrupt")
    assert "1 corrupt: broken.png" in report.summary()


def test_truncated_jpeg_is_also_caught(tmp_path):
    noise = np.random.default_rng(2).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    path = tmp_path / "cut.jpg"
    Image.fromarray(noise).save(path, quality=90)
    path.write_bytes(path.read_bytes()[:-600])
    with pytest.raises(ImageReadError, match="cut.jpg"):
        read_image(path, 16)


def test_a_text_file_is_ignored_and_counted(tmp_path):
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "a.png")
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / ".DS_Store").write_bytes(b"\0\1")  # hidden: ignored silently
    os.mkdir(tmp_path / "sub")
    images, report = read_image_folder(tmp_path, 8)
    assert len(images) == 1
    reasons = dict(report.skipped)
    assert reasons[str(tmp_path / "notes.txt")].startswith("not an image")
    assert reasons[str(tmp_path / "sub")].startswith("subfolder")
    assert report.n_skipped == 2


def test_an_image_named_like_text_is_not_an_image_but_a_text_named_png_is_corrupt(tmp_path):
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "ok.png")
    (tmp_path / "fake.png").write_text("hello")
    with pytest.raises(ImageReadError, match="fake.png"):
        read_image_folder(tmp_path, 8)


def test_empty_or_missing_folder_gives_a_clear_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EmptyImageFolderError, match=re.escape(str(empty))) as info:
        load_image_array(empty, 8)
    assert "Expected a folder" in str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    missing = tmp_path / "missing"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_image_folder(missing, 8)
    (empty / "readme.txt").write_text("x")
    with pytest.raises(EmptyImageFolderError, match="1 not an image: readme.txt"):
        read_image_folder(empty, 8)


def _colour_folder(path, n):
    """n uniform 10 x 10 images with distinct grey levels 0, 10, 20, ..."""
    path.mkdir()
    for i in range(n):
        Image.fromarray(np.full((10, 10, 3), 10 * i, np.uint8)).save(path / f"{i:02d}.png")
    return [10 * i for i in range(n)]


def test_tf_dataset_batches_shuffles_and_covers_every_image(tmp_path):
    levels = _colour_folder(tmp_path / "set", 7)
    ds, report = load_image_folder(
        tmp_path / "set", image_size=10, batch_size=3, seed=0, verbose=False, return_report=True
    )
    assert report.n_read == 7
    epochs = []
    for _ in range(2):
        batches = [b.numpy() for b in ds]
        assert [b.shape for b in batches] == [(3, 10, 10, 3), (3, 10, 10, 3), (1, 10, 10, 3)]
        for b in batches:
            assert b.dtype == np.float32 and b.min() >= -1 and b.max() <= 1
        seen = np.concatenate(batches)[:, 0, 0, 0]
        np.testing.assert_allclose(np.sort(seen), np.array(levels) / 127.5 - 1, atol=1e-6)
        epochs.append(seen)
    assert not np.array_equal(epochs[0], epochs[1])  # reshuffled every epoch

    fixed = load_image_folder(
        tmp_path / "set", 10, 4, shuffle=False, drop_remainder=True, verbose=False
    )
    batches = [b.numpy() for b in fixed]
    assert len(batches) == 1
    np.testing.assert_allclose(batches[0][:, 5, 5, 1], np.array(levels[:4]) / 127.5 - 1, atol=1e-6)


def test_verbose_reports_counts(tmp_path, capsys):
    _colour_folder(tmp_path / "set", 2)
    (tmp_path / "set" / "x.csv").write_text("a,b")
    load_image_array(tmp_path / "set", 10)
    err = capsys.readouterr().err
    assert "read 2 images" in err and "skipped 1 (1 not an image: x.csv)" in err


def test_limit_reads_a_seeded_subset(tmp_path):
    _colour_folder(tmp_path / "set", 6)
    a = load_image_array(tmp_path / "set", 10, limit=3, seed=1, verbose=False)
    b = load_image_array(tmp_path / "set", 10, limit=3, seed=1, verbose=False)
    assert a.shape == (3, 10, 10, 3)
    np.testing.assert_array_equal(a, b)
