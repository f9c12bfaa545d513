"""KID against a direct, loop-by-loop numpy implementation of the same estimator."""

import numpy as np
import pytest

from mitlgan.metrics import kernel_inception_distance


def direct_mmd2(x, y):
    """Unbiased MMD² with k(a, b) = (a·b/d + 1)³, written out pair by pair."""
    m, d = x.shape

    def k(a, b):
        return (float(np.dot(a, b)) / d + 1.0) ** 3

    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j)
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j)
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m))
    return xx / (m * (m - 1)) + yy / (m * (m - 1)) - 2.0 * xy / (m * m)


# 6 subsets use per-subset kernels; 40 make reading subsets out of full kernel matrices cheaper.
@pytest.mark.parametrize("num_subsets", [6, 40])
def test_kid_matches_direct_estimator_over_subsets(num_subsets):
    rng = np.random.default_rng(0)
    real = rng.standard_normal((30, 8)).astype(np.float32)
    fake = (1.3 * rng.standard_normal((25, 8)) + 0.4).astype(np.float32)
    kid, kid_std = kernel_inception_distance(
        real, fake, num_subsets=num_subsets, subset_size=12, seed=7
    )
    # Same subset draws as documented: per subset, indices into set 1, then into set 2.
    draw = np.random.default_rng(7)
    values = []
    for _ in range(num_subsets):
        i1 = draw.choice(30, 12, replace=False)
        i2 = draw.choice(25, 12, replace=False)
        values.append(direct_mmd2(real[i1].astype(np.float64), fake[i2].astype(np.float64)))
    assert kid == pytest.approx(np.mean(values), rel=1e-12)
    assert kid_std == pytest.approx(np.std(values), rel=1e-9)
    assert kid > 0.0  # the sets differ in mean and scale


def test_kid_subset_size_is_capped_by_the_smaller_set():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((9, 5))
    b = rng.standard_normal((7, 5)) + 1.0
    kid, kid_std = kernel_inception_distance(a, b, num_subsets=1, subset_size=1000, seed=0)
    draw = np.random.default_rng(0)
    i1, i2 = draw.choice(9, 7, replace=False), draw.choice(7, 7, replace=False)
    assert kid == pytest.approx(direct_mmd2(a[i1], b[i2]), rel=1e-12)
    assert kid_std == 0.0


def test_kid_rejects_mismatched_features():
    with pytest.raises(ValueError):
        kernel_inception_distance(np.ones((5, 3)), np.ones((5, 4)))
