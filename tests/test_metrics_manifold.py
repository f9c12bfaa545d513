"""Precision, recall, density, coverage, diversity against brute-force scipy and textbook cases."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist, pdist

from mitlgan.metrics.manifold import (
    coverage_density,
    diversity,
    knn_radii,
    manifold_metrics,
    precision_recall,
)


def brute_force(real, fake, k_pr=3, k_dc=5):
    """The papers' definitions written out with full distance matrices."""
    rr, ff, fr = cdist(real, real), cdist(fake, fake), cdist(fake, real)
    r_pr = np.sort(rr, axis=1)[:, k_pr]  # column 0 is the sample itself
    f_pr = np.sort(ff, axis=1)[:, k_pr]
    precision = np.mean([(fr[j] <= r_pr).any() for j in range(len(fake))])
    recall = np.mean([(fr[:, i] <= f_pr).any() for i in range(len(real))])
    r_dc = np.sort(rr, axis=1)[:, k_dc]
    inside = fr <= r_dc[None, :]  # (fake j, real ball i)
    density = inside.sum() / (k_dc * len(fake))
    coverage = inside.any(axis=0).mean()
    return precision, recall, density, coverage


@pytest.mark.parametrize("shift", [0.0, 0.7, 3.0])
def test_matches_brute_force_with_small_chunks(shift):
    rng = np.random.default_rng(0)
    real = rng.standard_normal((60, 4))
    fake = rng.standard_normal((45, 4)) * 1.3 + shift
    expected = brute_force(real, fake)
    got = precision_recall(real, fake, 3, chunk=7) + coverage_density(real, fake, 5, chunk=7)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(diversity(real, fake, chunk=7), pdist(fake).mean() / pdist(real).mean(),
                               rtol=1e-9)


def test_knn_radius_by_hand():
    points = np.array([[0.0], [1.0], [3.0], [7.0]])
    np.testing.assert_allclose(knn_radii(points, 1), [1, 1, 2, 4])
    np.testing.assert_allclose(knn_radii(points, 2), [3, 2, 3, 6])
    with pytest.raises(ValueError, match="k=4 needs 1 <= k < N=4"):
        knn_radii(points, 4)


def test_identical_sets():
    rng = np.random.default_rng(1)
    real = rng.standard_normal((200, 8))
    result = manifold_metrics(real, real.copy(), backbone="test")
    assert result["precision"] == result["recall"] == result["coverage"] == 1.0
    # Each real ball holds its centre and its k = 5 neighbours: density (k + 1) / k.
    assert result["density"] == pytest.approx(6 / 5)
    assert result["diversity"] == pytest.approx(1.0)
    assert result["backbone"] == "test" and result["n_fake"] == 200


def test_independent_samples_of_one_distribution_have_density_near_one():
    rng = np.random.default_rng(2)
    density, coverage = coverage_density(rng.standard_normal((2000, 3)),
                                         rng.standard_normal((2000, 3)))
    assert density == pytest.approx(1.0, abs=0.08) and coverage > 0.9


def test_one_real_sample_repeated_is_precise_but_covers_nothing():
    rng = np.random.default_rng(3)
    real = rng.standard_normal((300, 8))
    fake = np.repeat(real[:1], 100, axis=0)
    result = manifold_metrics(real, fake)
    assert result["precision"] == 1.0
    assert result["recall"] == pytest.approx(1 / 300)  # only the sample itself
    assert result["coverage"] < 0.05 and result["diversity"] == 0.0


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match=r"real must be \(N, D\) features"):
        precision_recall(np.zeros(5), np.zeros((5, 2)))
