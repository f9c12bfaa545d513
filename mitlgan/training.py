"""High-level training with automatic resume, and generator export.

:func:`train` is what a reproduction calls per stage::

    gan = WGANGP(generator, critic, seed=1)      # or any mitlgan.gans.AdversarialModel
    result = train(gan, images, batch_size=32, epochs=100, checkpoint_dir="run/ckpt",
                   sample_dir="run/samples", history_csv="run/history.csv", seed=0)
    export_generator(gan, "run/generator")

Run the same call again after a crash (in a fresh process, with freshly built models)
and it continues from the latest checkpoint: the models, both optimizers, the step
counter and the random state are restored, and the data order of every epoch depends
only on (seed, epoch), so the resumed run matches an uninterrupted one.
"""

import dataclasses
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path

import keras
import numpy as np

from mitlgan import size_check
from mitlgan.artifacts import GENERATOR_FILE, SAVEDMODEL_DIR
from mitlgan.callbacks import Checkpoint, HistoryCSV, NonFiniteGuard, SampleGrid
from mitlgan.checkpoints import NonFiniteLossError, resume_latest
from mitlgan.data.stream import ImageFiles
from mitlgan.distribute import (
    WorkerLostError,
    is_chief,
    lost_worker_message,
    worker_folder_is_private,
)
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


@dataclasses.dataclass
class TrainResult:
    """What :func:`train` did.

    Attributes:
        history: metric name -> per-epoch values of the epochs run in this call.
        initial_epoch: epoch this call started at (> 0 after a resume).
        epochs: total epochs completed, counting earlier runs.
        resumed_from: the checkpoint restored, or None.
        last_checkpoint: the newest checkpoint after training, or None.
    """

    history: dict
    initial_epoch: int
    epochs: int
    resumed_from: Path | None
    last_checkpoint: Path | None


def train(
    gan,
    images,
    *,
    batch_size,
    epochs,
    checkpoint_dir=None,
    every=5,
    keep=3,
    sample_dir=None,
    num_samples=16,
    sample_seed=0,
    history_csv=None,
    seed=0,
    resume=True,
    callbacks=(),
    verbose="auto",
    tensorboard_dir=None,
    max_steps=None,
):
    """Train ``gan`` on an image array for ``epochs`` epochs, resuming if possible.

    Args:
        gan: a :class:`mitlgan.gans.AdversarialModel` such as :class:`mitlgan.WGANGP`
            (compiled with its default optimizers if not compiled).
        images: float array (N, H, W, C) in [-1, 1], or a tuple of arrays of equal
            length (first the images) for a model whose ``prepare_dataset`` takes one,
            or :class:`mitlgan.data.stream.ImageFiles` (streamed from disk, same order).
        batch_size: global batch B (thesis: 32).
        epochs: total epochs, counting epochs done before a resume. What an epoch is
            depends on the model (``gan.steps_per_epoch``; see ``WGANGP``'s regimes).
        checkpoint_dir: where checkpoints go (and are resumed from); None: no
            checkpoints. Under multi-worker training every worker resumes from here
            and only the chief writes here, samples and history included.
        every: checkpoint every this many epochs (thesis: 5); the final epoch is always
            saved.
        keep: checkpoints kept (None: all).
        sample_dir: where a PNG sample grid goes every epoch; None: none.
        num_samples: images per grid.
        sample_seed: seed of the grid's fixed latents.
        history_csv: CSV file receiving one row per epoch; None: none.
        seed: data shuffling seed (the noise seed is the model's own ``seed``).
        resume: restore the latest checkpoint of ``checkpoint_dir`` if there is one.
        callbacks: extra Keras callbacks; values they add to the epoch logs go into
            ``history_csv``.
        verbose: passed to ``fit``.
        tensorboard_dir: where TensorBoard event files go (every epoch's logs as
            scalars, each sample grid as an image; see :mod:`mitlgan.tensorboard`);
            None: none.
        max_steps: a size check (the runners' ``--max-steps``): one epoch of at most
            this many steps, checkpointed; a rerun resumes past it and trains nothing.
            None: the whole ``epochs``.

    Returns:
        :class:`TrainResult`.

    Raises:
        NonFiniteLossError: a loss became NaN/inf; the message names the step and the
            last good checkpoint.
        DamagedCheckpointError: checkpoints exist but none can be read (a damaged
            newest one alone is skipped with a warning; see
            :func:`mitlgan.checkpoints.resume_latest`).
        WorkerLostError: in a multi-worker run, another worker died, lost its network or
            hung past the collective timeout; the message names it and the checkpoint a
            rerun of every worker resumes from.
    """
    if not gan.compiled or gan.g_optimizer is None:
        gan.compile()
    if isinstance(images, (tuple, list)):
        images = tuple(np.asarray(a) for a in images)
    elif not isinstance(images, ImageFiles):
        images = np.asarray(images, dtype="float32")
    num_images = gan.count_examples(images)
    metadata = {"data_seed": seed, "batch_size": batch_size, "num_images": num_images}
    initial_epoch, resumed_from = 0, None
    if resume and checkpoint_dir is not None:
        resumed_from, meta = resume_latest(gan, checkpoint_dir)  # skips a damaged newest one
        if resumed_from is not None:
            initial_epoch = int(meta["epoch"])
            saved = meta.get("metadata", {})
            changed = {k: (saved[k], v) for k, v in metadata.items() if k in saved and saved[k] != v}
            if changed:
                warnings.warn(
                    f"Resuming from {resumed_from} with different data settings (saved, now): "
                    f"{changed}; the run will not match an uninterrupted one.",
                    stacklevel=2,
                )
    full_steps = epochs * gan.steps_per_epoch(num_images, batch_size)
    if max_steps is not None:
        epochs = min(epochs, 1)  # one short epoch; a rerun resumes past it
    if initial_epoch >= epochs:
        return TrainResult({}, initial_epoch, initial_epoch, resumed_from, resumed_from)

    # Every worker resumes from the chief's checkpoint above; only the chief writes where
    # it was told, the others into a scratch folder deleted afterwards (unless their
    # paths are already their own: the runner's scratch copy of the run folder).
    private = is_chief() or worker_folder_is_private()
    scratch = None if private else Path(tempfile.mkdtemp(prefix="mitlgan-worker-scratch-"))
    if scratch is not None:
        checkpoint_dir, sample_dir, history_csv, tensorboard_dir = (
            None if path is None else scratch / name for path, name in (
                (checkpoint_dir, "checkpoints"), (sample_dir, "samples"),
                (history_csv, "history.csv"), (tensorboard_dir, "tensorboard")))
    guard = NonFiniteGuard(checkpoint_dir)
    all_callbacks = [guard]
    grid = None
    if sample_dir is not None:
        grid = SampleGrid(sample_dir, num_samples, seed=sample_seed)
        all_callbacks.append(grid)
    # Extra callbacks run before the CSV row and the TensorBoard scalars are written, so
    # what they log is kept.
    all_callbacks.extend(callbacks)
    if tensorboard_dir is not None:
        all_callbacks.append(TensorBoardLog(tensorboard_dir, sample_grid=grid))
    if history_csv is not None:
        all_callbacks.append(HistoryCSV(history_csv))
    # The checkpoint comes last: a process killed between the two has written the epoch's
    # row but not its checkpoint, and the resume drops the row; the other order would lose it.
    checkpoint = None
    if checkpoint_dir is not None:
        checkpoint = Checkpoint(checkpoint_dir, every, keep=keep, metadata=metadata)
        all_callbacks.append(checkpoint)

    steps_per_epoch = gan.steps_per_epoch(num_images, batch_size)
    timer = None
    if max_steps is not None:
        steps_per_epoch = min(steps_per_epoch, max_steps)
        # a size check times single steps at real size (the results mean nothing anyway)
        gan.steps_per_execution, gan.train_function = 1, None
        timer = size_check.StepTimer()
        all_callbacks.insert(0, timer)
    fit_epochs_exactly(gan, steps_per_epoch)
    dataset = training_dataset(gan, images, batch_size, epochs, initial_epoch, seed)
    try:
        history = gan.fit(
            dataset,
            epochs=epochs,
            initial_epoch=initial_epoch,
            steps_per_epoch=steps_per_epoch,
            callbacks=all_callbacks,
            shuffle=False,
            verbose=verbose,
        )
    except Exception as err:
        lost = lost_worker_message(err)
        if lost is None:
            raise
        last = checkpoint.last_checkpoint if checkpoint else None
        last = last or resumed_from
        where = (f"the last checkpoint, {Path(last).name}" if last
                 else "the start (no checkpoint was written yet)")
        raise WorkerLostError(f"{lost}\nRerun the same command on every worker: training "
                              f"resumes from {where}.") from err
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    if guard.tripped:
        raise NonFiniteLossError(guard.message)
    if timer is not None:
        size_check.record_training_call(
            gan.name, gan, dataset.element_spec, batch_size, timer.seconds, full_steps)
    completed = initial_epoch + len(next(iter(history.history.values()), []))
    return TrainResult(
        dict(history.history),
        initial_epoch,
        completed,
        resumed_from,
        checkpoint.last_checkpoint if checkpoint else None,
    )


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


def export_generator(generator, directory, *, keras_filename=GENERATOR_FILE,
                     saved_model_dirname=SAVEDMODEL_DIR):
    """Save a trained generator as ``.keras`` and export it as a TF SavedModel.

    Both are written to temporary names and renamed into place.

    Args:
        generator: the generator ``keras.Model``, or a GAN model (its ``generator``).
        directory: output directory (created).
        keras_filename: name of the ``.keras`` file (reload with
            ``keras.saving.load_model``; mitlgan's layers are registered).
        saved_model_dirname: name of the SavedModel directory (reload with
            ``tf.saved_model.load(path).serve(latents)``; no mitlgan import needed).

    Returns:
        dict with "keras" and "saved_model" ``Path``s.
    """
    generator = getattr(generator, "generator", generator)
    if not isinstance(generator, keras.Model):
        raise ValueError(f"Expected a generator keras.Model or a GAN model, got {type(generator).__name__}.")
    if not keras_filename.endswith(".keras"):
        raise ValueError(f"keras_filename={keras_filename!r} must end with '.keras'.")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    keras_path = directory / keras_filename
    temporary_file = directory / f".tmp-{os.getpid()}-{keras_filename}"
    generator.save(temporary_file)
    os.replace(temporary_file, keras_path)

    saved_model_path = directory / saved_model_dirname
    temporary_dir = Path(tempfile.mkdtemp(prefix=f".tmp-{saved_model_dirname}-", dir=directory))
    # TF's "Assets written to: <temporary folder>" INFO line names a folder that is gone a
    # moment later; notebooks' logging shows INFO lines, so hold it back there too.
    tf_logger = logging.getLogger("tensorflow")
    level = tf_logger.level
    tf_logger.setLevel(max(level, logging.WARNING))
    try:
        export_path = temporary_dir / saved_model_dirname
        generator.export(str(export_path), format="tf_saved_model", verbose=False)
        if saved_model_path.exists():
            shutil.rmtree(saved_model_path)
        os.replace(export_path, saved_model_path)
    finally:
        tf_logger.setLevel(level)
        shutil.rmtree(temporary_dir, ignore_errors=True)
    return {"keras": keras_path, "saved_model": saved_model_path}
