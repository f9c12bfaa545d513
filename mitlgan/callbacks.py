"""Training callbacks for the package's GANs (any :class:`mitlgan.gans.AdversarialModel`).

Pass them to ``fit``; :func:`mitlgan.training.train` wires them up:

- :class:`SampleGrid`: a PNG grid from fixed latents every epoch.
- :class:`HistoryCSV`: one row of epoch means per epoch, appended (resume-safe).
- :class:`Checkpoint`: a checkpoint every k epochs (the thesis saved every 5), written
  by :mod:`mitlgan.checkpoints`.
- :class:`NonFiniteGuard`: stops training at the first non-finite loss, naming the
  step and the last good checkpoint.

The checkpoint functions are re-exported here for existing imports.
"""

import csv
import io
import math
import sys
import warnings
from pathlib import Path

import keras

from mitlgan._checks import require_positive_int
from mitlgan.checkpoints import (
    CHECKPOINT_NAME,
    NonFiniteLossError,
    NonFiniteStateError,
    latest_checkpoint,
    save_checkpoint,
)
from mitlgan.files import write_atomic
from mitlgan.plots import save_image_grid


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
        require_positive_int("every", every)
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
        # Only the model's own losses and trackers decide: an evaluation callback logs NaN
        # on the epochs it skips (one CSV column each), which says nothing of the weights.
        tracked = {metric.name for metric in getattr(self.model, "metrics", [])}
        bad = sorted(k for k, v in (logs or {}).items()
                     if (not tracked or k in tracked) and not _finite(v))
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
        seed: seed of the fixed latents (the model's ``sample_latents``).
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
            if not hasattr(self.model, "sample_latents"):
                raise ValueError(
                    f"SampleGrid needs latents= for a {type(self.model).__name__}: it generates "
                    "from conditions, not from latent noise (give the inputs to draw from).")
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
    a crash and a resume never duplicate epochs. The file is rewritten whole each epoch
    (a temporary file renamed over it), so a failed write leaves the previous rows.

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
        text = io.StringIO(newline="")
        writer = csv.DictWriter(text, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
        write_atomic(self.path, text.getvalue())

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
        merged = list(fields or []) + [key for key in row if key not in (fields or [])]
        self._rewrite(merged, rows + [row])  # whole or not at all: a full disk loses no row


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
            + (f"{last} (epoch {int(CHECKPOINT_NAME.match(last.name).group(1))})" if last else "none written yet")
            + "."
        )
        print(f"\nNonFiniteGuard: {self.message}", file=sys.stderr, flush=True)

    def on_train_end(self, logs=None):
        if self.tripped and self.raise_error:
            raise NonFiniteLossError(self.message)
