"""FeatureStatistics against numpy.mean / numpy.cov, merging, and the .npz format."""

import numpy as np
import pytest

from mitlgan.metrics import FeatureStatistics, IncompatibleStatisticsError


def offset_features(n=257, d=16, seed=0):
    # A large mean and a small spread, in float32, as ReLU features can have: raw sums of
    # x and x² lose the spread here (in float32 entirely, in float64 to ~1e-6 relative).
    rng = np.random.default_rng(seed)
    mix = np.eye(d) + 0.5 * rng.standard_normal((d, d))
    return (1000.0 + 0.01 * rng.standard_normal((n, d)) @ mix).astype(np.float32)


def assert_matches_numpy(stats, features):
    reference = features.astype(np.float64)
    np.testing.assert_allclose(stats.mean, reference.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(stats.cov, np.cov(reference, rowvar=False), rtol=1e-8, atol=0)
    assert stats.n == len(features)


@pytest.mark.parametrize(
    "splits",
    [[257], [1] * 257, [100, 0, 57, 100], [2, 255], "random"],
    ids=["one-pass", "singletons", "uneven-with-empty", "tiny-first", "random"],
)
def test_streaming_equals_numpy_in_any_split(splits):
    features = offset_features()
    if splits == "random":
        cuts = np.sort(np.random.default_rng(1).choice(np.arange(1, 257), 9, replace=False))
        splits = np.diff(np.concatenate([[0], cuts, [257]]))
    stats = FeatureStatistics()
    start = 0
    for size in splits:
        stats.update(features[start : start + size])
        start += size
    assert_matches_numpy(stats, features)


def test_merging_two_halves_equals_one_pass():
    features = offset_features(n=300)
    first = FeatureStatistics(backbone="b", input_size=75).update(features[:120])
    second = FeatureStatistics(backbone="b", input_size=75).update(features[120:])
    merged = first.merge(second)
    single = FeatureStatistics(backbone="b", input_size=75).update(features)
    np.testing.assert_allclose(merged.mean, single.mean, rtol=1e-14)
    np.testing.assert_allclose(merged.cov, single.cov, rtol=1e-9)
    assert_matches_numpy(merged, features)
    assert first.n == 120  # merge does not modify its inputs


def test_incompatible_statistics_are_refused():
    features = offset_features(n=10, d=4)
    a = FeatureStatistics(backbone="keras-imagenet", input_size=299).update(features)
    b = FeatureStatistics(backbone="keras-imagenet", input_size=75).update(features)
    c = FeatureStatistics(backbone="random-untrained-seed0", input_size=299).update(features)
    with pytest.raises(IncompatibleStatisticsError, match="input_size: 299 vs 75"):
        a.frechet_distance(b)
    with pytest.raises(IncompatibleStatisticsError, match="backbone"):
        a.merge(c)
    assert a.frechet_distance(a) == pytest.approx(0.0, abs=1e-9)


def test_save_load_roundtrip_keeps_metadata_and_stays_mergeable(tmp_path):
    features = offset_features(n=200)
    stats = FeatureStatistics(
        backbone="random-untrained-seed0", input_size=75, source="unit test", comparable=False
    ).update(features[:150])
    path = stats.save(tmp_path / "real_stats", features=features[:150])
    assert path.name == "real_stats.npz"
    loaded, stored = FeatureStatistics.load(path, return_features=True)
    assert loaded.metadata == stats.metadata
    assert loaded.n == 150
    np.testing.assert_array_equal(stored, features[:150])
    np.testing.assert_array_equal(loaded.mean, stats.mean)
    np.testing.assert_allclose(loaded.cov, stats.cov, rtol=1e-15)
    # The file holds what other FID tools read (mu, sigma) plus n and JSON metadata.
    with np.load(path) as data:
        assert {"mu", "sigma", "n", "metadata"} <= set(data.files)
    loaded.update(features[150:])
    assert_matches_numpy(loaded, features)


def test_empty_and_bad_input():
    stats = FeatureStatistics()
    with pytest.raises(ValueError):
        _ = stats.mean
    stats.update(np.ones((1, 3)))
    with pytest.raises(ValueError, match="at least 2"):
        _ = stats.cov
    with pytest.raises(ValueError, match="dimension"):
        stats.update(np.ones((2, 4)))
    with pytest.raises(ValueError, match="NaN"):
        stats.update(np.full((2, 3), np.nan))
