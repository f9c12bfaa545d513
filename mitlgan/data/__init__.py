"""Datasets for mitlgan: the built-in synthetic scene set, image-folder pipelines with the
thesis's preprocessing and augmentation, and a registry of the thesis's datasets.

Images are float32 RGB in [-1, 1], shaped (N, S, S, 3); masks are in [0, 1].

- ``synthetic_scenes(n, image_size=128, seed=0)``: the offline default, made on the fly.
- ``load_image_folder(path, ...)``: a ``tf.data.Dataset`` of batches from a folder;
  ``load_image_array(path, ...)``: the same images as one array.
- ``build_augmenter(...)``, ``augment_array``, ``augment_folder``: thesis 6.2.2.
- ``DATASETS``, ``load_parts(name, ...)`` (``stream_parts``: the same, read from disk as
  needed), ``check_dataset(name)``: named datasets in
  ``ROOT/NAME/{foreground,background,combined}/``; ``python -m mitlgan.data prepare``
  makes that layout from raw downloads.

The augmentation module imports Keras (and so TensorFlow); it loads on first use so
that generating or reading images stays light.
"""

from mitlgan.data.folder import load_image_array, load_image_folder
from mitlgan.data.fonts import FontPairs, font_pairs, render_glyph, shared_charset, split_characters
from mitlgan.data.images import (
    IMAGE_EXTENSIONS,
    SQUARE_MODES,
    EmptyImageFolderError,
    FolderReport,
    ImageReadError,
    list_image_files,
    read_image,
    read_image_folder,
    to_float,
    to_uint8,
)
from mitlgan.data.mnist import MNIST_SOURCES, MnistData, MnistUnavailableError, load_mnist
from mitlgan.data.palindrome import PalindromeData, palindrome_data
from mitlgan.data.prepare import PrepareError, prepare_dataset
from mitlgan.data.registry import (
    DATASETS,
    DEFAULT_SYNTHETIC_N,
    PARTS,
    DatasetNotPreparedError,
    DatasetSpec,
    UnknownDatasetError,
    check_dataset,
    data_root,
    get_dataset,
    load_parts,
    stream_parts,
)
from mitlgan.data.synthetic import composite, make_backgrounds, make_sprites, synthetic_scenes

_LAZY = {
    "build_augmenter": "mitlgan.data.augment",
    "augment_array": "mitlgan.data.augment",
    "augment_folder": "mitlgan.data.augment",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'mitlgan.data' has no attribute {name!r}")


__all__ = [
    "DATASETS",
    "DEFAULT_SYNTHETIC_N",
    "IMAGE_EXTENSIONS",
    "MNIST_SOURCES",
    "PARTS",
    "SQUARE_MODES",
    "DatasetNotPreparedError",
    "DatasetSpec",
    "EmptyImageFolderError",
    "FolderReport",
    "FontPairs",
    "ImageReadError",
    "MnistData",
    "MnistUnavailableError",
    "PalindromeData",
    "PrepareError",
    "UnknownDatasetError",
    "augment_array",
    "augment_folder",
    "build_augmenter",
    "check_dataset",
    "composite",
    "data_root",
    "font_pairs",
    "get_dataset",
    "list_image_files",
    "load_image_array",
    "load_image_folder",
    "load_mnist",
    "load_parts",
    "stream_parts",
    "make_backgrounds",
    "make_sprites",
    "palindrome_data",
    "prepare_dataset",
    "read_image",
    "read_image_folder",
    "render_glyph",
    "shared_charset",
    "split_characters",
    "synthetic_scenes",
    "to_float",
    "to_uint8",
]
