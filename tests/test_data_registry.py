"""Named datasets: the registry, clear errors, `prepare` from raw files, and `load_parts`."""

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mitlgan.data import (
    DATASETS,
    DatasetNotPreparedError,
    PrepareError,
    UnknownDatasetError,
    check_dataset,
    load_parts,
    prepare_dataset,
    synthetic_scenes,
)
from mitlgan.data.__main__ import main

REPO = Path(__file__).resolve().parents[1]
S = 16


def test_registry_holds_the_thesis_datasets_with_their_counts():
    assert set(DATASETS) == {"synthetic", "pokemon", "anime", "faces"}
    counts = {
        n: tuple(DATASETS[n].thesis_counts[p] for p in ("foreground", "background", "combined"))
        for n in ("pokemon", "anime", "faces")
    }
    assert counts == {
        "pokemon": (1758, 2534, 2094),
        "anime": (2115, 2534, 2105),
        "faces": (4884, 2520, 2505),
    }
    assert DATASETS["pokemon"].shared["background"] == "anime"
    assert DATASETS["anime"].shared["background"] == "pokemon"
    assert DATASETS["pokemon"].background_colour == (0, 0, 0)
    assert DATASETS["anime"].background_colour == (255, 255, 255)
    assert DATASETS["pokemon"].square["foreground"] == "pad"  # sprites are not cut
    assert DATASETS["pokemon"].square["combined"] == "crop"  # card art is cropped
    assert DATASETS["faces"].blur["background"] > 0 == DATASETS["faces"].blur["combined"]
    assert DATASETS["synthetic"].builtin and DATASETS["synthetic"].recipe is None
    for name in ("pokemon", "anime", "faces"):
        spec = DATASETS[name]
        assert spec.recipe == f"datasets/{name}.md"
        assert (REPO / spec.recipe).is_file() and spec.recipe_path == REPO / spec.recipe
        text = (REPO / spec.recipe).read_text()
        for count in spec.thesis_counts.values():
            assert str(count) in text
        assert f"python -m mitlgan.data prepare {name}" in text


def test_unknown_dataset_lists_the_known_names():
    with pytest.raises(UnknownDatasetError) as info:
        check_dataset("digimon")
    assert isinstance(info.value, ValueError)
    for name in DATASETS:
        assert name in str(info.value)
    with pytest.raises(UnknownDatasetError):
        load_parts("digimon")


def test_unprepared_dataset_says_how_to_get_it_and_creates_nothing(tmp_path):
    root = tmp_path / "nowhere"
    with pytest.raises(DatasetNotPreparedError) as info:
        check_dataset("pokemon", root)
    msg = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    assert str(root / "pokemon" / "foreground") in msg
    assert f"python -m mitlgan.data prepare pokemon --source SOURCE --root {root}" in msg
    assert "1758" in msg and "Kaggle" in msg and "datasets/pokemon.md" in msg
    assert not root.exists()
    with pytest.raises(DatasetNotPreparedError):
        load_parts("faces", root=root)


def test_root_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MITLGAN_DATA_ROOT", str(tmp_path / "envroot"))
    with pytest.raises(DatasetNotPreparedError, match=re.escape(str(tmp_path / "envroot"))):
        check_dataset("anime")


def test_synthetic_parts_are_the_synthetic_scenes():
    parts = load_parts("synthetic", image_size=S, n=5, seed=2)
    assert set(parts) == {"foreground", "background", "combined"}
    scenes = synthetic_scenes(5, S, seed=2)
    for key, arr in parts.items():
        assert arr.shape == (5, S, S, 3) and arr.dtype == np.float32
        np.testing.assert_array_equal(arr, scenes[key])
    assert check_dataset("synthetic").builtin


def test_synthetic_parts_with_augmentation_double():
    parts = load_parts("synthetic", image_size=S, n=3, augment=True)
    for arr in parts.values():
        assert arr.shape == (6, S, S, 3) and arr.min() >= -1 and arr.max() <= 1
    np.testing.assert_array_equal(parts["combined"][:3], synthetic_scenes(3, S)["combined"])


def _save(path, arr, mode=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr, mode).save(path)


@pytest.fixture()
def raw_pokemon(tmp_path):
    """Raw downloads: RGBA sprites (one non-square, nested), JPEG scenes, card art, noise."""
    src = tmp_path / "raw"
    sprite = np.zeros((30, 20, 4), np.uint8)  # tall, transparent around a red block
    sprite[5:25, 4:16] = (255, 0, 0, 255)
    _save(src / "foreground" / "gen1" / "001.png", sprite)
    _save(src / "foreground" / "gen1" / "002.png", np.roll(sprite, 2, axis=1))
    _save(src / "foreground" / "003.png", sprite[:20])
    (src / "foreground" / "LICENSE.txt").write_text("sprites")
    rng = np.random.default_rng(0)
    for i in range(4):
        _save(src / "background" / f"scene{i}.jpg", rng.integers(0, 256, (24, 40, 3), np.uint8))
    for i in range(3):
        card = np.full((40, 28, 3), 200, np.uint8)
        card[8:32, 2:26] = (0, 0, 255)
        _save(src / "combined" / f"card{i}.png", card)
    return src


def _pngs(folder):
    return sorted(f for f in os.listdir(folder) if f.endswith(".png"))


def test_prepare_builds_the_layout_and_the_registry_loads_it(tmp_path, raw_pokemon, capsys):
    root = tmp_path / "data"
    rc = main(
        [
            "prepare",
            "pokemon",
            "--source",
            str(raw_pokemon),
            "--root",
            str(root),
            "--size",
            str(S),
            "--no-progress",
        ]
    )
    assert rc == 0, capsys.readouterr().err
    counts = {p: len(_pngs(root / "pokemon" / p)) for p in ("foreground", "background", "combined")}
    assert counts == {"foreground": 3, "background": 4, "combined": 3}
    with Image.open(root / "pokemon" / "foreground" / "00000.png") as im:
        assert im.size == (S, S) and im.mode == "RGB"
    manifest = json.loads((root / "pokemon" / "prepared.json").read_text())
    skipped = manifest["parts"]["foreground"]["skipped"]
    assert [Path(s["file"]).name for s in skipped] == ["LICENSE.txt"]
    assert "not an image" in skipped[0]["reason"]
    assert "prepared pokemon" in capsys.readouterr().out

    assert check_dataset("pokemon", root).name == "pokemon"
    parts = load_parts("pokemon", root=root, image_size=S)
    assert {k: v.shape[0] for k, v in parts.items()} == counts
    fg = parts["foreground"]
    assert fg.dtype == np.float32 and fg.min() >= -1 and fg.max() <= 1
    # Sprites were padded (not cut) onto black: the corners are black, the middle red.
    assert np.all(fg[:, 0, 0] == -1.0) and np.all(fg[:, -1, -1] == -1.0)
    np.testing.assert_allclose(fg[0, S // 2, S // 2], [1, -1, -1], atol=0.02)
    # Card art was centre-cropped: 28 x 28 of a 40 x 28 card is mostly the blue art.
    assert np.all(parts["combined"][:, S // 2, S // 2, 2] > 0.95)

    two = load_parts("pokemon", root=root, image_size=S, n=2, seed=1)
    assert all(v.shape == (2, S, S, 3) for v in two.values())
    with pytest.raises(ValueError, match="has 3 images but n=4"):
        load_parts("pokemon", root=root, image_size=S, n=4)


def test_prepare_refuses_to_overwrite_unless_asked(tmp_path, raw_pokemon, capsys):
    root = tmp_path / "data"
    args = [
        "prepare",
        "pokemon",
        "--source",
        str(raw_pokemon),
        "--root",
        str(root),
        "--size",
        str(S),
        "--no-progress",
        "--parts",
        "combined",
    ]
    assert main(args) == 0
    assert main(args) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main(args + ["--overwrite", "--limit", "2"]) == 0
    assert len(_pngs(root / "pokemon" / "combined")) == 2
    # Only one part prepared: the dataset is still reported as not prepared.
    with pytest.raises(DatasetNotPreparedError, match="foreground"):
        check_dataset("pokemon", root)


def test_prepare_blurs_the_faces_backgrounds_and_can_augment(tmp_path):
    from scipy import ndimage

    src, root = tmp_path / "raw", tmp_path / "data"
    rng = np.random.default_rng(3)
    for i in range(2):
        _save(src / "background" / f"{i}.png", rng.integers(0, 256, (128, 128, 3), np.uint8))
    prepare_dataset(
        "faces", src, root, parts=["background"], image_size=128, augment=1, progress=False
    )
    names = _pngs(root / "faces" / "background")
    assert names == ["00000.png", "00000_aug1.png", "00001.png", "00001_aug1.png"]
    blurred = np.asarray(Image.open(root / "faces" / "background" / "00000.png"), float)
    prepare_dataset(
        "pokemon", src, root, parts=["background"], image_size=128, progress=False
    )  # the same raw scene, not blurred
    sharp = np.asarray(Image.open(root / "pokemon" / "background" / "00000.png"), float)
    np.testing.assert_array_equal(sharp, np.asarray(Image.open(src / "background" / "0.png")))
    # The recipe's sigma (1.5 px at 128), checked against scipy's exact Gaussian away
    # from the border; Pillow's blur is an approximation of it.
    spec_sigma = DATASETS["faces"].blur["background"]
    reference = ndimage.gaussian_filter(sharp, sigma=(spec_sigma, spec_sigma, 0))
    inner = (slice(8, -8), slice(8, -8))
    assert np.abs(blurred[inner] - reference[inner]).mean() < 2.0
    assert np.abs(blurred[inner] - sharp[inner]).mean() > 20.0


def test_prepare_errors_name_what_is_wrong(tmp_path, raw_pokemon, capsys):
    root = tmp_path / "data"
    assert main(["prepare", "synthetic", "--source", str(raw_pokemon), "--root", str(root)]) == 2
    assert "built in" in capsys.readouterr().err
    assert main(["prepare", "digimon", "--source", str(raw_pokemon)]) == 2
    assert "Known datasets: synthetic, pokemon, anime, faces" in capsys.readouterr().err
    missing = tmp_path / "elsewhere"
    assert main(["prepare", "anime", "--source", str(missing), "--root", str(root)]) == 2
    err = capsys.readouterr().err
    assert str(missing / "foreground") in err and "does not exist" in err
    assert not root.exists()  # validated before writing anything
    with pytest.raises(PrepareError, match="limit"):
        prepare_dataset("anime", raw_pokemon, root, limit=-3)


def test_prepare_uses_part_overrides_and_shares_backgrounds(tmp_path, raw_pokemon):
    root = tmp_path / "data"
    prepare_dataset("pokemon", raw_pokemon, root, image_size=S, progress=False)
    # The anime set reuses the prepared pokemon backgrounds, as the thesis did.
    prepare_dataset(
        "anime",
        raw_pokemon,
        root,
        image_size=S,
        progress=False,
        part_sources={"background": str(root / "pokemon" / "background")},
    )
    a = load_parts("anime", root=root, image_size=S)["background"]
    p = load_parts("pokemon", root=root, image_size=S)["background"]
    np.testing.assert_array_equal(a, p)


def test_cli_check_and_list(tmp_path, capsys):
    assert main(["check", "synthetic"]) == 0
    assert main(["check", "faces", "--root", str(tmp_path)]) == 2
    assert "prepare faces" in capsys.readouterr().err
    assert main(["list", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "synthetic  built in" in out and "pokemon    not prepared" in out
    assert "1758/2534/2094" in out


def test_prepare_writes_plain_progress_lines_to_a_file(tmp_path, raw_pokemon):
    # the progress bar redraws with carriage returns on a terminal only; a log file gets
    # a line per quarter of each part (a file is what CI and nohup give stderr)
    import subprocess
    import sys

    log = tmp_path / "prepare.log"
    with log.open("w") as handle:
        done = subprocess.run([sys.executable, "-m", "mitlgan.data", "prepare", "pokemon",
                               "--source", str(raw_pokemon), "--root", str(tmp_path / "data"),
                               "--size", str(S)], stdout=handle, stderr=subprocess.STDOUT,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    text = log.read_text()
    assert done.returncode == 0, text
    assert "\r" not in text
    assert "pokemon/foreground: 3/3 (100%)" in text
    assert max(len(line) for line in text.splitlines()) < 300
