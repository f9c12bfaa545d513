"""Training callbacks and atomic checkpoints for :class:`mitlgan.WGANGP`.

Callbacks (pass them to ``fit``; :func:`mitlgan.training.train` wires them up):

- :class:`SampleGrid`: a PNG grid from fixed latents every epoch.
- :class:`HistoryCSV`: one row of epoch means per epoch, appended (resume-safe).
- :class:`Checkpoint`: a checkpoint every k epochs (the thesis saved every 5).
- :class:`NonFiniteGuard`: stops training at the first non-finite loss, naming the
  step and the last good checkpoint.

Checkpoint layout: ``<directory>/ckpt-<epoch:06d>/`` holding ``state.npz`` (every
variable of the generator, the critic, both optimizers, the seed and the train-step
counter, i.e. the random state) and ``meta.json`` (epoch and step counters, the
variable manifest, versions). A checkpoint is written into a hidden temporary
directory, fsynced, and renamed into place in one ``os.replace``, so a crash during a
write never leaves a partial ``ckpt-*``: the previous checkpoint stays the latest.
A fresh process rebuilds the same models, compiles and calls :func:`load_checkpoint`.
"""

from mitlgan._backend import ensure_tensorflow_backend

ensure_tensorflow_backend()

import csv  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from mitlgan.plots import save_image_grid  # noqa: E402

FORMAT_VERSION = 1
_NAME = re.compile(r"^ckpt-(\d+)$")
STATE_FILE = "state.npz"
META_FILE = "meta.json"


class NonFiniteStateError(ValueError):
    """The model holds NaN/inf values; it is not written as a checkpoint."""


class NonFiniteLossError(RuntimeError):
    """Training produced a non-finite loss and was stopped (see the message)."""


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
        match = _NAME.match(entry.name)
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
        gan: a compiled :class:`mitlgan.WGANGP`.
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
        "n_critic": gan.n_critic,
        "gp_weight": gan.gp_weight,
        "real_batches": gan.real_batches,
        "generator_optimizer_iterations": int(gan.g_optimizer.iterations.numpy()),
        "critic_optimizer_iterations": int(gan.d_optimizer.iterations.numpy()),
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
        gan: a :class:`mitlgan.WGANGP`, e.g. freshly built in a new process.
        path: a checkpoint directory (``.../ckpt-000005``).

    Returns:
        The checkpoint's metadata dict (``meta["epoch"]`` is the epoch to resume at).

    Raises:
        FileNotFoundError: not a complete checkpoint directory.
        ValueError: the variables do not match the model's.
    """
    path = Path(path)
    if not (path / META_FILE).is_file() or not (path / STATE_FILE).is_file():
        raise FileNotFoundError(f"{path} is not a complete checkpoint (needs {META_FILE} and {STATE_FILE}).")
    meta = read_checkpoint_meta(path)
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
    for key, expected in (("n_critic", gan.n_critic), ("real_batches", gan.real_batches)):
        if meta.get(key) != expected:
            warnings.warn(
                f"{path} was trained with {key}={meta.get(key)!r}; continuing with {expected!r} "
                "changes what a step and an epoch mean.",
                stacklevel=2,
            )
    with np.load(path / STATE_FILE) as data:
        values = {key: data[key] for key in data.files}
    for group, variables in groups.items():
        for index, variable in enumerate(variables):
            variable.assign(tf.cast(values[f"{group}.{index:05d}"], variable.dtype))
    return meta


# ---- callbacks --------------------------------------------------------------------------------


def _finite(value):
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return True  # not a number (e.g. a string): nothing to guard


class Checkpoint(keras.callbacks.Callback):
    """Save a checkpoint every ``every`` epochs (and after the last epoch).

    Epochs whose logs or weights are not finite are not saved (a warning says so), so
    the latest checkpoint is always a good one.

    Args:
        directory: checkpoint directory, see :func:`save_checkpoint`.
        every: save when the number of completed epochs is a multiple of it (thesis: 5).
        keep: newest checkpoints to keep (None keeps all).
        save_last: also save after the final epoch of ``fit``.
        metadata: dict stored with each checkpoint.

    Attributes:
        last_checkpoint: ``Path`` of the newest good checkpoint in ``directory`` (also
            ones from earlier runs), or None.
    """

    def __init__(self, directory, every=5, *, keep=3, save_last=True, metadata=None):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every={every!r} must be a positive integer.")
        self.directory = Path(directory)
        self.every = every
        self.keep = keep
        self.save_last = save_last
        self.metadata = metadata
        self.last_checkpoint = latest_checkpoint(self.directory)

    def on_epoch_end(self, epoch, logs=None):
        completed = epoch + 1
        last = completed == self.params.get("epochs") if self.params else False
        if completed % self.every and not (self.save_last and last):
            return
        bad = sorted(k for k, v in (logs or {}).items() if not _finite(v))
        if bad:
            warnings.warn(f"Epoch {completed}: non-finite {bad}; no checkpoint written.", stacklevel=2)
            return
        try:
            self.last_checkpoint = save_checkpoint(
                self.model, self.directory, completed, keep=self.keep, metadata=self.metadata
            )
        except NonFiniteStateError as error:
            warnings.warn(f"Epoch {completed}: {error}", stacklevel=2)


class SampleGrid(keras.callbacks.Callback):
    """Save a PNG grid of generated images from fixed latents every ``every`` epochs.

    Files: ``<directory>/<prefix>_<epoch:04d>.png`` (epoch counted from 1). The latents
    are the same every epoch (and across resumes), so successive grids show how the
    same samples evolve.

    Args:
        directory: output directory.
        num_samples: images per grid.
        seed: seed of the fixed latents (``WGANGP.sample_latents``).
        every: epochs between grids.
        nrow: images per grid row (default square).
        value_range: range mapped to black..white (the generator's output range).
        prefix: file name prefix.
        latents: explicit latents instead of ``num_samples``/``seed``.
    """

    def __init__(
        self,
        directory,
        num_samples=16,
        *,
        seed=0,
        every=1,
        nrow=None,
        value_range=(-1.0, 1.0),
        prefix="epoch",
        latents=None,
    ):
        super().__init__()
        self.directory = Path(directory)
        self.num_samples = num_samples
        self.seed = seed
        self.every = every
        self.nrow = nrow
        self.value_range = value_range
        self.prefix = prefix
        self.latents = latents
        self.written = []

    def _generator_and_latents(self):
        generator = getattr(self.model, "generator", self.model)
        if self.latents is None:
            self.latents = self.model.sample_latents(self.num_samples, seed=self.seed)
        return generator, self.latents

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every:
            return
        generator, latents = self._generator_and_latents()
        images = keras.ops.convert_to_numpy(generator(latents, training=False))
        path = self.directory / f"{self.prefix}_{epoch + 1:04d}.png"
        self.written.append(
            save_image_grid(images, path, nrow=self.nrow, value_range=self.value_range)
        )


class HistoryCSV(keras.callbacks.Callback):
    """Append one row per epoch (the epoch means of all logs) to a CSV file.

    Columns: ``epoch`` (counted from 1), ``train_steps`` (the model's step counter at
    the end of the epoch) and the logged metrics. When a run resumes at epoch e, rows
    of epochs > e (written after the checkpoint it resumes from) are dropped first, so
    a crash and a resume never duplicate epochs. Each row is flushed and fsynced.

    Args:
        path: CSV file (created with a header; parent directories too).
    """

    def __init__(self, path):
        super().__init__()
        self.path = Path(path)
        self._trimmed = False

    def _read(self):
        if not self.path.is_file() or self.path.stat().st_size == 0:
            return None, []
        with open(self.path, newline="") as handle:
            reader = csv.DictReader(handle)
            return list(reader.fieldnames or []), list(reader)

    def _rewrite(self, fields, rows):
        temporary = self.path.with_name(f".{self.path.name}.tmp")
        with open(temporary, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    def on_train_begin(self, logs=None):
        self._trimmed = False

    def on_epoch_begin(self, epoch, logs=None):
        if self._trimmed:
            return
        self._trimmed = True
        fields, rows = self._read()
        kept = [row for row in rows if int(float(row["epoch"])) <= epoch]
        if fields is not None and len(kept) != len(rows):
            self._rewrite(fields, kept)

    def on_epoch_end(self, epoch, logs=None):
        row = {"epoch": epoch + 1}
        if hasattr(self.model, "train_steps"):
            row["train_steps"] = self.model.train_steps
        row.update({key: float(value) for key, value in (logs or {}).items()})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fields, rows = self._read()
        if fields is None or any(key not in fields for key in row):
            merged = list(fields or []) + [key for key in row if key not in (fields or [])]
            self._rewrite(merged, rows + [row])
            return
        with open(self.path, "a", newline="") as handle:
            csv.DictWriter(handle, fieldnames=fields).writerow(row)
            handle.flush()
            os.fsync(handle.fileno())


class NonFiniteGuard(keras.callbacks.Callback):
    """Stop training at the first batch whose logged losses are NaN or infinite.

    The message names the metric(s), the train step (the model's counter, which runs on
    across resumes) with the epoch and batch, and the last good checkpoint in
    ``checkpoint_dir``; it is printed to stderr and kept in ``message``. Put this guard
    before :class:`Checkpoint` in the callback list; the checkpoint callback also
    refuses to save non-finite states.

    Args:
        checkpoint_dir: where to look for the last good checkpoint (optional).
        raise_error: raise :class:`NonFiniteLossError` at the end of ``fit`` instead of
            only stopping.

    Attributes:
        tripped: True once training was stopped.
        stopped_step: the offending train step (counted from 1), or None.
        message: the explanation, or None.
    """

    def __init__(self, checkpoint_dir=None, *, raise_error=False):
        super().__init__()
        self.checkpoint_dir = checkpoint_dir
        self.raise_error = raise_error
        self.tripped = False
        self.stopped_step = None
        self.message = None
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        bad = {key: float(value) for key, value in (logs or {}).items() if not _finite(value)}
        if not bad or self.tripped:
            return
        self.model.stop_training = True
        self.tripped = True
        step = getattr(self.model, "train_steps", None)
        self.stopped_step = step
        last = latest_checkpoint(self.checkpoint_dir) if self.checkpoint_dir else None
        where = f"train step {step} (epoch {self._epoch + 1}, batch {batch + 1})"
        found = ", ".join(f"{key}={value}" for key, value in sorted(bad.items()))
        self.message = (
            f"Non-finite loss at {where}: {found}. Training stopped. Last good checkpoint: "
            + (f"{last} (epoch {int(_NAME.match(last.name).group(1))})" if last else "none written yet")
            + "."
        )
        print(f"\nNonFiniteGuard: {self.message}", file=sys.stderr, flush=True)

    def on_train_end(self, logs=None):
        if self.tripped and self.raise_error:
            raise NonFiniteLossError(self.message)
