"""High-level training with automatic resume, and generator export.

A :class:`Trainer` owns the loop, the checkpoints and the resume; :func:`train` is the
same in one call, what a reproduction calls per stage::

    gan = WGANGP(generator, critic, seed=1)      # or any mitlgan.gans.AdversarialModel
    result = train(gan, images, batch_size=32, epochs=100, checkpoint_dir="run/ckpt",
                   sample_dir="run/samples", history_csv="run/history.csv", seed=0)
    export_generator(gan, "run/generator")

Run the same call again after a crash (in a fresh process, with freshly built models)
and it continues from the latest checkpoint: the models, both optimizers, the step
counter and the random state are restored, and the data order of every epoch depends
only on (seed, epoch), so the resumed run matches an uninterrupted one. A checkpoint
written under other settings (batch, data seed, number of images, the model's own
``checkpoint_settings`` such as n_critic) is refused with :class:`ResumeSettingsError`
naming each setting that differs: continuing would match neither run.
"""

import dataclasses
import shutil
import tempfile
from pathlib import Path

import numpy as np

from mitlgan import size_check
from mitlgan.callbacks import Checkpoint, HistoryCSV, NonFiniteGuard, SampleGrid
from mitlgan.checkpoints import NonFiniteLossError, resume_latest, setting_differences
from mitlgan.data.stream import ImageFiles
from mitlgan.distribute import (
    WorkerLostError,
    is_chief,
    lost_worker_message,
    worker_folder_is_private,
)
from mitlgan.errors import UserInputError
from mitlgan.export import export_generator
from mitlgan.tensorboard import TensorBoardLog

#: train steps per compiled call for models whose step is mostly dispatch overhead
#: (the MLP GANs, the palindrome RNNs): one call runs this many steps in a loop inside
#: the graph, with the same ops in the same order (bit-identical weights, tested).
#: Measured with ``benchmarks/mlp_gan_epoch.py``; epoch-end callbacks are unchanged.
SMALL_MODEL_STEPS_PER_EXECUTION = 32

#: layers whose train step XLA runs faster than TensorFlow's own kernels on a CPU: seed
#: 002's MLP GAN took 1.44-1.49 s per epoch compiled, 2.0-2.6 s not (32 steps per call,
#: ``benchmarks/mlp_gan_epoch.py``). Convolutions ran ~3x slower under XLA on the same
#: CPUs, and Dropout draws other random numbers under XLA, so neither is on the list.
XLA_FASTER_LAYERS = ("InputLayer", "Dense", "LeakyReLU", "ReLU", "Activation",
                     "BatchNormalization", "Flatten", "Reshape")


def xla_faster_on_cpu(*models) -> bool:
    """True when every layer of ``models`` (nested ones included) is one of
    :data:`XLA_FASTER_LAYERS`: compile such a model's train step with XLA on a CPU
    (``compile(jit_compile=True)``). A GPU or TPU uses XLA anyway ("auto")."""
    from mitlgan.gans.precision import all_layers

    return all(type(layer).__name__ in XLA_FASTER_LAYERS
               for model in models for layer in all_layers(model))


class ResumeSettingsError(UserInputError, ValueError):
    """A checkpoint was written under other training settings than the ones given now;
    the message names each (saved -> now)."""


@dataclasses.dataclass(frozen=True)
class TrainSettings:
    """How a GAN is trained.

    Attributes:
        batch_size: global batch B (thesis: 32).
        epochs: total epochs, counting epochs done before a resume. What an epoch is
            depends on the model (``gan.steps_per_epoch``; see ``WGANGP``'s regimes).
        seed: data shuffling seed (the noise seed is the model's own ``seed``).
        checkpoint_every: checkpoint every this many epochs (thesis: 5); the final
            epoch is always saved.
        keep: checkpoints kept (None: all).
        num_samples: images per sample grid.
        sample_seed: seed of the grid's fixed latents.
        max_steps: a size check: one epoch of at most this many steps, checkpointed; a
            rerun resumes past it and trains nothing. None: the whole ``epochs``.
        resume: restore the latest checkpoint if there is one.
        verbose: passed to ``fit``.
    """

    batch_size: int
    epochs: int
    seed: int = 0
    checkpoint_every: int = 5
    keep: int | None = 3
    num_samples: int = 16
    sample_seed: int = 0
    max_steps: int | None = None
    resume: bool = True
    verbose: str | int = "auto"


@dataclasses.dataclass(frozen=True)
class TrainOutputs:
    """Where a training call writes; None: that output is not written.

    Attributes:
        checkpoint_dir: checkpoints (and where a rerun resumes from). Under
            multi-worker training every worker resumes from here and only the chief
            writes here, samples and history included.
        sample_dir: a PNG sample grid every epoch.
        history_csv: one row per epoch (the model's metrics and what callbacks log).
        tensorboard_dir: TensorBoard event files (see :mod:`mitlgan.tensorboard`).
    """

    checkpoint_dir: Path | None = None
    sample_dir: Path | None = None
    history_csv: Path | None = None
    tensorboard_dir: Path | None = None

    def in_folder(self, folder: Path) -> "TrainOutputs":
        """The same outputs under ``folder`` (a worker's scratch copy)."""
        return TrainOutputs(*(None if path is None else Path(folder) / name for path, name in (
            (self.checkpoint_dir, "checkpoints"), (self.sample_dir, "samples"),
            (self.history_csv, "history.csv"), (self.tensorboard_dir, "tensorboard"))))


@dataclasses.dataclass
class TrainResult:
    """What a training call did, and what it learnt about itself.

    Attributes:
        history: metric name -> per-epoch values of the epochs run in this call.
        initial_epoch: epoch this call started at (> 0 after a resume).
        epochs: total epochs completed, counting earlier runs.
        resumed_from: the checkpoint restored, or None.
        last_checkpoint: the newest checkpoint after training, or None.
        damaged_checkpoints: one line per damaged newest checkpoint the resume skipped
            (those epochs were trained twice).
        size_check: with ``max_steps``, the size check's record
            (:func:`mitlgan.size_check.record_training_call`); else None.
    """

    history: dict
    initial_epoch: int
    epochs: int
    resumed_from: Path | None
    last_checkpoint: Path | None
    damaged_checkpoints: tuple[str, ...] = ()
    size_check: dict | None = None


class Trainer:
    """Trains one GAN: fit, callbacks, checkpoints and resume.

    Args:
        gan: a :class:`mitlgan.gans.AdversarialModel` such as :class:`mitlgan.WGANGP`
            (compiled with its default optimizers if not compiled).
        settings: :class:`TrainSettings`.
        outputs: :class:`TrainOutputs`.
        callbacks: extra Keras callbacks; values they add to the epoch logs go into
            the history CSV.
    """

    def __init__(self, gan, settings: TrainSettings, outputs: TrainOutputs = TrainOutputs(),
                 callbacks=()):
        self.gan, self.settings, self.outputs = gan, settings, outputs
        self.callbacks = list(callbacks)

    def data_settings(self, num_images: int) -> dict:
        """What a checkpoint records of the data; a resume must see the same."""
        return {"data_seed": self.settings.seed, "batch_size": self.settings.batch_size,
                "num_images": num_images}

    def resume(self, num_images: int):
        """Restore the newest readable checkpoint (a damaged newest one is skipped).

        Returns:
            (initial epoch, checkpoint path or None, damaged-checkpoint lines).

        Raises:
            ResumeSettingsError: the checkpoint was written under other settings.
        """
        directory = self.outputs.checkpoint_dir
        if not self.settings.resume or directory is None:
            return 0, None, ()
        point = resume_latest(self.gan, directory)
        if point.path is None:
            return 0, None, point.skipped
        differences = setting_differences(point.meta, self.gan, self.data_settings(num_images))
        if differences:
            raise ResumeSettingsError(
                f"{point.path} was written under other settings (saved -> now):\n  "
                + "\n  ".join(differences)
                + f"\nResuming would match neither run. Give the same settings, or delete "
                f"{directory} to train from the start.")
        return int(point.meta["epoch"]), point.path, point.skipped

    def fit(self, images) -> TrainResult:
        """Train on ``images`` until ``settings.epochs`` (or one size-check epoch).

        Args:
            images: float array (N, H, W, C) in [-1, 1], or a tuple of arrays of equal
                length (first the images) for a model whose ``prepare_dataset`` takes
                one, or :class:`mitlgan.data.stream.ImageFiles` (streamed, same order).

        Returns:
            :class:`TrainResult`.

        Raises:
            ResumeSettingsError: see :meth:`resume`.
            NonFiniteLossError: a loss became NaN/inf; the message names the step and
                the last good checkpoint.
            DamagedCheckpointError: checkpoints exist but none can be read.
            WorkerLostError: in a multi-worker run, another worker died, lost its
                network or hung past the collective timeout; the message names it and
                the checkpoint a rerun of every worker resumes from.
        """
        gan, settings = self.gan, self.settings
        if not gan.compiled or gan.g_optimizer is None:
            gan.compile()
        images = _as_training_data(images)
        num_images = gan.count_examples(images)
        initial_epoch, resumed_from, damaged = self.resume(num_images)
        epochs = settings.epochs
        full_steps = epochs * gan.steps_per_epoch(num_images, settings.batch_size)
        if settings.max_steps is not None:
            epochs = min(epochs, 1)  # one short epoch; a rerun resumes past it
        if initial_epoch >= epochs:
            return TrainResult({}, initial_epoch, initial_epoch, resumed_from, resumed_from,
                               damaged)

        # Every worker resumes from the chief's checkpoint above; only the chief writes
        # where it was told, the others into a scratch folder deleted afterwards (unless
        # their paths are already their own: the runner's scratch copy of the run folder).
        private = is_chief() or worker_folder_is_private()
        scratch = None if private else Path(tempfile.mkdtemp(prefix="mitlgan-worker-scratch-"))
        outputs = self.outputs if scratch is None else self.outputs.in_folder(scratch)
        guard = NonFiniteGuard(outputs.checkpoint_dir)
        checkpoint = None if outputs.checkpoint_dir is None else Checkpoint(
            outputs.checkpoint_dir, settings.checkpoint_every, keep=settings.keep,
            metadata=self.data_settings(num_images))
        all_callbacks = self._callbacks(outputs, guard, checkpoint)
        steps_per_epoch = gan.steps_per_epoch(num_images, settings.batch_size)
        timer = None
        if settings.max_steps is not None:
            steps_per_epoch = min(steps_per_epoch, settings.max_steps)
            # a size check times single steps at real size (the results mean nothing anyway)
            gan.steps_per_execution, gan.train_function = 1, None
            timer = size_check.StepTimer()
            all_callbacks.insert(0, timer)
        fit_epochs_exactly(gan, steps_per_epoch)
        dataset = training_dataset(gan, images, settings.batch_size, epochs, initial_epoch,
                                   settings.seed)
        try:
            history = gan.fit(dataset, epochs=epochs, initial_epoch=initial_epoch,
                              steps_per_epoch=steps_per_epoch, callbacks=all_callbacks,
                              shuffle=False, verbose=settings.verbose)
        except Exception as err:
            lost = lost_worker_message(err)
            if lost is None:
                raise
            last = (checkpoint.last_checkpoint if checkpoint else None) or resumed_from
            where = (f"the last checkpoint, {Path(last).name}" if last
                     else "the start (no checkpoint was written yet)")
            raise WorkerLostError(f"{lost}\nRerun the same command on every worker: training "
                                  f"resumes from {where}.") from err
        finally:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
        if guard.tripped:
            raise NonFiniteLossError(guard.message)
        record = None if timer is None else size_check.record_training_call(
            gan.name, gan, dataset.element_spec, settings.batch_size, timer.seconds, full_steps)
        completed = initial_epoch + len(next(iter(history.history.values()), []))
        return TrainResult(dict(history.history), initial_epoch, completed, resumed_from,
                           checkpoint.last_checkpoint if checkpoint else None, damaged, record)

    def _callbacks(self, outputs: TrainOutputs, guard, checkpoint) -> list:
        all_callbacks = [guard]
        grid = None
        if outputs.sample_dir is not None:
            grid = SampleGrid(outputs.sample_dir, self.settings.num_samples,
                              seed=self.settings.sample_seed)
            all_callbacks.append(grid)
        # Extra callbacks run before the CSV row and the TensorBoard scalars are
        # written, so what they log is kept.
        all_callbacks.extend(self.callbacks)
        if outputs.tensorboard_dir is not None:
            all_callbacks.append(TensorBoardLog(outputs.tensorboard_dir, sample_grid=grid))
        if outputs.history_csv is not None:
            all_callbacks.append(HistoryCSV(outputs.history_csv))
        # The checkpoint comes last: a process killed between the two has written the
        # epoch's row but not its checkpoint, and the resume drops the row; the other
        # order would lose it.
        if checkpoint is not None:
            all_callbacks.append(checkpoint)
        return all_callbacks


def _as_training_data(images):
    if isinstance(images, (tuple, list)):
        return tuple(np.asarray(a) for a in images)
    if isinstance(images, ImageFiles):
        return images
    return np.asarray(images, dtype="float32")


def train(gan, images, *, batch_size, epochs, checkpoint_dir=None, every=5, keep=3,
          sample_dir=None, num_samples=16, sample_seed=0, history_csv=None, seed=0,
          resume=True, callbacks=(), verbose="auto", tensorboard_dir=None, max_steps=None):
    """Train ``gan`` on ``images`` for ``epochs`` epochs, resuming if possible: a
    :class:`Trainer` in one call.

    Args:
        gan, images: see :meth:`Trainer.fit`.
        batch_size, epochs, seed, keep, num_samples, sample_seed, max_steps, resume,
            verbose: see :class:`TrainSettings` (``every`` is its ``checkpoint_every``).
        checkpoint_dir, sample_dir, history_csv, tensorboard_dir: see
            :class:`TrainOutputs`.
        callbacks: extra Keras callbacks.

    Returns:
        :class:`TrainResult`. Raises what :meth:`Trainer.fit` raises.
    """
    settings = TrainSettings(batch_size=batch_size, epochs=epochs, seed=seed,
                             checkpoint_every=every, keep=keep, num_samples=num_samples,
                             sample_seed=sample_seed, max_steps=max_steps, resume=resume,
                             verbose=verbose)
    outputs = TrainOutputs(*(None if path is None else Path(path) for path in (
        checkpoint_dir, sample_dir, history_csv, tensorboard_dir)))
    return Trainer(gan, settings, outputs, callbacks).fit(images)


def steps_per_call(steps_per_epoch: int, most: int) -> int:
    """The largest number of steps per compiled call, at most ``most``, that divides
    ``steps_per_epoch``: a call never runs into the next epoch's batches."""
    return max(k for k in range(1, max(1, min(most, steps_per_epoch)) + 1)
               if steps_per_epoch % k == 0)


def fit_epochs_exactly(model, steps_per_epoch: int) -> None:
    """Lower ``model.steps_per_execution`` to a divisor of ``steps_per_epoch``.

    Keras's multi-step call keeps drawing from a dataset that spans several epochs, so
    with 12 steps an epoch and 5 per call the first epoch would end after 15 steps and
    every epoch-end callback (checkpoints, grids, logs) would move. Before the train
    function is built only; idempotent.
    """
    wanted = getattr(model, "steps_per_execution", 1) or 1
    exact = steps_per_call(steps_per_epoch, wanted)
    if exact != wanted:
        model.steps_per_execution = exact
        model.train_function = None  # rebuilt with the new count on the next fit


def training_dataset(gan, images, batch_size, epochs, initial_epoch, seed):
    """The resume-exact dataset :func:`train` fits on, for the current strategy.

    Under ``MultiWorkerMirroredStrategy`` each worker's pipeline yields only its
    replicas' contiguous slices of every global batch, so replica r gets examples
    [r*b, (r+1)*b) as the noise it draws assumes, and the step equals one device's on
    the whole batch; elsewhere it is ``gan.prepare_dataset(...)``.

    Args:
        gan: the :class:`mitlgan.gans.AdversarialModel` (built under the strategy).
        images: an array, a tuple of arrays or ``ImageFiles`` (see :func:`train`).
        batch_size: global batch B.
        epochs, initial_epoch, seed: the epochs covered and the shuffling seed.

    Returns:
        a ``tf.data.Dataset``, or a distributed dataset under multi-worker training.
    """
    import tensorflow as tf

    strategy = tf.distribute.get_strategy()
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return gan.prepare_dataset(images, batch_size, epochs=epochs, initial_epoch=initial_epoch,
                                   seed=seed)

    def worker_dataset(context):
        local = context.num_replicas_in_sync // context.num_input_pipelines
        first = context.input_pipeline_id * local
        return gan.prepare_dataset(images, batch_size, epochs=epochs, initial_epoch=initial_epoch,
                                   seed=seed, shard=(context.num_replicas_in_sync,
                                                     range(first, first + local)))

    return strategy.distribute_datasets_from_function(worker_dataset)


__all__ = ["ResumeSettingsError", "TrainOutputs", "TrainResult", "TrainSettings", "Trainer",
           "export_generator", "fit_epochs_exactly", "steps_per_call", "train",
           "training_dataset", "xla_faster_on_cpu"]
