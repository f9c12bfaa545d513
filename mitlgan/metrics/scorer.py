"""What the scorer reads: image folders, ``.npz`` statistics and saved generators, as features.

:func:`open_source` turns a path into a :class:`ScoredSource`: the feature statistics
(always), the raw features (when they can be had: from images, a generator, or an
``.npz`` that stored them) and a description naming what was read. A generator
(``.keras`` file or SavedModel folder) is sampled in memory with z ~ N(0, I); no image
is written. A ``.keras`` model's inputs take the latent streams in the model's input order,
a SavedModel's in the order of its input names (its signature keeps no order). Statistics files without mitlgan's metadata (TTUR's and pytorch-fid's
``mu`` / ``sigma`` files) are taken as FID-Inception / legacy-tf statistics, the
convention of those tools, and say so.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mitlgan.errors import UserInputError
from mitlgan.metrics.statistics import FeatureStatistics

__all__ = ["ScoredSource", "open_source", "default_backbone"]

EXTERNAL_STATISTICS = {"backbone": "fid-inception", "input_size": 299, "resize": "legacy-tf",
                       "compute_dtype": "float32"}


@dataclass
class ScoredSource:
    """One scored input: its statistics, its (N, 2048) float32 features or None, and a description."""

    statistics: FeatureStatistics
    features: np.ndarray | None
    description: str


def default_backbone() -> str:
    """``"fid-inception"`` when its weights are installed, else ``"keras-imagenet"`` when its
    file is in the Keras cache; else a :class:`UserInputError` saying how to get either."""
    from mitlgan.metrics.fid_inception import INSTALL_COMMAND, installed
    from mitlgan.metrics.weights import keras_weights_cache_path

    if installed() is not None:
        return "fid-inception"
    if keras_weights_cache_path().is_file():
        return "keras-imagenet"
    raise UserInputError(
        "no FID backbone is installed: install the FID Inception (comparable with published "
        f"FIDs) with `{INSTALL_COMMAND}`, or put Keras's InceptionV3 no-top weights at "
        f"{keras_weights_cache_path()}; `--backbone random` scores with an untrained network "
        "(for tests only, comparable with nothing).")


def _load_statistics(path: Path, extractor) -> ScoredSource:
    try:
        with np.load(path, allow_pickle=False) as data:
            keys = set(data.files)
            if not {"mu", "sigma"} <= keys:
                raise UserInputError(f"{path}: a statistics file needs 'mu' and 'sigma', "
                                     f"it has {sorted(keys)}")
            external = "metadata" not in keys
            if external:
                mu, sigma = np.asarray(data["mu"], np.float64), np.asarray(data["sigma"], np.float64)
    except (OSError, ValueError) as err:
        raise UserInputError(f"{path}: not a readable .npz file ({err})") from err
    if external:
        # TTUR / pytorch-fid files: mu and sigma alone, from the FID Inception (legacy-tf).
        stats = FeatureStatistics(mu.shape[0], source=str(path), **EXTERNAL_STATISTICS)
        stats._n, stats._mean, stats._m2 = 2, mu, sigma  # cov = m2 / (n - 1) = sigma
        print(f"{path}: mu/sigma without metadata: taken as FID-Inception legacy-tf "
              "statistics (the TTUR / pytorch-fid convention), N unknown", file=sys.stderr)
        features, description = None, f"{path} (external statistics, N unknown)"
    else:
        stats, features = FeatureStatistics.load(path, return_features=True)
        description = f"{path} (statistics of {stats.n} images: {stats.metadata.get('source')})"
    wanted = {key: extractor.metadata.get(key) for key in ("backbone", "input_size", "resize")}
    differs = [f"{k}: file {stats.metadata.get(k)!r}, scorer {v!r}" for k, v in wanted.items()
               if stats.metadata.get(k) is not None and stats.metadata.get(k) != v]
    if differs:
        raise UserInputError(f"{path} was computed with another feature extractor ("
                             + "; ".join(differs) + "); score with the same --backbone/--resize")
    return ScoredSource(stats, features, description)


def _saved_model_generator(path: Path):
    import tensorflow as tf

    loaded = tf.saved_model.load(str(path))
    signature = loaded.signatures.get("serving_default")
    if signature is None:
        raise UserInputError(f"{path}: a SavedModel without a serving_default signature")
    specs = signature.structured_input_signature[1]
    names = sorted(specs)
    shapes = [tuple(specs[name].shape[1:]) for name in names]

    def generate(z):
        z = z if isinstance(z, list) else [z]
        outputs = signature(**{name: tf.constant(a) for name, a in zip(names, z)})
        return next(iter(outputs.values()))

    return generate, shapes


def _generator_features(path: Path, extractor, n: int, seed: int) -> ScoredSource:
    from mitlgan.metrics.fid import FrechetInceptionDistance

    if path.is_dir():
        generator, shapes = _saved_model_generator(path)
    else:
        import keras

        import mitlgan.layers  # noqa: F401 - registers mitlgan's layers (InstanceNorm...)
        import mitlgan.models.recurrent  # noqa: F401 - and its recurrent cells

        try:
            generator = keras.saving.load_model(str(path), compile=False)
        except Exception as err:  # Keras raises many types for a bad archive
            raise UserInputError(f"{path}: cannot load the generator ({err})") from err
        shapes = None
    # kid=True keeps the generated features, which kid and prdc need
    scorer = FrechetInceptionDistance(real_statistics=_placeholder(extractor), n=n, seed=seed,
                                      features=extractor, kid=True, verbose=extractor.verbose)
    stats, features = scorer.generated_features(generator, latent_shapes=shapes,
                                                source=str(path))
    return ScoredSource(stats, features, f"{path} ({n} images generated in memory, latent "
                                         f"seed {seed})")


def _placeholder(extractor) -> FeatureStatistics:
    # The evaluator wants reference statistics; a generator's own scoring never reads them.
    return FeatureStatistics.from_features(np.zeros((2, 2048), np.float32), **extractor.metadata)


def _image_features(path: Path, extractor, n: int | None) -> ScoredSource:
    from PIL import Image

    from mitlgan.data.images import list_image_files, read_image_folder

    files, _others = list_image_files(path)
    if not files:
        raise UserInputError(f"{path}: no image files in this folder")
    files = sorted(files)[:n] if n else sorted(files)
    with Image.open(files[0]) as first:
        side = min(first.size)
    images, _report = read_image_folder(path, side, files=files, progress=extractor.verbose > 0)
    features = extractor.extract(images, verbose=extractor.verbose)
    stats = FeatureStatistics.from_features(features, source=str(path), **extractor.metadata)
    return ScoredSource(stats, features, f"{path} ({len(images)} images, {side}x{side})")


def open_source(path, extractor, *, n: int = 10_000, seed: int = 0) -> ScoredSource:
    """Features and statistics of one scorer input.

    Args:
        path: an image folder, a statistics ``.npz``, a ``.keras`` generator or a SavedModel folder.
        extractor: the :class:`~mitlgan.metrics.features.InceptionFeatures` to score with.
        n: images to generate from a generator (and the most read from a folder).
        seed: the generator's latent seed.

    Raises:
        UserInputError: the path is missing or is none of those, naming it.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise UserInputError(f"{path}: no such file or folder")
    if path.suffix == ".npz":
        return _load_statistics(path, extractor)
    if path.suffix == ".keras" or (path.is_dir() and (path / "saved_model.pb").is_file()):
        return _generator_features(path, extractor, n, seed)
    if path.is_dir():
        return _image_features(path, extractor, n)
    raise UserInputError(f"{path}: not an image folder, a statistics .npz, a .keras generator "
                         "or a SavedModel folder")
