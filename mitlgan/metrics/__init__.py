"""Evaluation: FID, KID and the feature statistics behind them.

- :func:`frechet_distance` — the Fréchet distance of two Gaussians, float64, via
  a pivoted Cholesky factorisation and a symmetric eigenvalue problem (no ``sqrtm``).
- :class:`FeatureStatistics` — streaming, mergeable mean/covariance with metadata,
  saved as ``.npz``.
- :class:`InceptionFeatures` — 2048-d pooled InceptionV3 features
  (``backbone="keras-imagenet"``, the thesis's choice, or ``"random"`` for offline tests).
- :class:`FrechetInceptionDistance`, :class:`FIDCallback`, :class:`FIDResult` — FID/KID of a
  generator or image set against cached real statistics.
- :func:`kernel_inception_distance` — unbiased KID with the cubic polynomial kernel.
- :func:`manifold_metrics` — improved precision/recall, density/coverage and diversity
  on any features (:mod:`mitlgan.metrics.manifold`).
- :func:`part_attribution` — whether a two-latent generator changes only its own part
  when one latent moves (:mod:`mitlgan.metrics.attribution`).

Every FID carries its backbone and N: numbers compare only at equal N, backbone and
input size, and Keras-ImageNet FIDs are not comparable with published FIDs.
"""

from mitlgan.metrics.attribution import part_attribution
from mitlgan.metrics.frechet import (
    frechet_distance,
    frechet_distance_from_features,
    trace_sqrt_product,
)
from mitlgan.metrics.kid import kernel_inception_distance, polynomial_mmd2_unbiased
from mitlgan.metrics.manifold import (
    coverage_density,
    diversity,
    manifold_metrics,
    precision_recall,
)
from mitlgan.metrics.statistics import FeatureStatistics, IncompatibleStatisticsError

# The TensorFlow-dependent parts load on first use, so that the numpy-only pieces
# (frechet_distance, FeatureStatistics, KID) import without TensorFlow's start-up cost.
_LAZY = {
    **dict.fromkeys(
        (
            "BACKBONES",
            "KERAS_WEIGHTS_FILENAME",
            "WeightsUnavailableError",
            "check_backbone_available",
            "keras_weights_cache_path",
        ),
        "mitlgan.metrics.weights",
    ),
    **dict.fromkeys(
        ("DEFAULT_INPUT_SIZE", "FEATURE_DIM", "InceptionFeatures", "iter_image_batches"),
        "mitlgan.metrics.features",
    ),
    **dict.fromkeys(
        (
            "DEFAULT_N",
            "MIN_RECOMMENDED_N",
            "FIDResult",
            "FrechetInceptionDistance",
            "SmallSampleWarning",
        ),
        "mitlgan.metrics.fid",
    ),
    "FIDCallback": "mitlgan.metrics.fid_callback",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mitlgan.metrics' has no attribute {name!r}")


__all__ = [
    "BACKBONES",
    "DEFAULT_INPUT_SIZE",
    "DEFAULT_N",
    "FEATURE_DIM",
    "KERAS_WEIGHTS_FILENAME",
    "MIN_RECOMMENDED_N",
    "FIDCallback",
    "FIDResult",
    "FeatureStatistics",
    "FrechetInceptionDistance",
    "IncompatibleStatisticsError",
    "InceptionFeatures",
    "SmallSampleWarning",
    "WeightsUnavailableError",
    "check_backbone_available",
    "coverage_density",
    "diversity",
    "frechet_distance",
    "frechet_distance_from_features",
    "iter_image_batches",
    "kernel_inception_distance",
    "keras_weights_cache_path",
    "manifold_metrics",
    "part_attribution",
    "polynomial_mmd2_unbiased",
    "precision_recall",
    "trace_sqrt_product",
]
