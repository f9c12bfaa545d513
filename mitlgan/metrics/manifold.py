"""Fidelity and diversity of generated samples from k-nearest-neighbour balls in feature space.

- Improved precision and recall (Kynkäänniemi et al. 2019): a sample is "inside" a
  set's manifold when it lies in the ball around some set member whose radius is that
  member's distance to its k-th nearest neighbour in the set (k = 3 by default).
  Precision: the share of generated samples inside the real manifold; recall: the share
  of real samples inside the generated manifold.
- Density and coverage (Naeem et al. 2020, k = 5 by default), from the real balls only:
  density = (1 / kM) Σ_j #{real balls containing generated sample j}; coverage = the
  share of real balls containing at least one generated sample. Two independent
  samples of one distribution give density ≈ 1; a set compared with itself gives
  (k + 1) / k, because every ball holds its centre and its k neighbours.
- Diversity: mean pairwise distance among generated samples over that among real ones
  (1 for the same spread; near 0 for a collapsed generator).

Pure numpy on (N, D) feature arrays of any backbone; distances in float64, computed in
row chunks so that tens of thousands of 2048-d features fit in memory.
"""

from __future__ import annotations

import numpy as np

__all__ = ["coverage_density", "diversity", "knn_radii", "manifold_metrics",
           "precision_recall", "ball_counts"]

DEFAULT_CHUNK = 1024  # rows per distance block: 1024 x 50,000 float64 is 400 MB
# |a|^2 + |b|^2 - 2ab rounds differently in different blocks; a point this close (relative
# to the squared norms) to a ball's surface counts as inside, so ties (a set against
# itself) do not depend on the chunking.
TIE_TOLERANCE = 1e-9


def _features(x, name):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"{name} must be (N, D) features with N >= 2, got shape {x.shape}")
    return x


def _squared_distances(a, b, b_norms, slack=False):
    a_norms = np.einsum("ij,ij->i", a, a)[:, None]
    d = np.maximum(a_norms + b_norms[None, :] - 2.0 * (a @ b.T), 0.0)
    # With slack: minus the tie tolerance, for "inside a ball" tests.
    return d - TIE_TOLERANCE * (a_norms + b_norms[None, :]) if slack else d


def knn_radii(features, k: int, chunk: int = DEFAULT_CHUNK) -> np.ndarray:
    """Distance of every sample to its k-th nearest *other* sample of the same set.

    Args:
        features: (N, D), N > k.
        k: neighbour rank (1 = nearest).

    Returns:
        float64 (N,) radii.
    """
    x = _features(features, "features")
    if not 1 <= k < len(x):
        raise ValueError(f"k={k} needs 1 <= k < N={len(x)}")
    norms = np.einsum("ij,ij->i", x, x)
    radii = np.empty(len(x))
    for start in range(0, len(x), chunk):
        d = _squared_distances(x[start:start + chunk], x, norms)
        # Index k of the sorted row skips the sample itself (distance 0 at index 0).
        radii[start:start + chunk] = np.sqrt(np.partition(d, k, axis=1)[:, k])
    return radii


def ball_counts(centres, radii, points, chunk: int = DEFAULT_CHUNK) -> np.ndarray:
    """For each point, how many balls (centre i, radius radii[i]) contain it (distance <= radius).

    Returns:
        int64 (len(points),).
    """
    centres, points = _features(centres, "centres"), _features(points, "points")
    centre_norms = np.einsum("ij,ij->i", centres, centres)
    squared_radii = np.asarray(radii, np.float64) ** 2
    counts = np.empty(len(points), np.int64)
    for start in range(0, len(points), chunk):
        d = _squared_distances(points[start:start + chunk], centres, centre_norms, slack=True)
        counts[start:start + chunk] = np.sum(d <= squared_radii[None, :], axis=1)
    return counts


def _covered_balls(centres, radii, points, chunk: int = DEFAULT_CHUNK) -> np.ndarray:
    """bool (len(centres),): whether each ball contains at least one point."""
    points = _features(points, "points")
    point_norms = np.einsum("ij,ij->i", points, points)
    squared_radii = np.asarray(radii, np.float64) ** 2
    covered = np.empty(len(centres), bool)
    for start in range(0, len(centres), chunk):
        d = _squared_distances(centres[start:start + chunk], points, point_norms, slack=True)
        covered[start:start + chunk] = np.min(d, axis=1) <= squared_radii[start:start + chunk]
    return covered


def precision_recall(real, fake, k: int = 3, chunk: int = DEFAULT_CHUNK) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019), both in [0, 1]."""
    real, fake = _features(real, "real"), _features(fake, "fake")
    precision = np.mean(ball_counts(real, knn_radii(real, k, chunk), fake, chunk) > 0)
    recall = np.mean(ball_counts(fake, knn_radii(fake, k, chunk), real, chunk) > 0)
    return float(precision), float(recall)


def coverage_density(real, fake, k: int = 5, chunk: int = DEFAULT_CHUNK) -> tuple[float, float]:
    """(density, coverage) of Naeem et al. 2020; density >= 0 (≈ 1 for matching sets),
    coverage in [0, 1]."""
    real, fake = _features(real, "real"), _features(fake, "fake")
    radii = knn_radii(real, k, chunk)
    density = ball_counts(real, radii, fake, chunk).sum() / (k * len(fake))
    coverage = np.mean(_covered_balls(real, radii, fake, chunk))
    return float(density), float(coverage)


def _mean_pairwise_distance(x, chunk):
    norms = np.einsum("ij,ij->i", x, x)
    total = 0.0
    for start in range(0, len(x), chunk):
        total += np.sqrt(_squared_distances(x[start:start + chunk], x, norms)).sum()
    return total / (len(x) * (len(x) - 1))  # the zero diagonal is left out of the mean


def diversity(real, fake, chunk: int = DEFAULT_CHUNK) -> float:
    """Mean pairwise distance among ``fake`` over that among ``real`` (>= 0)."""
    real, fake = _features(real, "real"), _features(fake, "fake")
    return float(_mean_pairwise_distance(fake, chunk) / _mean_pairwise_distance(real, chunk))


def manifold_metrics(real, fake, *, k_precision_recall: int = 3, k_density_coverage: int = 5,
                     backbone: str = "unnamed features", chunk: int = DEFAULT_CHUNK) -> dict:
    """Precision, recall, density, coverage and diversity of ``fake`` against ``real``.

    Args:
        real, fake: (N, D) and (M, D) features from the same network.
        backbone: which network made the features; copied into the result.

    Returns:
        {"precision", "recall", "density", "coverage", "diversity", "k_precision_recall",
        "k_density_coverage", "n_real", "n_fake", "backbone"}.
    """
    precision, recall = precision_recall(real, fake, k_precision_recall, chunk)
    density, coverage = coverage_density(real, fake, k_density_coverage, chunk)
    return {"precision": precision, "recall": recall, "density": density,
            "coverage": coverage, "diversity": diversity(real, fake, chunk),
            "k_precision_recall": k_precision_recall, "k_density_coverage": k_density_coverage,
            "n_real": len(real), "n_fake": len(fake), "backbone": backbone}
