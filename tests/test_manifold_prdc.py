"""Precision, recall, density and coverage against the authors' package (prdc, Naeem et al. 2020)."""

import numpy as np
import pytest
from prdc import compute_prdc

from mitlgan.metrics.manifold import coverage_density, precision_recall


@pytest.mark.parametrize("k", [3, 5])
def test_our_manifold_metrics_equal_the_prdc_packages(k, capsys):
    rng = np.random.default_rng(k)
    real = rng.normal(size=(120, 16)).astype(np.float32)
    fake = (rng.normal(size=(90, 16)) * 0.8 + 0.5).astype(np.float32)  # shifted, narrower
    expected = compute_prdc(real, fake, nearest_k=k)
    precision, recall = precision_recall(real, fake, k=k)
    density, coverage = coverage_density(real, fake, k=k)
    assert precision == pytest.approx(expected["precision"], abs=1e-12)
    assert recall == pytest.approx(expected["recall"], abs=1e-12)
    assert density == pytest.approx(expected["density"], rel=1e-9)
    assert coverage == pytest.approx(expected["coverage"], abs=1e-12)
    assert 0 < coverage < 1 and 0 < precision < 1  # a case where the numbers are informative
