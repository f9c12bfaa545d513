"""The scene judge: factor labels, held-out accuracy, scene-FID ranking, the segmenter."""

import numpy as np
import pytest
import scipy.ndimage

from mitlgan.data.scene_backgrounds import BACKGROUND_FACTORS
from mitlgan.data.scene_drawing import SPRITE_FACTORS
from mitlgan.data.synthetic import synthetic_scenes
from mitlgan.metrics import FrechetInceptionDistance
from mitlgan.metrics.frechet import frechet_distance_from_features
from mitlgan.metrics.scene_judge import JUDGED_FACTORS, SceneJudge, judge_training_set

SIZE = 32


def test_training_labels_follow_the_drawn_factors_and_mark_absent_parts():
    n = 6
    images, labels, masks = judge_training_set(n, SIZE, (5, 7919))
    scenes = synthetic_scenes(n, SIZE, (5, 7919), return_factors=True, return_layers=True)
    names = list(JUDGED_FACTORS)
    combined, sprites, landscapes = labels[:n], labels[n:2 * n], labels[2 * n:]
    np.testing.assert_array_equal(images[:n], scenes["combined"])
    np.testing.assert_array_equal(masks[n:2 * n], scenes["mask"])
    assert not masks[2 * n:].any()
    for name in ("colour", "size"):
        column = list(SPRITE_FACTORS).index(name)
        np.testing.assert_array_equal(combined[:, names.index(name)],
                                      scenes["combined_sprite_factors"][:, column])
        np.testing.assert_array_equal(sprites[:, names.index(name)],
                                      scenes["foreground_factors"][:, column])
        assert (landscapes[:, names.index(name)] == -1).all()
    for name in ("sky", "land", "ridges", "clouds"):
        column = list(BACKGROUND_FACTORS).index(name)
        np.testing.assert_array_equal(landscapes[:, names.index(name)],
                                      scenes["background_factors"][:, column])
        assert (sprites[:, names.index(name)] == -1).all()
    creature, landscape = names.index("creature"), names.index("landscape")
    assert combined[:, creature].tolist() == [1] * n and landscapes[:, creature].tolist() == [0] * n
    assert sprites[:, landscape].tolist() == [0] * n and combined[:, landscape].tolist() == [1] * n


@pytest.fixture(scope="module")
def judge_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("judge")


@pytest.fixture(scope="module")
def judge(judge_folder):
    return SceneJudge.trained(judge_folder, SIZE, n_per_part=1000, epochs=12, seed=0)


def test_the_judge_beats_the_majority_rate_on_every_factor(judge):
    assert set(judge.accuracy) == set(JUDGED_FACTORS)
    for name, score in judge.accuracy.items():
        assert score["n"] >= 300
        assert score["accuracy"] >= score["majority"] + 0.05, (name, score)
    assert judge.accuracy["creature"]["accuracy"] > 0.95
    assert judge.mask_iou > 0.6


def test_a_second_call_loads_the_cached_judge(judge, judge_folder):
    written = {p.name: p.stat().st_mtime_ns for p in judge_folder.iterdir()}
    again = SceneJudge.trained(judge_folder, SIZE, n_per_part=1000, epochs=12, seed=0)
    assert {p.name: p.stat().st_mtime_ns for p in judge_folder.iterdir()} == written
    images = synthetic_scenes(8, SIZE, seed=3)["combined"]
    np.testing.assert_allclose(again.features()(images), judge.features()(images), atol=1e-5)
    assert again.accuracy == judge.accuracy


def test_scene_fid_ranks_real_blurred_foreground_removed_and_noise(judge):
    reference = synthetic_scenes(600, SIZE, seed=12)["combined"]
    scenes = synthetic_scenes(600, SIZE, seed=11, return_layers=True)
    features = judge.features()
    real = scenes["combined"]
    candidates = {
        "real": real,
        "blurred": scipy.ndimage.gaussian_filter(real, (0, 0.7, 0.7, 0)),
        "foreground removed": scenes["combined_background"],
        "noise": np.random.default_rng(0).uniform(-1, 1, real.shape).astype(np.float32),
    }
    reference_features = features(reference)
    distances = [frechet_distance_from_features(reference_features, features(images))
                 for images in candidates.values()]
    assert distances == sorted(distances), dict(zip(candidates, distances))


def test_the_judge_is_a_backbone_for_frechet_inception_distance(judge, tmp_path):
    real = synthetic_scenes(200, SIZE, seed=12)["combined"]
    fid = FrechetInceptionDistance(real, cache_path=tmp_path / "stats.npz", n=100,
                                   features=judge.features(), kid_subset_size=100, verbose=0)
    other = synthetic_scenes(100, SIZE, seed=13)["combined"]
    close = fid.evaluate_images(other)
    far = fid.evaluate_images(np.zeros_like(other))
    assert close.fid < far.fid and close.backbone.startswith("scene-judge")
    assert not close.comparable


def test_the_segmenter_finds_the_sprite(judge):
    scenes = synthetic_scenes(64, SIZE, seed=21, return_layers=True)
    probability = judge.foreground_probability(scenes["combined"])
    truth = scenes["combined_mask"][..., 0] > 0.5
    assert probability.shape == truth.shape
    assert probability[truth].mean() > 0.6 and probability[~truth].mean() < 0.15
