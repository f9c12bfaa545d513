"""Where the FID backbone's weights come from: a given file, the Keras cache, or a download.

Weights for ``"keras-imagenet"`` are looked up in this order, and nothing falls back
silently to another network:

1. ``weights_path=``: a local Keras ``.h5`` / ``.weights.h5`` file of InceptionV3
   with ``include_top=False``;
2. the Keras cache, ``$KERAS_HOME/models/`` or ``~/.keras/models/``
   (file ``inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5``);
3. a download into that cache, if allowed (``allow_download``; the environment
   variable ``MITLGAN_OFFLINE=1`` forbids it by default), with a time limit and an
   md5 check.

Otherwise :class:`WeightsUnavailableError` says which file is needed and how to supply it.
Nothing here imports TensorFlow, so a command line can check before building anything.
"""

from __future__ import annotations

import hashlib
import os
import time
import urllib.request
from pathlib import Path

from mitlgan.errors import UserInputError
from mitlgan.files import file_digest

__all__ = [
    "BACKBONES",
    "KERAS_WEIGHTS_FILENAME",
    "WeightsUnavailableError",
    "check_backbone_available",
    "file_md5",
    "keras_weights_cache_path",
    "missing_weights_message",
]

BACKBONES = ("keras-imagenet", "fid-inception", "random")
KERAS_WEIGHTS_FILENAME = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
KERAS_WEIGHTS_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
    + KERAS_WEIGHTS_FILENAME
)
KERAS_WEIGHTS_MD5 = "bcbd6486424b2319ff4ef7d526e38f63"  # as in keras.applications
DEFAULT_DOWNLOAD_TIMEOUT = 300.0  # seconds for the whole 87 MB file
_SOCKET_TIMEOUT = 30.0  # seconds without a byte before giving up


class WeightsUnavailableError(UserInputError, RuntimeError):
    """The backbone's weights could not be found, loaded or downloaded."""


def keras_weights_cache_path() -> Path:
    """Where Keras keeps the InceptionV3 no-top weights: ``$KERAS_HOME/models/<file>``.

    Mirrors Keras: ``KERAS_HOME`` if set, else ``~/.keras``, else ``/tmp/.keras`` when
    the home directory is not writable. Read at call time, so changing ``KERAS_HOME``
    after importing Keras is honoured.
    """
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    return Path(home) / "models" / KERAS_WEIGHTS_FILENAME


def _downloads_allowed(allow_download: bool | None) -> bool:
    if allow_download is not None:
        return bool(allow_download)
    return os.environ.get("MITLGAN_OFFLINE", "").strip().lower() in ("", "0", "false", "no")


def file_md5(path: Path) -> str:
    """Hex md5 of a file, read in 4 MB pieces."""
    return file_digest(path, "md5")


def missing_weights_message(reason: str) -> str:
    """The error text for unavailable ImageNet weights: the file, its md5, how to supply it."""
    return (
        f"Keras InceptionV3 ImageNet weights are not available: {reason}.\n"
        f"backbone='keras-imagenet' needs the file {KERAS_WEIGHTS_FILENAME!r} "
        f"(InceptionV3 include_top=False, md5 {KERAS_WEIGHTS_MD5}, from {KERAS_WEIGHTS_URL}). "
        "Supply it in one of two ways:\n"
        f"  - pass weights_path='/path/to/{KERAS_WEIGHTS_FILENAME}' (a Keras .h5 or "
        ".weights.h5 file of InceptionV3 with include_top=False), or\n"
        f"  - copy it to {keras_weights_cache_path()} (the Keras cache; KERAS_HOME moves it).\n"
        "For offline smoke tests only, backbone='random' uses an untrained network: it runs "
        "without any file, but its FID/KID are not comparable to anything."
    )


def _download(url: str, target: Path, timeout: float) -> None:
    """Download ``url`` to ``target`` within ``timeout`` seconds and check its md5."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + f".part{os.getpid()}")
    deadline = time.monotonic() + timeout
    digest = hashlib.md5()
    try:
        with (
            urllib.request.urlopen(url, timeout=min(timeout, _SOCKET_TIMEOUT)) as response,
            open(partial, "wb") as out,
        ):
            while chunk := response.read(1 << 20):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"download took longer than {timeout:.0f} s")
                out.write(chunk)
                digest.update(chunk)
        if digest.hexdigest() != KERAS_WEIGHTS_MD5:
            raise ValueError(
                f"downloaded file has md5 {digest.hexdigest()}, expected {KERAS_WEIGHTS_MD5}"
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _check_hdf5(path: Path, what: str) -> None:
    """Reject files Keras cannot load as weights before any network is built."""
    import h5py  # a Keras dependency

    if not path.name.endswith(".h5"):
        reason = f"{what} {str(path)!r} is not a Keras .h5 / .weights.h5 file"
    elif not h5py.is_hdf5(path):
        reason = f"{what} {str(path)!r} is not an HDF5 file (truncated or corrupt download?)"
    else:
        return
    raise WeightsUnavailableError(missing_weights_message(reason))


def check_backbone_available(
    backbone: str = "keras-imagenet",
    weights_path: str | os.PathLike | None = None,
    *,
    allow_download: bool | None = None,
    timeout: float = DEFAULT_DOWNLOAD_TIMEOUT,
) -> Path | None:
    """Make sure a backbone's weights can be had, without building the network.

    Cheap when the file is local (a path check). When it is not and downloads are
    allowed, this fetches it into the Keras cache once, so a CLI can fail (or finish
    the download) before training starts.

    Args:
        backbone: ``"keras-imagenet"``, ``"fid-inception"`` (the converted weights
            installed by ``python -m mitlgan.metrics.fid_inception install``) or ``"random"``.
        weights_path: optional local ``.h5`` / ``.weights.h5`` file (keras-imagenet only).
        allow_download: try a download if nothing is found locally. None means yes,
            unless the environment variable ``MITLGAN_OFFLINE`` is set to a true value.
        timeout: seconds allowed for the whole download.

    Returns:
        The weights file to load, or None for ``backbone="random"``.

    Raises:
        ValueError: unknown backbone, or ``weights_path`` given with ``"random"``.
        WeightsUnavailableError: no weights; the message says which file and how to supply it.
    """
    if backbone not in BACKBONES:
        raise ValueError(f"unknown backbone {backbone!r}; choose one of {BACKBONES}")
    if backbone == "random":
        if weights_path is not None:
            raise ValueError("backbone='random' is untrained and takes no weights_path")
        return None
    if backbone == "fid-inception":
        if weights_path is not None:
            raise ValueError("backbone='fid-inception' takes its weights from the Keras cache; "
                             "install them with python -m mitlgan.metrics.fid_inception "
                             "install --from FILE")
        from mitlgan.metrics.fid_inception.install import (
            FidInceptionUnavailableError,
            require_installed,
        )

        try:
            return Path(require_installed()["weights"])
        except FidInceptionUnavailableError as err:
            raise WeightsUnavailableError(str(err)) from err
    if weights_path is not None:
        path = Path(weights_path).expanduser()
        if not path.is_file():
            raise WeightsUnavailableError(
                missing_weights_message(f"weights_path {str(path)!r} does not exist")
            )
        _check_hdf5(path, "weights_path")
        return path
    cached = keras_weights_cache_path()
    if cached.is_file():
        _check_hdf5(cached, "the cached file")
        return cached
    if not _downloads_allowed(allow_download):
        raise WeightsUnavailableError(
            missing_weights_message(f"{cached} does not exist and downloading is disabled")
        )
    try:
        _download(KERAS_WEIGHTS_URL, cached, timeout)
    except Exception as err:  # network errors come in many types; all mean "no weights"
        raise WeightsUnavailableError(
            missing_weights_message(f"{cached} does not exist and the download failed ({err!r})")
        ) from err
    return cached
