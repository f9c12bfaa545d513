"""Kernel Inception Distance (Bińkowski et al. 2018, "Demystifying MMD GANs").

KID is the squared maximum mean discrepancy between two feature sets with the
cubic polynomial kernel k(x, y) = (x·y / d + 1)³, estimated without bias and
averaged over random subsets. Unlike FID it has an unbiased estimator, so values at
different sample sizes are comparable in expectation (their spread is not).
"""

from __future__ import annotations

import numpy as np

__all__ = ["kernel_inception_distance", "polynomial_mmd2_unbiased"]

# Largest n1·n2 for which the full kernel matrices (3 of about that size, float64) are built.
_FULL_KERNEL_LIMIT = 4_000_000


def _polynomial_kernel(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a @ b.T / a.shape[1] + 1.0) ** 3


def polynomial_mmd2_unbiased(x, y) -> float:
    """Unbiased MMD² between two equally sized samples with the cubic polynomial kernel.

        MMD²_u = Σ_{i≠j} k(xᵢ,xⱼ) / (m(m−1)) + Σ_{i≠j} k(yᵢ,yⱼ) / (m(m−1)) − 2 Σ_{i,j} k(xᵢ,yⱼ) / m²

    Args:
        x: (m, d) features, m ≥ 2.
        y: (m, d) features.

    Returns:
        The estimate as a float (can be slightly negative when the sets match).
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if y.shape != x.shape or x.shape[0] < 2:
        raise ValueError(f"need two (m, d) arrays with m >= 2, got {x.shape} and {y.shape}")
    return _mmd2_from_kernels(
        _polynomial_kernel(x, x), _polynomial_kernel(y, y), _polynomial_kernel(x, y)
    )


def _mmd2_from_kernels(k_xx: np.ndarray, k_yy: np.ndarray, k_xy: np.ndarray) -> float:
    m = k_xx.shape[0]
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2.0 * k_xy.sum() / (m * m))


def kernel_inception_distance(
    features1,
    features2,
    *,
    num_subsets: int = 100,
    subset_size: int = 1000,
    seed: int | None = 0,
) -> tuple[float, float]:
    """KID between two feature sets: mean and standard deviation over random subsets.

    For each of ``num_subsets`` subsets, ``m = min(subset_size, N1, N2)`` rows are drawn
    without replacement from each set, in this order, with
    ``rng = numpy.random.default_rng(seed)``::

        idx1 = rng.choice(N1, m, replace=False); idx2 = rng.choice(N2, m, replace=False)

    and :func:`polynomial_mmd2_unbiased` is evaluated on them. These are the defaults
    and the estimator of torch-fidelity / clean-fid (100 subsets of 1000).

    Args:
        features1: (N1, d) features, e.g. of real images.
        features2: (N2, d) features, e.g. of generated images.
        num_subsets: number of subsets averaged.
        subset_size: rows per subset (capped at the smaller set).
        seed: seed of the subset draws.

    Returns:
        ``(kid, kid_std)``: the mean of the subset estimates, and their standard
        deviation (``numpy.std``, ddof=0, as torch-fidelity reports it). The std
        describes the spread of one subset estimate, not the error of the mean.
        Values are in units of the kernel (raw, not ×1000).
    """
    f1 = np.asarray(features1, dtype=np.float64)
    f2 = np.asarray(features2, dtype=np.float64)
    if f1.ndim != 2 or f2.ndim != 2 or f1.shape[1] != f2.shape[1]:
        raise ValueError(f"need (N1, d) and (N2, d) features, got {f1.shape} and {f2.shape}")
    if num_subsets < 1:
        raise ValueError("num_subsets must be >= 1")
    m = min(subset_size, f1.shape[0], f2.shape[0])
    if m < 2:
        raise ValueError("KID needs at least 2 samples in each set")
    n1, n2 = f1.shape[0], f2.shape[0]
    # Small sets: one full kernel matrix per pair is cheaper than 3·num_subsets small ones,
    # and subsets are then read out of it (same values, up to summation order).
    full = n1 * n2 <= _FULL_KERNEL_LIMIT and (n1 + n2) ** 2 <= 3 * num_subsets * m * m
    if full:
        k11, k22, k12 = (
            _polynomial_kernel(f1, f1),
            _polynomial_kernel(f2, f2),
            _polynomial_kernel(f1, f2),
        )
    rng = np.random.default_rng(seed)
    values = np.empty(num_subsets)
    for i in range(num_subsets):
        idx1 = rng.choice(n1, m, replace=False)
        idx2 = rng.choice(n2, m, replace=False)
        if full:
            values[i] = _mmd2_from_kernels(
                k11[np.ix_(idx1, idx1)], k22[np.ix_(idx2, idx2)], k12[np.ix_(idx1, idx2)]
            )
        else:
            values[i] = polynomial_mmd2_unbiased(f1[idx1], f2[idx2])
    return float(values.mean()), float(values.std())
