"""The names of the files a training run writes, one constant each.

:func:`mitlgan.training.export_generator` writes :data:`GENERATOR_FILE` and
:data:`SAVEDMODEL_DIR`; the reproductions pass :data:`HISTORY_FILE`,
:data:`CHECKPOINT_DIR` and :data:`SAMPLES_DIR` to :func:`mitlgan.training.train`, and
their Python API finds the generators by these names. No TensorFlow import here.
"""

GENERATOR_FILE = "generator.keras"  # keras.saving.load_model (import mitlgan first)
SAVEDMODEL_DIR = "generator_savedmodel"  # tf.saved_model.load(path).serve(latents)
HISTORY_FILE = "history.csv"  # one row per epoch: losses and metrics
CHECKPOINT_DIR = "checkpoints"
SAMPLES_DIR = "samples"  # epoch_NNNN.png grids from fixed latents
TENSORBOARD_DIR = "tensorboard"  # event files: tensorboard --logdir RUN


def sample_grid_name(epoch: int) -> str:
    """The sample grid written after ``epoch`` (1-based): ``epoch_NNNN.png``."""
    return f"epoch_{epoch:04d}.png"
