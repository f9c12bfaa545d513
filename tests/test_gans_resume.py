"""Determinism, resume (same process and a fresh one), interrupted checkpoints, NaN guard."""

import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from _gan_helpers import resume_gan, state_arrays, tiny_images, tiny_models

import mitlgan
from mitlgan import callbacks as cb
from mitlgan import checkpoints as checkpoint_files
from mitlgan import checkpoints as ckpt
from mitlgan.training import train

HELPER = Path(__file__).with_name("_gan_helpers.py")


@pytest.fixture
def op_determinism():
    # Process-wide, so switched off again: it also makes Keras refuse XLA in later tests.
    from tensorflow.python.framework import config as tf_config

    tf.config.experimental.enable_op_determinism()
    yield
    tf_config.disable_op_determinism()


def _train(gan, epochs, checkpoint_dir=None):
    return train(gan, tiny_images(), batch_size=8, epochs=epochs, checkpoint_dir=checkpoint_dir, every=1, seed=4, verbose=0)


def test_runs_repeat_exactly_and_resume_matches_an_uninterrupted_run(tmp_path, op_determinism):
    # The critic has dropout 0.3: its seed states are checkpointed with everything else.
    straight = resume_gan()
    _train(straight, 2)
    expected = state_arrays(straight)

    again = resume_gan()
    _train(again, 2)
    for a, b in zip(expected, state_arrays(again)):
        assert np.array_equal(a, b)  # same seed, same data: bit-identical

    first = resume_gan()
    result = _train(first, 1, tmp_path / "run")
    assert result.last_checkpoint.name == "ckpt-000001"
    one_epoch = state_arrays(first)
    assert max(np.max(np.abs(a.astype(float) - b.astype(float))) for a, b in zip(one_epoch, expected)) > 1e-3

    # A fresh process builds the models anew and train() restores ckpt-000001 (the
    # in-process restore of a fresh object is exercised in the next two tests).
    out = tmp_path / "process.npz"
    subprocess.run(
        [sys.executable, str(HELPER), "resume", str(tmp_path / "run"), str(out)],
        check=True,
        timeout=300,
    )
    with np.load(out) as data:
        from_process = [data[f"arr_{i}"] for i in range(len(data.files))]
    assert len(from_process) == len(expected)
    for a, b in zip(expected, from_process):
        np.testing.assert_allclose(b, a, atol=1e-6, rtol=0)


def test_interrupted_checkpoint_write_leaves_the_previous_one_loadable(tmp_path, monkeypatch):
    gan = resume_gan()
    gan.compile()
    directory = tmp_path / "ckpt"
    ckpt.save_checkpoint(gan, directory, 5)
    saved = state_arrays(gan)
    for variable in gan.critic.trainable_variables:
        variable.assign(variable + 1.0)

    # 1. The write fails half-way through the state file (disk full, ...).
    def failing_savez(handle, **arrays):
        handle.write(b"PK\x03\x04 partial")
        raise OSError("No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(checkpoint_files.np, "savez", failing_savez)
        with pytest.raises(OSError, match="No space"):
            ckpt.save_checkpoint(gan, directory, 10)
    assert ckpt.latest_checkpoint(directory).name == "ckpt-000005"

    # 2. The process dies between writing and renaming: no cleanup runs at all.
    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed")

    with monkeypatch.context() as patch:
        patch.setattr(checkpoint_files.os, "replace", crash)
        patch.setattr(checkpoint_files.shutil, "rmtree", lambda *a, **k: None)
        with pytest.raises(KeyboardInterrupt):
            ckpt.save_checkpoint(gan, directory, 10)
    leftovers = list(directory.glob(".tmp-ckpt-000010-*"))
    assert leftovers and (leftovers[0] / ckpt.META_FILE).is_file()  # complete but never renamed
    assert [p.name for p in ckpt.list_checkpoints(directory)] == ["ckpt-000005"]

    fresh = resume_gan()  # another object, as a new process would build it
    meta = ckpt.load_checkpoint(fresh, ckpt.latest_checkpoint(directory))
    assert meta["epoch"] == 5
    for a, b in zip(saved, state_arrays(fresh)):
        assert np.array_equal(a, b)

    # The next successful write cleans the debris up.
    ckpt.save_checkpoint(gan, directory, 10)
    assert not list(directory.glob(".tmp-*"))
    assert [p.name for p in ckpt.list_checkpoints(directory)] == ["ckpt-000005", "ckpt-000010"]


def test_loading_a_checkpoint_of_another_architecture_fails_without_changes(tmp_path):
    gan = resume_gan()
    gan.compile()
    path = ckpt.save_checkpoint(gan, tmp_path, 1)
    generator, _ = tiny_models(0)
    from mitlgan.models import build_wgan_critic

    other = mitlgan.WGANGP(generator, build_wgan_critic(16, channels=(8, 32), dropout=0.3))
    other.compile()
    before = state_arrays(other)
    with pytest.raises(ValueError, match="shape"):
        ckpt.load_checkpoint(other, path)
    for a, b in zip(before, state_arrays(other)):
        assert np.array_equal(a, b)


def test_an_evaluation_metric_left_nan_does_not_hold_back_the_checkpoint(tmp_path):
    # FIDCallback logs NaN on the epochs it does not evaluate; the weights are fine, and the
    # last epoch's checkpoint is what a resume needs (a one-epoch size check had none).
    generator, critic = tiny_models(3)
    gan = mitlgan.WGANGP(generator, critic, n_critic=1, seed=2)
    gan.compile()

    class SkippedEvaluation(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["fid"] = float("nan")

    dataset = tf.data.Dataset.from_tensor_slices(tiny_images(8)).batch(4)
    gan.fit(dataset, epochs=1, callbacks=[SkippedEvaluation(), cb.Checkpoint(tmp_path, every=5)],
            verbose=0, shuffle=False)
    assert [p.name for p in ckpt.list_checkpoints(tmp_path)] == ["ckpt-000001"]


def test_nan_guard_stops_training_and_names_step_and_checkpoint(tmp_path, capsys):
    generator, critic = tiny_models(3)
    gan = mitlgan.WGANGP(generator, critic, n_critic=1, seed=2)
    gan.compile()
    images = np.concatenate([tiny_images(24)] * 1)
    images[16:20] = np.nan  # the 5th batch of 4: epoch 2 (3 steps per epoch), batch 2
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(4)
    guard = cb.NonFiniteGuard(tmp_path, raise_error=True)
    checkpoint = cb.Checkpoint(tmp_path, every=1)
    with (pytest.raises(ckpt.NonFiniteLossError, match="train step 5 \\(epoch 2, batch 2\\)"),
          pytest.warns(UserWarning, match="Epoch 2: non-finite")):
        gan.fit(dataset, epochs=3, steps_per_epoch=3, callbacks=[guard, checkpoint], verbose=0,
                shuffle=False)
    assert guard.tripped and guard.stopped_step == 5
    assert gan.train_steps == 5  # stopped at once, not at the end of the epoch
    assert "ckpt-000001 (epoch 1)" in guard.message
    assert "NonFiniteGuard" in capsys.readouterr().err
    # The diverged epoch was not checkpointed: the latest one is still good.
    assert [p.name for p in ckpt.list_checkpoints(tmp_path)] == ["ckpt-000001"]
