"""Fréchet distance between two Gaussians, in float64, without ``scipy.linalg.sqrtm``.

    d² = ‖μ₁ − μ₂‖² + Tr(Σ₁) + Tr(Σ₂) − 2·Tr((Σ₁Σ₂)^½)

The trace term is computed from symmetric eigendecompositions. With
Σ₁ = V diag(w) Vᵀ and A = Σ₁^½ = V diag(√w) Vᵀ, the product Σ₁Σ₂ is similar to the
symmetric positive semi-definite matrix A Σ₂ A, so both have the same eigenvalues λ
and Tr((Σ₁Σ₂)^½) = Σ √λ. Rotating by V gives the same spectrum more cheaply:
A Σ₂ A ~ diag(√w) (Vᵀ Σ₂ V) diag(√w). This needs one ``eigh`` with vectors, two
matrix products and one ``eigvalsh``: several times faster than ``sqrtm`` (a
non-symmetric Schur decomposition) and never complex.

Numerical choices (documented because they affect the last digits):

- Eigenvalues of Σ₁ at or below ``d · eps · max(w)`` cannot be told apart from
  rounding error by ``eigh``; they are treated as exactly zero and their directions
  dropped. Zero directions of Σ₁ contribute nothing to A Σ₂ A, so this is exact for
  rank-deficient Σ₁ (fewer samples than dimensions) and keeps FID(X, X) at rounding
  level instead of adding √(rounding) per null direction.
- The rotated product is ordered with Σ₁'s largest eigenvalues first (see the code):
  this keeps the small eigenvalues accurate for ill-conditioned covariances.
- Tiny negative eigenvalues of A Σ₂ A (rounding) are clamped to 0 before the square
  root, so the result is never NaN for valid covariances. A warning is raised if the
  clamped negative mass is larger than rounding explains (the input was not PSD).
- The result is not clamped: for identical inputs it may be ±1e-10-ish instead of 0.
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["frechet_distance", "frechet_distance_from_features", "trace_sqrt_product"]

# Negative eigenvalue mass (relative to total absolute mass) beyond which the input
# is reported as "not positive semi-definite" rather than silently clamped.
_NOT_PSD_TOLERANCE = 1e-6


def _as_covariance(sigma, name: str) -> np.ndarray:
    s = np.atleast_2d(np.asarray(sigma, dtype=np.float64))
    if s.ndim != 2 or s.shape[0] != s.shape[1]:
        raise ValueError(f"{name} must be a square (d, d) matrix, got shape {s.shape}")
    if not np.all(np.isfinite(s)):
        raise ValueError(f"{name} contains NaN or infinite values")
    # Symmetrise: covariances built in floating point may be asymmetric in the last bit,
    # and eigh reads only one triangle.
    return 0.5 * (s + s.T)


def _as_mean(mu, name: str) -> np.ndarray:
    m = np.atleast_1d(np.asarray(mu, dtype=np.float64))
    if m.ndim != 1:
        raise ValueError(f"{name} must be a vector of shape (d,), got shape {m.shape}")
    if not np.all(np.isfinite(m)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return m


def _warn_if_not_psd(eigenvalues: np.ndarray, what: str) -> None:
    negative = -eigenvalues[eigenvalues < 0].sum()
    total = np.abs(eigenvalues).sum()
    if total > 0 and negative > _NOT_PSD_TOLERANCE * total:
        warnings.warn(
            f"{what} has negative eigenvalues beyond rounding error "
            f"(negative mass {negative:.3g} of {total:.3g}); they are clamped to 0. "
            "Check that the covariances are positive semi-definite.",
            RuntimeWarning,
            stacklevel=3,
        )


def trace_sqrt_product(sigma1, sigma2) -> float:
    """Tr((Σ₁Σ₂)^½) for two symmetric positive semi-definite matrices, in float64.

    Args:
        sigma1: (d, d) covariance, symmetric PSD.
        sigma2: (d, d) covariance, symmetric PSD.

    Returns:
        The sum of the square roots of the eigenvalues of Σ₁Σ₂ (all real and ≥ 0 for
        PSD inputs), a Python float ≥ 0. See the module docstring for the clamping.
    """
    s1 = _as_covariance(sigma1, "sigma1")
    s2 = _as_covariance(sigma2, "sigma2")
    if s1.shape != s2.shape:
        raise ValueError(f"sigma1 {s1.shape} and sigma2 {s2.shape} differ in shape")
    d = s1.shape[0]
    w, v = np.linalg.eigh(s1)
    _warn_if_not_psd(w, "sigma1")
    w_max = float(w.max(initial=0.0))
    if w_max <= 0.0:
        return 0.0
    keep = w > d * np.finfo(np.float64).eps * w_max
    # Largest eigenvalues first: LAPACK's tridiagonal reduction then meets a matrix graded
    # from large to small, and resolves the small eigenvalues of the product to relative
    # (not only absolute) accuracy. In ascending order FID(X, X) drifted to ~1e-6 for
    # condition numbers around 1e10; descending, it stays at rounding level.
    v = np.ascontiguousarray(v[:, keep][:, ::-1])
    root_w = np.sqrt(w[keep][::-1])
    # diag(√w) Vᵀ Σ₂ V diag(√w): symmetric PSD, same non-zero spectrum as Σ₁Σ₂.
    m = v.T @ s2 @ v
    m *= root_w[:, None]
    m *= root_w[None, :]
    lam = np.linalg.eigvalsh(0.5 * (m + m.T))
    _warn_if_not_psd(lam, "sigma1^1/2 sigma2 sigma1^1/2")
    return float(np.sqrt(np.clip(lam, 0.0, None)).sum())


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """Fréchet (2-Wasserstein) distance² between N(μ₁, Σ₁) and N(μ₂, Σ₂), in float64.

    This is the FID formula when the inputs are feature means and covariances.

    Args:
        mu1: (d,) mean of the first set.
        sigma1: (d, d) covariance of the first set (symmetric PSD; rank-deficient is fine).
        mu2: (d,) mean of the second set.
        sigma2: (d, d) covariance of the second set.

    Returns:
        ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½) as a Python float, ≥ 0 up to rounding
        (not clamped). Never NaN for finite PSD inputs.

    Raises:
        ValueError: shapes do not match or an input is not finite.
    """
    m1 = _as_mean(mu1, "mu1")
    m2 = _as_mean(mu2, "mu2")
    s1 = _as_covariance(sigma1, "sigma1")
    s2 = _as_covariance(sigma2, "sigma2")
    if not (m1.shape == m2.shape and s1.shape == s2.shape == (m1.shape[0],) * 2):
        raise ValueError(
            f"shape mismatch: mu1 {m1.shape}, sigma1 {s1.shape}, mu2 {m2.shape}, sigma2 {s2.shape}"
        )
    diff = m1 - m2
    return float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * trace_sqrt_product(s1, s2))


def frechet_distance_from_features(features1, features2) -> float:
    """The same Fréchet distance, computed from the samples instead of the covariances.

    With centred, scaled samples A = (X₁ − μ₁)/√(n₁−1) and B = (X₂ − μ₂)/√(n₂−1), so
    that Σ₁ = AᵀA and Σ₂ = BᵀB (``numpy.cov``'s ddof=1), the non-zero eigenvalues of
    Σ₁Σ₂ are the squared singular values of the n₁×n₂ matrix ABᵀ, hence
    Tr((Σ₁Σ₂)^½) = Σ σᵢ(ABᵀ). This costs O(n₁·n₂·d) plus an n₁×n₂ SVD instead of
    O(d³): much cheaper when both sets have fewer samples than dimensions (e.g. quick
    FIDs at N < 2048), and it never squares a condition number.

    Args:
        features1: (n₁, d) samples, n₁ ≥ 2.
        features2: (n₂, d) samples, n₂ ≥ 2.

    Returns:
        Equal (to rounding) to ``frechet_distance(mean1, cov1, mean2, cov2)``.
    """
    x1 = np.asarray(features1, dtype=np.float64)
    x2 = np.asarray(features2, dtype=np.float64)
    if x1.ndim != 2 or x2.ndim != 2 or x1.shape[1] != x2.shape[1]:
        raise ValueError(f"need (n1, d) and (n2, d) samples, got {x1.shape} and {x2.shape}")
    if min(x1.shape[0], x2.shape[0]) < 2:
        raise ValueError("need at least 2 samples on each side")
    if not (np.all(np.isfinite(x1)) and np.all(np.isfinite(x2))):
        raise ValueError("features contain NaN or infinite values")
    mu1, mu2 = x1.mean(axis=0), x2.mean(axis=0)
    a = (x1 - mu1) / np.sqrt(x1.shape[0] - 1)
    b = (x2 - mu2) / np.sqrt(x2.shape[0] - 1)
    nuclear = np.linalg.svd(a @ b.T, compute_uv=False).sum()
    diff = mu1 - mu2
    return float(
        diff @ diff + np.einsum("ij,ij->", a, a) + np.einsum("ij,ij->", b, b) - 2 * nuclear
    )
