"""``--stream`` on a prepared real dataset: the WGAN stage trains from the folders, with
a uint8 cache, and ends with the weights of the in-memory run."""

import numpy as np
import pytest
from _cli_helpers import run_main
from PIL import Image

from reproductions.mitlgan.run import main

TINY = ["--preset", "quick", "--dataset", "pokemon", "--image-size", "16", "--latent-dim", "32",
        "--critic-channels", "4,8,8,8", "--n-images", "32", "--batch-size", "16",
        "--n-critic", "1", "--epochs", "1", "--fid-n", "16", "--curve-n", "16",
        "--fid-input-size", "75", "--backbone", "random", "--until", "wgan_combined"]


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    rng = np.random.default_rng(0)
    for part in ("foreground", "background", "combined"):
        folder = root / "pokemon" / part
        folder.mkdir(parents=True)
        for index in range(40):
            pixels = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(folder / f"{index:03d}.png")
    return root


def _generator_weights(run_dir):
    import keras

    model = keras.saving.load_model(run_dir / "pokemon" / "wgan_combined" / "generator.keras")
    return [np.asarray(w) for w in model.get_weights()]


def test_streamed_training_equals_the_in_memory_run(data_root, tmp_path, monkeypatch):
    monkeypatch.setenv("MITLGAN_OFFLINE", "1")
    common = TINY + ["--data-root", str(data_root)]
    code, out, err = run_main(main, common + ["--output", str(tmp_path / "memory")])
    assert code == 0, out + err
    assert "Loading dataset 'pokemon'" in out and "Streaming" not in out
    cache = tmp_path / "cache"
    code, out, err = run_main(main, common + ["--stream", "--stream-cache", str(cache),
                                              "--output", str(tmp_path / "stream")])
    assert code == 0, out + err
    assert "Streaming dataset 'pokemon' from disk at 16x16" in out and "--stream" in out
    assert sorted(p.name.split("-")[1] for p in cache.glob("*.npy")) == [
        "background", "combined", "foreground"]
    for a, b in zip(_generator_weights(tmp_path / "memory"), _generator_weights(tmp_path / "stream")):
        np.testing.assert_array_equal(a, b)


def test_streaming_the_built_in_scenes_is_refused(tmp_path):
    code, _, err = run_main(main, ["--stream", "--output", str(tmp_path)])
    assert code == 2 and "--stream reads a prepared dataset" in err


def test_a_part_with_fewer_images_than_asked_trains_on_what_it_has(tmp_path, monkeypatch):
    # a prepared folder whose foreground part holds 24 images where 32 are asked for (the
    # quick preset asks real parts for 640; the thesis's own parts hold 1,758-2,534)
    monkeypatch.setenv("MITLGAN_OFFLINE", "1")
    rng = np.random.default_rng(1)
    for part, count in (("foreground", 24), ("background", 40), ("combined", 40)):
        folder = tmp_path / "data" / "pokemon" / part
        folder.mkdir(parents=True)
        for index in range(count):
            Image.fromarray(rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)).save(
                folder / f"{index:03d}.png")
    argv = [*TINY[:-2], "--variants", "corrected", "--data-root", str(tmp_path / "data"),
            "--output", str(tmp_path / "runs")]
    code, out, err = run_main(main, argv)
    assert code == 0, out + err
    assert "foreground holds 24, fewer than the 32 images per part" in out
    report = (tmp_path / "runs" / "pokemon" / "report.md").read_text()
    assert "pokemon/foreground (24)" in report and "pokemon/combined (32)" in report
    done = (tmp_path / "runs" / "pokemon" / "wgan_foreground" / "done.json").read_text()
    assert '"images": 24' in done
