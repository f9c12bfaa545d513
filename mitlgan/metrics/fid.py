"""FID (and KID) of a generator or an image set against cached real statistics.

Every number produced here carries the backbone and N it came from: FIDs compare
only at equal N (FID is biased upwards at small N, by an amount that depends on the
model) and equal backbone and input size. The default N is :data:`DEFAULT_N`
(10,000 generated images); fewer than :data:`MIN_RECOMMENDED_N` (2,048, the feature
dimension, below which the covariance is rank-deficient) triggers a warning.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from mitlgan.metrics.features import (
    DEFAULT_INPUT_SIZE,
    InceptionFeatures,
    check_backbone_available,
)
from mitlgan.metrics.fid_result import (
    DEFAULT_N,
    MIN_RECOMMENDED_N,
    FIDResult,
    SmallSampleWarning,
    warn_small_sample,
)
from mitlgan.metrics.frechet import frechet_distance, frechet_distance_from_features
from mitlgan.metrics.kid import kernel_inception_distance
from mitlgan.metrics.statistics import FeatureStatistics

__all__ = [
    "DEFAULT_N",
    "MIN_RECOMMENDED_N",
    "FIDResult",
    "FrechetInceptionDistance",
    "SmallSampleWarning",
]


def _latent_shapes(generator, latent_shapes) -> list[tuple[int, ...]]:
    if latent_shapes is not None:
        # An int is one input of that size; a list has one entry (int or tuple) per input.
        if isinstance(latent_shapes, int):
            latent_shapes = [latent_shapes]
        return [(s,) if isinstance(s, int) else tuple(s) for s in latent_shapes]
    inputs = getattr(generator, "inputs", None)
    if not inputs:
        raise ValueError(
            "cannot read the generator's latent inputs; pass latent_shapes=[(latent_dim,), ...]"
        )
    shapes = [tuple(t.shape[1:]) for t in inputs]
    if any(d is None for s in shapes for d in s):
        raise ValueError(f"latent input shapes {shapes} are not fully known; pass latent_shapes=")
    return shapes


def _source_name(data, given: str | None) -> str:
    if given is not None:
        return given
    if isinstance(data, (str, os.PathLike)):
        return str(data)
    if hasattr(data, "shape"):
        return f"{type(data).__name__}{tuple(data.shape)}"
    return type(data).__name__


def _label(meta: dict) -> str:
    """``backbone[/resize]@size[/dtype]``: the FID Inception names its resize mode, and a
    reduced-precision network its dtype (``fid-inception/legacy-tf@299/bfloat16``)."""
    label = str(meta.get("backbone"))
    if label == "fid-inception":
        label += f"/{meta.get('resize')}"
    label += f"@{meta.get('input_size')}"
    dtype = str(meta.get("compute_dtype", "float32"))
    return label if dtype == "float32" else f"{label}/{dtype.replace('mixed_', '')}"


class FrechetInceptionDistance:
    """FID/KID of generators or image sets against real statistics computed once.

    Example::

        fid = FrechetInceptionDistance(real_images, cache_path="runs/real_stats.npz")
        result = fid(generator)             # samples fid.n images
        print(result)                       # FID ... [keras-imagenet@299, N=10000 vs ... real]
        writer.writerow(result.as_row("MITLGAN (pokemon)"))

    Args:
        real: the real images: array (N, H, W, C) in [-1, 1], a ``tf.data.Dataset`` (batched
            or not, images or ``(images, labels)``), or an iterable of batches. Only read
            when the real statistics are not already available.
        real_statistics: precomputed :class:`FeatureStatistics` or a path to a saved ``.npz``.
        cache_path: ``.npz`` file for the real statistics (and real features, for KID):
            loaded if it exists, else written after the first computation.
        n: number of generated images per evaluation (default :data:`DEFAULT_N`).
        n_real: cap on real images read (None: all of ``real``).
        backbone, input_size, weights_path, allow_download, batch_size, dtype,
            jit_compile: passed to :class:`InceptionFeatures` (``backbone_seed`` is its
            ``seed``). Ignored when ``features`` is given.
        features: an existing :class:`InceptionFeatures` to share between evaluators.
        kid: also compute KID (keeps the float32 features of both sets in memory).
        kid_subsets, kid_subset_size: KID's subsets (see :func:`kernel_inception_distance`).
        seed: seed of the latent samples and of KID's subsets; the same seed gives the same
            latents at every evaluation, which makes FID curves over training smoother.
        real_source: name recorded in the statistics' metadata (default: derived from ``real``).
        verbose: 1 shows progress bars.

    Raises:
        WeightsUnavailableError: at construction, if the backbone's weights cannot be had.
        IncompatibleStatisticsError: cached or given real statistics come from another
            backbone or input size.
    """

    def __init__(
        self,
        real=None,
        *,
        real_statistics: FeatureStatistics | str | os.PathLike | None = None,
        cache_path: str | os.PathLike | None = None,
        n: int = DEFAULT_N,
        n_real: int | None = None,
        backbone: str = "keras-imagenet",
        input_size: int = DEFAULT_INPUT_SIZE,
        weights_path: str | os.PathLike | None = None,
        allow_download: bool | None = None,
        batch_size: int = 32,
        dtype: str = "float32",
        jit_compile: bool = False,
        backbone_seed: int = 0,
        features: InceptionFeatures | None = None,
        kid: bool = True,
        kid_subsets: int = 100,
        kid_subset_size: int = 1000,
        seed: int = 0,
        real_source: str | None = None,
        verbose: int = 1,
    ):
        if n < 2:
            raise ValueError("n must be >= 2")
        self.n = int(n)
        self.n_real = n_real
        self.kid = bool(kid)
        self.kid_subsets = int(kid_subsets)
        self.kid_subset_size = int(kid_subset_size)
        self.seed = int(seed)
        self.verbose = int(verbose)
        self._real = real
        self._real_source = real_source
        self._cache_path = None if cache_path is None else Path(cache_path)
        self._features = features
        if features is None:
            # Fail now (cheaply) rather than after training if the weights are missing.
            check_backbone_available(backbone, weights_path, allow_download=allow_download)
            self._feature_kwargs = dict(
                backbone=backbone,
                input_size=input_size,
                weights_path=weights_path,
                allow_download=allow_download,
                batch_size=batch_size,
                dtype=dtype,
                jit_compile=jit_compile,
                seed=backbone_seed,
                verbose=verbose,
            )
        self._real_stats: FeatureStatistics | None = None
        self._real_features: np.ndarray | None = None
        if real_statistics is not None:
            if isinstance(real_statistics, FeatureStatistics):
                self._real_stats = real_statistics
            else:
                self._real_stats, self._real_features = FeatureStatistics.load(
                    real_statistics, return_features=True
                )
        if (
            real is None
            and real_statistics is None
            and (self._cache_path is None or not self._cache_path.is_file())
        ):
            raise ValueError("give real images, real_statistics or an existing cache_path")

    # ------------------------------------------------------------------ pieces
    @property
    def features(self) -> InceptionFeatures:
        """The feature extractor (built on first use)."""
        if self._features is None:
            self._features = InceptionFeatures(**self._feature_kwargs)
        return self._features

    @property
    def real_features(self) -> np.ndarray | None:
        """float32 (N, D) real features kept for KID (None without ``kid``)."""
        self.real_statistics  # noqa: B018 (loads or computes them)
        return self._real_features

    def _feature_dim(self) -> int | None:
        return self.features.metadata.get("feature_dim")

    def _reference_stats(self) -> FeatureStatistics:
        """Statistics with the extractor's metadata, for compatibility checks."""
        return FeatureStatistics(**self.features.metadata)

    @property
    def real_statistics(self) -> FeatureStatistics:
        """Real-image statistics: given, loaded from the cache, or computed once (and cached)."""
        if self._real_stats is None:
            if self._cache_path is not None and self._cache_path.is_file():
                stats, feats = FeatureStatistics.load(self._cache_path, return_features=True)
                self._reference_stats().check_compatible(stats)
                if self.kid and feats is None and self._real is not None:
                    stats = None  # cache lacks the features KID needs: recompute below
                else:
                    self._real_stats, self._real_features = stats, feats
            if self._real_stats is None:
                self._compute_real()
        self._reference_stats().check_compatible(self._real_stats)
        return self._real_stats

    def _compute_real(self) -> None:
        if self._real is None:
            raise ValueError("no real images to compute the real statistics from")
        source = _source_name(self._real, self._real_source)
        stats = FeatureStatistics(source=source, **self.features.metadata)
        kept = []
        for batch in self.features.iter_features(
            self._real, limit=self.n_real, verbose=self.verbose
        ):
            stats.update(batch)
            if self.kid:
                kept.append(batch)
        if stats.n < 2:
            raise ValueError(f"need at least 2 real images, got {stats.n}")
        warn_small_sample(stats.n, "real images", self._feature_dim())
        self._real_stats = stats
        self._real_features = np.concatenate(kept) if kept else None
        if self._cache_path is not None:
            stats.save(self._cache_path, features=self._real_features)

    # ------------------------------------------------------------------ evaluation
    def __call__(self, target, **kwargs) -> FIDResult:
        """:meth:`evaluate_generator` for models and callables, else :meth:`evaluate_images`."""
        if isinstance(target, keras.Model) or (
            callable(target) and not isinstance(target, (np.ndarray, tf.Tensor, tf.data.Dataset))
        ):
            return self.evaluate_generator(target, **kwargs)
        return self.evaluate_images(target, **kwargs)

    def evaluate_generator(
        self,
        generator,
        *,
        n: int | None = None,
        seed: int | None = None,
        latent_shapes=None,
        batch_size: int | None = None,
        source: str | None = None,
    ) -> FIDResult:
        """FID/KID of ``n`` images sampled from ``generator``.

        The arguments are those of :meth:`generated_features`.

        Returns:
            :class:`FIDResult`.
        """
        stats, features = self.generated_features(
            generator, n=n, seed=seed, latent_shapes=latent_shapes, batch_size=batch_size,
            source=source)
        return self.compare(stats, features)

    def generated_features(
        self,
        generator,
        *,
        n: int | None = None,
        seed: int | None = None,
        latent_shapes=None,
        batch_size: int | None = None,
        source: str | None = None,
    ):
        """Feature statistics (and raw features) of ``n`` images sampled from ``generator``.

        Args:
            generator: a ``keras.Model`` with one or several latent inputs (e.g. the
                MITLGAN generator's two ``(latent_dim,)`` inputs), or any callable taking a
                tensor (one input) or a list of tensors (several). Each input gets
                z ~ N(0, I), float32, from its own stream of ``seed``. It must return
                (B, S, S, 3) images in [-1, 1] (values outside are clipped, see
                :class:`InceptionFeatures`; a ReLU head's [0, ∞) output is fed as it is).
            n: images to sample (default ``self.n``).
            seed: latent seed (default ``self.seed``); same seed, same latents, whatever
                the batch size.
            latent_shapes: per-input latent shapes, if the generator does not expose
                ``inputs``: one entry per input, an int or a tuple (``[1536, 1536]`` for
                two (1536,) inputs, ``[(4, 4, 8)]`` for one (4, 4, 8) input); a bare int is
                one input.
            batch_size: images per generator call (default: the extractor's).
            source: name stored in the result's statistics (default: the generator's name).

        Returns:
            (:class:`FeatureStatistics`, float32 (n, D) features, or None without KID).
        """
        n = self.n if n is None else int(n)
        seed = self.seed if seed is None else int(seed)
        batch_size = self.features.batch_size if batch_size is None else int(batch_size)
        warn_small_sample(n, "generated images", self._feature_dim())
        shapes = _latent_shapes(generator, latent_shapes)
        streams = [
            np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(shapes))
        ]
        if isinstance(generator, keras.Model):
            # Eager calls: a tf.function per generator would be retraced for every new
            # generator (TensorFlow warns after five), and the convolutions dominate anyway.
            def call(z):
                tensors = [tf.constant(a) for a in z]
                return generator(tensors if len(tensors) > 1 else tensors[0], training=False)
        else:

            def call(z):
                return generator(z if len(z) > 1 else z[0])

        stats = FeatureStatistics(
            source=source or getattr(generator, "name", "generator"), **self.features.metadata
        )
        kept = []
        bar = keras.utils.Progbar(n, unit_name="image") if self.verbose else None
        done = 0
        while done < n:
            b = min(batch_size, n - done)
            z = [
                rng.standard_normal((b, *shape), dtype=np.float32)
                for rng, shape in zip(streams, shapes)
            ]
            images = call(z)
            feats = self.features(np.asarray(images))
            stats.update(feats)
            if self.kid:
                kept.append(feats)
            done += b
            if bar is not None:
                bar.update(done)
        return stats, (np.concatenate(kept) if kept else None)

    def evaluate_images(
        self, images, *, n: int | None = None, source: str | None = None
    ) -> FIDResult:
        """FID/KID of an image set (array, dataset or iterable of batches, in [-1, 1]).

        Args:
            images: see :func:`iter_image_batches`.
            n: use at most this many images (default: all of them).
            source: name stored in the statistics.
        """
        stats = FeatureStatistics(source=_source_name(images, source), **self.features.metadata)
        kept = []
        for batch in self.features.iter_features(images, limit=n, verbose=self.verbose):
            stats.update(batch)
            if self.kid:
                kept.append(batch)
        warn_small_sample(stats.n, "evaluated images", self._feature_dim())
        return self.compare(stats, np.concatenate(kept) if kept else None)

    def compare(self, statistics: FeatureStatistics, features=None) -> FIDResult:
        """FID (and KID, given raw ``features``) of precomputed statistics against the real ones.

        Raises:
            IncompatibleStatisticsError: different backbone or input size.
        """
        real = self.real_statistics
        real.check_compatible(statistics)
        if (
            features is not None
            and self._real_features is not None
            and max(len(features), len(self._real_features)) <= real.dim
        ):
            # Fewer samples than dimensions: the n1×n2 sample form is exact and avoids a
            # d×d eigendecomposition (see frechet_distance_from_features).
            fid = frechet_distance_from_features(self._real_features, features)
        else:
            fid = frechet_distance(real.mean, real.cov, statistics.mean, statistics.cov)
        kid = kid_std = float("nan")
        if self.kid and features is not None:
            if self._real_features is None:
                warnings.warn(
                    "the real statistics carry no raw features, so KID is not computed "
                    "(recompute them with kid=True to store the features)",
                    stacklevel=2,
                )
            else:
                kid, kid_std = kernel_inception_distance(
                    self._real_features,
                    features,
                    num_subsets=self.kid_subsets,
                    subset_size=self.kid_subset_size,
                    seed=self.seed,
                )
        meta = real.metadata
        return FIDResult(
            fid=fid,
            kid=kid,
            kid_std=kid_std,
            # the FID Inception's label names its resize mode (fid-inception/legacy-tf@299)
            backbone=_label(meta),
            n=statistics.n,
            n_real=real.n,
            comparable=bool(meta.get("comparable", True)),
            note=str(meta.get("note", "")),
        )
