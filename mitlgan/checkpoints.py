"""Atomic checkpoints of an adversarial model (any :class:`mitlgan.gans.AdversarialModel`).

Layout: ``<directory>/ckpt-<epoch:06d>/`` holding ``state.npz`` (every variable of the
generator, the discriminator, both optimizers, the seed and the train-step counter,
i.e. the random state) and ``meta.json`` (epoch and step counters, the model's
``checkpoint_settings()``, the variable manifest, versions). A checkpoint is written
into a hidden temporary directory, fsynced, and renamed into place in one
``os.replace``, so a crash during a write never leaves a partial ``ckpt-*``: the
previous checkpoint stays the latest. A fresh process rebuilds the same models,
compiles and calls :func:`load_checkpoint`.
"""

import dataclasses
import json
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from mitlgan.errors import UserInputError
from mitlgan.files import naming

FORMAT_VERSION = 1
CHECKPOINT_NAME = re.compile(r"^ckpt-(\d+)$")
STATE_FILE = "state.npz"
META_FILE = "meta.json"


class NonFiniteStateError(ValueError):
    """The model holds NaN/inf values; it is not written as a checkpoint."""


class NonFiniteLossError(RuntimeError):
    """Training produced a non-finite loss and was stopped (see the message)."""


class DamagedCheckpointError(UserInputError, OSError):
    """A checkpoint's files cannot be read (the machine died while writing them, or the
    disk damaged them); nothing was assigned to the model."""


# ---- checkpoint files -----------------------------------------------------------------------


def checkpoint_name(epoch):
    """Directory name of the checkpoint taken after ``epoch`` completed epochs."""
    return f"ckpt-{int(epoch):06d}"


def list_checkpoints(directory):
    """Complete checkpoints in ``directory``, oldest first.

    Temporary directories of interrupted writes are hidden (``.tmp-*``) and ignored.

    Returns:
        list of ``Path`` (empty if the directory does not exist).
    """
    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = []
    for entry in directory.iterdir():
        match = CHECKPOINT_NAME.match(entry.name)
        if match and entry.is_dir() and (entry / META_FILE).is_file() and (entry / STATE_FILE).is_file():
            found.append((int(match.group(1)), entry))
    return [path for _, path in sorted(found)]


def latest_checkpoint(directory):
    """The most recent complete checkpoint in ``directory``, or None."""
    checkpoints = list_checkpoints(directory)
    return checkpoints[-1] if checkpoints else None


def _fsync_path(path):
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_file(path, write):
    with open(path, "wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())


def _storable(value):
    value = np.asarray(value)
    # numpy has no native bfloat16/float8: store them as float32 and cast back on load.
    if value.dtype.kind == "V" or value.dtype.name not in np.sctypeDict:
        value = value.astype("float32")
    return value


def _collect_state(gan):
    arrays, manifest = {}, {}
    for group, variables in gan.checkpoint_variables().items():
        entries = []
        for index, variable in enumerate(variables):
            value = _storable(variable.numpy())
            if value.dtype.kind == "f" and not np.isfinite(value).all():
                raise NonFiniteStateError(
                    f"{group} variable {variable.path!r} holds NaN/inf values; not writing a "
                    "checkpoint of a diverged model."
                )
            arrays[f"{group}.{index:05d}"] = value
            entries.append([variable.path, list(value.shape), str(variable.dtype)])
        manifest[group] = entries
    return arrays, manifest


def save_checkpoint(gan, directory, epoch, *, keep=None, metadata=None):
    """Write a checkpoint of ``gan`` atomically and prune old ones.

    Args:
        gan: a compiled :class:`mitlgan.gans.AdversarialModel` (e.g. ``WGANGP``).
        directory: checkpoint directory (created if needed).
        epoch: number of completed epochs (names the checkpoint; ``fit`` resumes with
            ``initial_epoch=epoch``).
        keep: keep only the newest ``keep`` checkpoints (None keeps all).
        metadata: JSON-serialisable dict stored in ``meta.json`` under "metadata".

    Returns:
        ``Path`` of the new checkpoint directory.

    Raises:
        NonFiniteStateError: the model holds NaN/inf (the previous checkpoints stay).
    """
    if keep is not None and keep < 1:
        raise ValueError(f"keep={keep!r} must be None or >= 1.")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    arrays, manifest = _collect_state(gan)
    meta = {
        "format": FORMAT_VERSION,
        "epoch": int(epoch),
        "train_steps": gan.train_steps,
        "seed": gan.seed,
        **gan.checkpoint_settings(),
        "generator_optimizer_iterations": int(gan.g_optimizer.iterations.numpy()),
        f"{gan.discriminator_role}_optimizer_iterations": int(gan.d_optimizer.iterations.numpy()),
        "metadata": metadata or {},
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__},
        "variables": manifest,
    }
    name = checkpoint_name(epoch)
    final = directory / name
    for stale in directory.glob(".tmp-ckpt-*"):  # left by a crash during an earlier write
        shutil.rmtree(stale, ignore_errors=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=directory))
    try:
        _write_file(temporary / STATE_FILE, lambda handle: np.savez(handle, **arrays))
        # meta.json last: list_checkpoints only counts directories that have it.
        _write_file(temporary / META_FILE, lambda handle: handle.write(json.dumps(meta, indent=1).encode()))
        _fsync_path(temporary)
        if final.exists():
            # Re-saving an epoch (a run restarted from an earlier checkpoint): move the old
            # one aside first, since a directory can only be renamed onto an empty one.
            old = Path(tempfile.mkdtemp(prefix=f".tmp-{name}-old-", dir=directory))
            os.replace(final, old / name)
        os.replace(temporary, final)
        _fsync_path(directory)
    except OSError as err:  # a full disk, say: the previous checkpoints stay the latest
        shutil.rmtree(temporary, ignore_errors=True)
        raise naming(err, final) from err
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    for stale in directory.glob(f".tmp-{name}-old-*"):
        shutil.rmtree(stale, ignore_errors=True)
    if keep is not None:
        for old in list_checkpoints(directory)[:-keep]:
            if old != final:
                shutil.rmtree(old, ignore_errors=True)
    return final


def read_checkpoint_meta(path):
    """The ``meta.json`` dict of a checkpoint directory."""
    with open(Path(path) / META_FILE) as handle:
        return json.load(handle)


def load_checkpoint(gan, path):
    """Restore ``gan`` (models, optimizers, seed, step counter) from a checkpoint.

    The model must have the same architecture and optimizers as the one saved; it is
    compiled first if it was not (with the default optimizers). Everything is checked
    before anything is assigned, so a mismatching checkpoint changes nothing.

    Args:
        gan: an :class:`mitlgan.gans.AdversarialModel`, e.g. freshly built in a new process.
        path: a checkpoint directory (``.../ckpt-000005``).

    Returns:
        The checkpoint's metadata dict (``meta["epoch"]`` is the epoch to resume at).

    Raises:
        FileNotFoundError: not a complete checkpoint directory.
        DamagedCheckpointError: its files cannot be read (nothing was assigned).
        ValueError: the variables do not match the model's.
    """
    path = Path(path)
    if not (path / META_FILE).is_file() or not (path / STATE_FILE).is_file():
        raise FileNotFoundError(f"{path} is not a complete checkpoint (needs {META_FILE} and {STATE_FILE}).")
    try:
        meta = read_checkpoint_meta(path)
    except (OSError, ValueError) as err:  # JSONDecodeError is a ValueError
        raise DamagedCheckpointError(f"{path / META_FILE} cannot be read: {err}") from err
    if meta.get("format") != FORMAT_VERSION:
        raise ValueError(f"{path}: checkpoint format {meta.get('format')!r}, expected {FORMAT_VERSION}.")
    if not gan.compiled or gan.g_optimizer is None:
        gan.compile()
    groups = gan.checkpoint_variables()
    if set(groups) != set(meta["variables"]):
        raise ValueError(f"{path}: variable groups {sorted(meta['variables'])} do not match {sorted(groups)}.")
    for group, variables in groups.items():
        saved = meta["variables"][group]
        if len(saved) != len(variables):
            raise ValueError(
                f"{path}: the checkpoint's {group} has {len(saved)} variables, the model's has "
                f"{len(variables)}. Rebuild the same architecture (and, for optimizers, the same "
                "optimizer type and precision policy) before loading."
            )
        for (saved_path, saved_shape, _), variable in zip(saved, variables):
            if tuple(saved_shape) != tuple(variable.shape):
                raise ValueError(
                    f"{path}: {group} variable {saved_path!r} has shape {tuple(saved_shape)} in the "
                    f"checkpoint but {variable.path!r} has {tuple(variable.shape)} in the model."
                )
    try:
        # our own handle: np.load leaks the one it opens when the archive is cut short
        with open(path / STATE_FILE, "rb") as handle, np.load(handle) as data:
            values = {key: data[key] for key in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise DamagedCheckpointError(f"{path / STATE_FILE} cannot be read: "
                                     f"{type(err).__name__}: {err}") from err
    missing = [f"{group}.{index:05d}" for group, variables in groups.items()
               for index in range(len(variables)) if f"{group}.{index:05d}" not in values]
    if missing:
        raise DamagedCheckpointError(f"{path / STATE_FILE} lacks {len(missing)} arrays "
                                     f"(first {missing[0]}): it was cut short")
    for group, variables in groups.items():
        for index, variable in enumerate(variables):
            variable.assign(tf.cast(values[f"{group}.{index:05d}"], variable.dtype))
    return meta


@dataclasses.dataclass(frozen=True)
class ResumePoint:
    """What :func:`resume_latest` restored.

    Attributes:
        path: the checkpoint restored, or None when there was none.
        meta: its ``meta.json`` dict (None with no checkpoint).
        skipped: one line per damaged newer checkpoint that was skipped.
    """

    path: Path | None
    meta: dict | None
    skipped: tuple[str, ...] = ()


def resume_latest(gan, directory):
    """Restore ``gan`` from the newest checkpoint of ``directory`` that can be read.

    A damaged newest checkpoint (a machine that died while writing it) is skipped,
    loudly: a warning and a line on stderr name it and the one resumed from instead, and
    the returned point lists it (a training call passes it on in its ``TrainResult``).
    A checkpoint of another architecture is not damage: its ``ValueError`` propagates.

    Args:
        gan: the :class:`mitlgan.gans.AdversarialModel` to restore.
        directory: a checkpoint directory (missing or empty: nothing to resume).

    Returns:
        :class:`ResumePoint` (``path`` None when there is no checkpoint).

    Raises:
        DamagedCheckpointError: checkpoints exist but none can be read (the message
            lists each with its reason).
    """
    directory = Path(directory)
    candidates = list_checkpoints(directory)
    problems = []
    for path in reversed(candidates):
        try:
            meta = load_checkpoint(gan, path)
        except DamagedCheckpointError as err:
            problems.append(f"{path}: {err}")
            continue
        skipped = []
        for problem in problems:
            message = f"Damaged checkpoint skipped: {problem}. Resumed from {path} instead."
            warnings.warn(message, stacklevel=2)
            print(f"WARNING: {message}", file=sys.stderr, flush=True)
            skipped.append(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {message}")
        return ResumePoint(path, meta, tuple(skipped))
    if problems:
        raise DamagedCheckpointError(
            f"No checkpoint in {directory} can be read:\n  " + "\n  ".join(problems)
            + f"\nDelete {directory} to train this stage from the start (the finished stages "
            "are kept), or add --restart to start the whole run over.")
    return ResumePoint(None, None)


def setting_differences(meta: dict, gan, data_settings: dict) -> list[str]:
    """``name: saved -> now`` for every training setting a checkpoint was written under
    that differs now: the model's ``checkpoint_settings()`` (n_critic, loss weights...)
    and ``data_settings`` (batch, data seed, number of images; compared with the
    checkpoint's "metadata"). A setting the checkpoint does not record is not compared.

    Args:
        meta: the checkpoint's ``meta.json`` dict.
        gan: the model about to continue from it.
        data_settings: the data settings of the training call about to continue.
    """
    saved_data = meta.get("metadata", {})
    pairs = [(key, meta[key], value) for key, value in gan.checkpoint_settings().items()
             if key in meta]
    pairs += [(key, saved_data[key], value) for key, value in data_settings.items()
              if key in saved_data]
    return [f"{key}: {saved!r} -> {now!r}" for key, saved, now in pairs
            if _comparable(saved) != _comparable(now)]


def _comparable(value):
    # meta.json round trip: tuples come back as lists
    return json.loads(json.dumps(value))
