"""Inception Score from the FID Inception's 1008 logits, as the original (Salimans et al. 2016).

IS = exp(E_x KL(p(y|x) || p(y))), computed on each of ``splits`` consecutive equal
parts of the images (10, as the original), reported as the mean and standard deviation
over the parts. The original took the softmax of ``pool_3 @ W`` without the bias over all
1008 outputs; :meth:`InceptionFeatures.logits_of` gives exactly those logits.
"""

from __future__ import annotations

import numpy as np

__all__ = ["inception_score"]


def inception_score(logits, splits: int = 10) -> tuple[float, float]:
    """Inception Score of a set of images from their logits.

    Args:
        logits: (N, K) array of unnormalised class scores, N >= ``splits``.
        splits: number of consecutive parts (the original used 10).

    Returns:
        (mean, standard deviation) of the parts' scores; each score is in [1, K].
    """
    logits = np.asarray(logits, np.float64)
    if logits.ndim != 2 or len(logits) < splits or splits < 1:
        raise ValueError(f"need (N, K) logits with N >= splits={splits}, got {logits.shape}")
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    scores = []
    for part in np.array_split(log_p, splits):
        p = np.exp(part)
        log_marginal = np.log(p.mean(axis=0))
        kl = (p * (part - log_marginal)).sum(axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))
