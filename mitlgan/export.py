"""Saving a trained generator as ``.keras`` and as a TensorFlow SavedModel."""

import logging
import os
import shutil
import tempfile
from pathlib import Path

import keras

from mitlgan.artifacts import GENERATOR_FILE, SAVEDMODEL_DIR


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
