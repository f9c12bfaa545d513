"""frechet_distance against scipy's sqrtm and against hand-computable cases."""

import warnings

import numpy as np
import pytest
import scipy.linalg

from mitlgan.metrics import frechet_distance, frechet_distance_from_features, trace_sqrt_product

D = 2048


def scipy_reference(mu1, sigma1, mu2, sigma2):
    """The textbook formula: real part of scipy.linalg.sqrtm(Σ1 Σ2)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sqrtm warns about (near-)singular products
        root = scipy.linalg.sqrtm(sigma1 @ sigma2)
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(root).real)


def random_rotation(rng, d):
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def covariance_pair(kind, rng):
    if kind == "well-conditioned":
        # Sample covariances of 3d Gaussian samples: condition number about 15.
        x = rng.standard_normal((3 * D, D))
        mix = np.eye(D) + 0.3 * rng.standard_normal((D, D)) / np.sqrt(D)
        y = 1.2 * rng.standard_normal((3 * D, D)) @ mix
        return np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    if kind == "ill-conditioned":
        # Spectra spanning 10 decades in unrelated eigenbases (condition number 1e10).
        def build(top):
            q = random_rotation(rng, D)
            return (q * np.logspace(np.log10(top), np.log10(top) - 10, D)) @ q.T

        return build(1.0), build(3.0)
    if kind == "rank-deficient":
        # Fewer samples than dimensions, as with FID at N < 2048: ranks 499 and 699.
        x = rng.standard_normal((500, D)) @ (np.eye(D) + 0.1 * rng.standard_normal((D, D)))
        y = rng.standard_normal((700, D)) + 0.1
        return np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["well-conditioned", "ill-conditioned", "rank-deficient"])
def test_matches_scipy_sqrtm_at_2048(kind):
    rng = np.random.default_rng(
        ["well-conditioned", "ill-conditioned", "rank-deficient"].index(kind)
    )
    sigma1, sigma2 = covariance_pair(kind, rng)
    mu1 = rng.standard_normal(D) * 0.1
    mu2 = mu1 + rng.standard_normal(D) * 0.05
    ours = frechet_distance(mu1, sigma1, mu2, sigma2)
    reference = scipy_reference(mu1, sigma1, mu2, sigma2)
    assert np.isfinite(ours)
    assert ours == pytest.approx(reference, rel=1e-6)
    if kind != "well-conditioned":  # the easy case is skipped to save a 2048-d eigh
        # FID(X, X) is 0 up to rounding, also when Σ is singular or has condition 1e10.
        assert abs(frechet_distance(mu1, sigma1, mu1, sigma1)) < 1e-6


def test_identical_gaussians_give_zero():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((20, 20))
    sigma = a @ a.T
    mu = rng.standard_normal(20)
    assert abs(frechet_distance(mu, sigma, mu, sigma)) < 1e-9


def test_shifted_mean_gives_squared_shift():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((30, 30))
    sigma = a @ a.T / 30
    mu = rng.standard_normal(30)
    shift = np.full(30, 0.5)  # ‖shift‖² = 30 · 0.25 = 7.5
    assert frechet_distance(mu, sigma, mu + shift, sigma) == pytest.approx(7.5, abs=1e-9)


def test_diagonal_covariances_closed_form():
    # Commuting diagonal matrices: Tr(Σ1 + Σ2 − 2(Σ1Σ2)^½) = Σ (√a − √b)².
    a = np.array([1.0, 4.0, 9.0, 0.25])
    b = np.array([4.0, 1.0, 9.0, 1.0])
    mu1 = np.array([0.0, 1.0, 0.0, 0.0])
    mu2 = np.array([0.0, 0.0, 2.0, 0.0])
    expected = 1.0 + 4.0 + (1 + 1 + 0 + 0.25)  # ‖Δμ‖² = 5, trace term = 1 + 1 + 0 + 0.25
    assert frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, abs=1e-12)


def test_non_commuting_2x2_closed_form():
    # For a 2x2 matrix with eigenvalues λ1, λ2 ≥ 0: √λ1 + √λ2 = √(tr M + 2√det M).
    s1 = np.array([[2.0, 0.7], [0.7, 1.0]])
    s2 = np.array([[1.0, -0.4], [-0.4, 3.0]])
    m = s1 @ s2
    expected_trace_sqrt = np.sqrt(np.trace(m) + 2 * np.sqrt(np.linalg.det(s1) * np.linalg.det(s2)))
    assert trace_sqrt_product(s1, s2) == pytest.approx(expected_trace_sqrt, rel=1e-13)
    expected = np.trace(s1) + np.trace(s2) - 2 * expected_trace_sqrt
    assert frechet_distance([0, 0], s1, [0, 0], s2) == pytest.approx(expected, rel=1e-12)


def test_singular_covariances_never_nan():
    # Rank-1 Σ1 = uuᵀ, Σ2 = vvᵀ: Σ1Σ2 = (u·v) u vᵀ has the single eigenvalue (u·v)².
    u = np.array([1.0, 2.0, 0.0])
    v = np.array([0.5, -1.0, 3.0])
    mu1, mu2 = np.zeros(3), np.array([1.0, 0.0, 0.0])
    expected = 1.0 + u @ u + v @ v - 2 * abs(u @ v)
    got = frechet_distance(mu1, np.outer(u, u), mu2, np.outer(v, v))
    assert got == pytest.approx(expected, abs=1e-12)
    # A zero covariance (all samples equal) against anything: ‖Δμ‖² + Tr Σ2.
    assert frechet_distance(mu1, np.zeros((3, 3)), mu2, np.outer(v, v)) == pytest.approx(
        1.0 + v @ v, abs=1e-12
    )
    assert frechet_distance(mu1, np.zeros((3, 3)), mu2, np.zeros((3, 3))) == pytest.approx(1.0)


def test_invalid_inputs_are_rejected():
    sigma = np.eye(3)
    with pytest.raises(ValueError, match="shape"):
        frechet_distance(np.zeros(3), sigma, np.zeros(4), np.eye(4))
    with pytest.raises(ValueError, match="NaN"):
        frechet_distance(np.zeros(3), np.full((3, 3), np.nan), np.zeros(3), sigma)
    with pytest.warns(RuntimeWarning, match="negative eigenvalues"):
        frechet_distance(np.zeros(2), np.diag([1.0, -1.0]), np.zeros(2), np.eye(2))
    # Indefinite with a non-negative diagonal (eigenvalues 1, 1, -1): caught as well.
    indefinite = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    with pytest.warns(RuntimeWarning, match="negative eigenvalues"):
        frechet_distance(np.zeros(3), indefinite, np.zeros(3), np.eye(3))


@pytest.mark.parametrize("d, n1, n2", [(2048, 64, 80), (5, 50, 40)])
def test_sample_form_equals_covariance_form(d, n1, n2):
    # Fewer samples than dimensions (the quick-FID case) and more samples than dimensions.
    rng = np.random.default_rng(d)
    x = rng.standard_normal((n1, d)) @ (np.eye(d) + 0.2 * rng.standard_normal((d, d)))
    y = 1.5 * rng.standard_normal((n2, d)) + 0.3
    from_covariances = frechet_distance(
        x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False)
    )
    assert frechet_distance_from_features(x, y) == pytest.approx(from_covariances, rel=1e-9)
    assert abs(frechet_distance_from_features(x, x)) < 1e-9 * from_covariances
    if d == 5:
        reference = scipy_reference(
            x.mean(0), np.cov(x, rowvar=False), y.mean(0), np.cov(y, rowvar=False)
        )
        assert frechet_distance_from_features(x, y) == pytest.approx(reference, rel=1e-10)
