"""TensorBoard event files for a training run: every epoch's logs as scalars, sample grids
as images, on the epoch axis that ``history.csv`` uses.

:class:`TensorBoardLog` is a Keras callback; :func:`mitlgan.training.train` adds it when
given ``tensorboard_dir``, after the callbacks that add metrics to the epoch logs (FID,
judge scores, style spread...), so TensorBoard shows what ``history.csv`` keeps. View a
whole experiment, stages side by side, with ``tensorboard --logdir runs/NAME``.

Resuming never duplicates a step: when training restarts at epoch e, events of later
epochs (written after the checkpoint it resumes from) are removed from the folder's
event files first, as :class:`mitlgan.callbacks.HistoryCSV` drops later rows. Only the
process that owns the folder should write it (``train`` gives other workers a scratch
folder).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import keras
import numpy as np

EVENTS_PATTERN = "*tfevents*"  # TensorBoard reads every file whose name holds "tfevents"
SAMPLES_TAG = "samples"
TRAIN_STEPS_TAG = "train_steps"


def event_files(log_dir) -> list[Path]:
    """The event files directly in ``log_dir``, oldest first (by name: TensorBoard's own
    names start with the creation time)."""
    log_dir = Path(log_dir)
    return sorted(log_dir.glob(EVENTS_PATTERN)) if log_dir.is_dir() else []


def _records(path: Path) -> list[bytes]:
    """The serialised events of one file; a record cut short by a crash ends the list."""
    import tensorflow as tf

    records = []
    try:
        for record in tf.data.TFRecordDataset(str(path)):
            records.append(record.numpy())
    except (tf.errors.DataLossError, tf.errors.OutOfRangeError):
        pass  # a truncated last record: the process died while writing it
    return records


def prune_events(log_dir, last_step: int) -> int:
    """Drop every event whose step is above ``last_step`` from ``log_dir``'s event files.

    Each changed file is rewritten to a temporary name and renamed over the old one, so
    a crash while pruning leaves the old file whole. A file left with no scalar or image
    event is deleted.

    Args:
        log_dir: a folder of TensorBoard event files (missing: nothing to do).
        last_step: the last epoch (1-based) to keep; 0 drops every logged epoch.

    Returns:
        the number of events dropped.
    """
    import tensorflow as tf
    from tensorflow.core.util import event_pb2

    dropped = 0
    for path in event_files(log_dir):
        records = _records(path)
        kept = [r for r in records if event_pb2.Event.FromString(r).step <= last_step]
        size = path.stat().st_size
        written = sum(len(r) + 16 for r in records)  # TFRecord framing: 12 + 4 bytes each
        if len(kept) == len(records) and written == size:
            continue
        dropped += len(records) - len(kept)
        if not any(event_pb2.Event.FromString(r).HasField("summary") for r in kept):
            path.unlink()
            continue
        temporary = path.with_name(f".{path.name}.tmp")
        with tf.io.TFRecordWriter(str(temporary)) as writer:
            for record in kept:
                writer.write(record)
        os.replace(temporary, path)
    return dropped


def _image(path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), np.uint8)


class TensorBoardLog(keras.callbacks.Callback):
    """Write each epoch's numeric logs as scalars at step = epoch (1-based), the model's
    train step counter as ``train_steps``, and the sample grid written that epoch as the
    image ``samples``.

    Args:
        log_dir: the event folder (created), e.g. ``RUN/STAGE/tensorboard``.
        sample_grid: a :class:`mitlgan.callbacks.SampleGrid` placed before this callback;
            each grid it writes is logged (None: no images).
    """

    def __init__(self, log_dir, sample_grid=None):
        super().__init__()
        self.log_dir = Path(log_dir)
        self.sample_grid = sample_grid
        self._writer = None

    def on_epoch_begin(self, epoch, logs=None):
        if self._writer is not None:
            return
        import tensorflow as tf

        prune_events(self.log_dir, epoch)  # a resumed run starts after epoch ``epoch``
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._writer = tf.summary.create_file_writer(str(self.log_dir))
        self._grids_seen = len(self.sample_grid.written) if self.sample_grid else 0

    def on_epoch_end(self, epoch, logs=None):
        import tensorflow as tf

        step = epoch + 1
        with self._writer.as_default(step=step):
            for name, value in (logs or {}).items():
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    continue  # not a number: nothing to plot
                tf.summary.scalar(name, number if math.isfinite(number) else float("nan"))
            counter = getattr(self.model, "train_steps", None)
            if counter is not None:
                tf.summary.scalar(TRAIN_STEPS_TAG, float(counter))
            if self.sample_grid is not None and len(self.sample_grid.written) > self._grids_seen:
                self._grids_seen = len(self.sample_grid.written)
                grid = _image(self.sample_grid.written[-1])
                tf.summary.image(SAMPLES_TAG, grid[None])
        self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None
