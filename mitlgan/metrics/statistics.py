"""Streaming, mergeable feature statistics (mean and covariance) in float64.

Batches are folded in with the pairwise update of Chan, Golub and LeVeque (1979):
each batch is centred on its own mean before its scatter matrix is formed, and
batches are combined with the correction term n_a·n_b/n · δδᵀ. Unlike raw sums of
x and xxᵀ this does not cancel catastrophically when features have a large mean
relative to their spread, and the same formula merges two accumulators, so
statistics can be computed in pieces (shards, processes) and combined exactly.

Saved files are ``.npz`` with ``mu`` and ``sigma`` (the key names other FID tools
use), ``n``, ``metadata`` (a JSON string: backbone, input size, source, ...) and,
optionally, the raw ``features`` (float32) that KID needs.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from mitlgan.errors import UserInputError
from mitlgan.metrics.frechet import frechet_distance

__all__ = ["FeatureStatistics", "IncompatibleStatisticsError"]

# Statistics are comparable only if these metadata entries agree (dimension is checked too).
COMPARABILITY_KEYS = ("backbone", "input_size", "resize", "compute_dtype")
_FORMAT = "mitlgan.feature_statistics/1"


class IncompatibleStatisticsError(UserInputError, ValueError):
    """Two sets of statistics come from different feature extractors and cannot be compared."""


class FeatureStatistics:
    """Running mean and covariance of feature vectors, in float64, with metadata.

    Typical use::

        stats = FeatureStatistics(backbone="keras-imagenet", input_size=299, source="pokemon")
        for batch in feature_batches:          # each (B, d), any float dtype
            stats.update(batch)
        stats.mean, stats.cov, stats.n         # (d,), (d, d) with ddof=1, int
        stats.save("real_stats.npz")

    Args:
        dim: feature dimension d, or None to take it from the first batch.
        backbone: identifier of the network that produced the features (e.g.
            ``"keras-imagenet"``); statistics with different backbones refuse to be compared.
        input_size: image side length fed to the backbone; also checked when comparing.
        source: free text saying what the images were (dataset path, generator name).
        **metadata: further JSON-serialisable entries (kept, saved and loaded).
    """

    def __init__(
        self,
        dim: int | None = None,
        *,
        backbone: str | None = None,
        input_size: int | None = None,
        source: str | None = None,
        **metadata: Any,
    ):
        self.metadata: dict[str, Any] = {
            "backbone": backbone,
            "input_size": None if input_size is None else int(input_size),
            "source": source,
            **metadata,
        }
        self._dim = None if dim is None else int(dim)
        self._n = 0
        self._mean: np.ndarray | None = None
        self._m2: np.ndarray | None = None  # Σ (x − mean)(x − mean)ᵀ

    # ------------------------------------------------------------------ accumulate
    def update(self, features) -> FeatureStatistics:
        """Fold a batch of feature vectors into the statistics.

        Args:
            features: (B, d) array-like (float32 is fine; it is converted to float64
                before centring). B may be 0.

        Returns:
            self, so calls can be chained.
        """
        x = np.asarray(features, dtype=np.float64)
        if x.ndim != 2:
            raise ValueError(f"features must have shape (B, d), got {x.shape}")
        if x.shape[0] == 0:
            return self
        if not np.all(np.isfinite(x)):
            raise ValueError("features contain NaN or infinite values")
        mean_b = x.mean(axis=0)
        centred = x - mean_b
        self._combine(x.shape[0], mean_b, centred.T @ centred)
        return self

    def _combine(self, n_b: int, mean_b: np.ndarray, m2_b: np.ndarray) -> None:
        if self._dim is None:
            self._dim = mean_b.shape[0]
        if mean_b.shape != (self._dim,):
            raise ValueError(f"feature dimension {mean_b.shape[0]} != {self._dim}")
        if self._n == 0:
            self._n, self._mean, self._m2 = n_b, mean_b.copy(), m2_b.copy()
            return
        n_a = self._n
        n = n_a + n_b
        delta = mean_b - self._mean
        self._mean = self._mean + delta * (n_b / n)
        self._m2 = self._m2 + m2_b + np.outer(delta, delta) * (n_a * n_b / n)
        self._n = n

    def merge(self, other: FeatureStatistics) -> FeatureStatistics:
        """Statistics of the union of both sample sets, as a new object.

        Equals one pass over all features, up to rounding. Metadata is taken from
        ``self`` (the source entry joins both sources).

        Raises:
            IncompatibleStatisticsError: backbones, input sizes or dimensions differ.
        """
        self.check_compatible(other)
        out = FeatureStatistics(self._dim, **self.metadata)
        if self.metadata.get("source") != other.metadata.get("source"):
            out.metadata["source"] = (
                f"{self.metadata.get('source')} + {other.metadata.get('source')}"
            )
        for part in (self, other):
            if part._n:
                out._combine(part._n, part._mean, part._m2)
        return out

    @classmethod
    def from_features(cls, features, **kwargs: Any) -> FeatureStatistics:
        """Statistics of a (N, d) feature array in one pass; kwargs are as for the constructor."""
        return cls(**kwargs).update(features)

    # ------------------------------------------------------------------ results
    @property
    def n(self) -> int:
        """Number of feature vectors seen."""
        return self._n

    @property
    def dim(self) -> int | None:
        """Feature dimension d (None until the first batch)."""
        return self._dim

    @property
    def mean(self) -> np.ndarray:
        """(d,) float64 mean."""
        if self._n == 0:
            raise ValueError("no features have been added")
        return self._mean.copy()

    @property
    def cov(self) -> np.ndarray:
        """(d, d) float64 sample covariance with ddof=1 (as ``numpy.cov``)."""
        if self._n < 2:
            raise ValueError(f"a covariance needs at least 2 samples, have {self._n}")
        return self._m2 / (self._n - 1)

    @property
    def backbone(self) -> str | None:
        return self.metadata.get("backbone")

    @property
    def input_size(self) -> int | None:
        return self.metadata.get("input_size")

    def check_compatible(self, other: FeatureStatistics) -> None:
        """Raise unless ``other`` comes from the same backbone, input size and dimension.

        Raises:
            IncompatibleStatisticsError: with both values named.
        """
        problems = [
            f"{key}: {self.metadata.get(key)!r} vs {other.metadata.get(key)!r}"
            for key in COMPARABILITY_KEYS
            if self.metadata.get(key) != other.metadata.get(key)
        ]
        if self._dim is not None and other._dim is not None and self._dim != other._dim:
            problems.append(f"feature dimension: {self._dim} vs {other._dim}")
        if problems:
            raise IncompatibleStatisticsError(
                "these feature statistics come from different feature extractors and FIDs "
                "between them mean nothing (" + "; ".join(problems) + "). Recompute one side "
                "with the same backbone and input_size (or call frechet_distance(mu1, sigma1, "
                "mu2, sigma2) directly if you really mean to)."
            )

    def frechet_distance(self, other: FeatureStatistics) -> float:
        """FID-style Fréchet distance to ``other`` after checking they are comparable."""
        self.check_compatible(other)
        return frechet_distance(self.mean, self.cov, other.mean, other.cov)

    # ------------------------------------------------------------------ files
    def save(self, path: str | os.PathLike, features=None) -> Path:
        """Write ``mu``, ``sigma``, ``n``, ``metadata`` (and optional float32 ``features``).

        Args:
            path: target file; ``.npz`` is appended if missing.
            features: optional (N, d) raw features to store alongside (for KID).

        Returns:
            The path written.
        """
        if self._n == 0:
            raise ValueError("cannot save empty statistics")
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_name(path.name + ".npz")
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = {**self.metadata, "n": self._n, "dim": self._dim, "format": _FORMAT}
        sigma = self.cov if self._n >= 2 else np.zeros((self._dim, self._dim))
        arrays = {
            "mu": self._mean,
            "sigma": sigma,
            "n": np.int64(self._n),
            "metadata": np.array(json.dumps(meta, sort_keys=True)),
        }
        if features is not None:
            arrays["features"] = np.asarray(features, dtype=np.float32)
        # Write then rename, so an interrupted save never leaves a truncated cache behind.
        tmp = path.with_name(path.name + f".tmp{os.getpid()}.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike, *, return_features: bool = False):
        """Read statistics written by :meth:`save`.

        Args:
            path: the ``.npz`` file.
            return_features: also return the stored raw features (or None).

        Returns:
            ``FeatureStatistics``, or ``(FeatureStatistics, features | None)``.
        """
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["metadata"])) if "metadata" in data else {}
            n = int(data["n"])
            mu = np.asarray(data["mu"], dtype=np.float64)
            sigma = np.asarray(data["sigma"], dtype=np.float64)
            features = np.asarray(data["features"]) if "features" in data else None
        for key in ("n", "dim", "format"):
            meta.pop(key, None)
        stats = cls(mu.shape[0], **meta)
        stats._n, stats._mean = n, mu
        stats._m2 = sigma * (n - 1) if n >= 2 else np.zeros_like(sigma)
        return (stats, features) if return_features else stats

    def __repr__(self) -> str:
        return (
            f"FeatureStatistics(n={self._n}, dim={self._dim}, backbone={self.backbone!r}, "
            f"input_size={self.input_size!r}, source={self.metadata.get('source')!r})"
        )
