"""TensorBoard event files of a training run, read back with TensorBoard's own reader."""

import shutil
from pathlib import Path

from _gan_helpers import tiny_images, tiny_models

import mitlgan
from mitlgan.tensorboard import SAMPLES_TAG, TRAIN_STEPS_TAG, event_files, prune_events
from mitlgan.training import train


def _read(log_dir: Path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    accumulator = EventAccumulator(str(log_dir), size_guidance={"tensors": 0, "images": 0})
    accumulator.Reload()
    return accumulator


def _value(event) -> float:
    from tensorboard.util import tensor_util

    return float(tensor_util.make_ndarray(event.tensor_proto))


def _steps(accumulator, tag):
    return [event.step for event in accumulator.Tensors(tag)]


def _run(folder: Path, epochs: int):
    generator, critic = tiny_models(3)
    gan = mitlgan.WGANGP(generator, critic, n_critic=1, seed=5)
    return train(gan, tiny_images(16), batch_size=8, epochs=epochs, every=2, keep=None,
                 checkpoint_dir=folder / "checkpoints", sample_dir=folder / "samples",
                 num_samples=4, history_csv=folder / "history.csv",
                 tensorboard_dir=folder / "tensorboard", verbose=0)


def test_losses_and_sample_grids_land_in_tensorboard_per_epoch(tmp_path):
    _run(tmp_path, 2)
    events = _read(tmp_path / "tensorboard")
    tags = events.Tags()["tensors"]
    for tag in ("critic_loss", "generator_loss", "gradient_penalty", TRAIN_STEPS_TAG):
        assert tag in tags
        assert _steps(events, tag) == [1, 2]
    # the scalar equals the history.csv value of the same epoch
    history = (tmp_path / "history.csv").read_text().splitlines()
    header, last = history[0].split(","), history[-1].split(",")
    logged = _value(events.Tensors("generator_loss")[-1])
    assert abs(logged - float(last[header.index("generator_loss")])) < 1e-5
    steps = _value(events.Tensors(TRAIN_STEPS_TAG)[-1])
    assert steps == float(last[header.index("train_steps")]) == 4.0  # 2 epochs x 16/8
    assert _steps(events, SAMPLES_TAG) == [1, 2]  # one grid image per epoch


def test_a_resumed_run_has_each_epoch_once(tmp_path):
    _run(tmp_path, 3)  # checkpoints after epochs 2 and 3 (the last)
    # the process died after epoch 3's events but before its checkpoint was written
    shutil.rmtree(tmp_path / "checkpoints" / "ckpt-000003")
    result = _run(tmp_path, 4)
    assert result.initial_epoch == 2
    events = _read(tmp_path / "tensorboard")
    assert _steps(events, "generator_loss") == [1, 2, 3, 4]
    assert _steps(events, SAMPLES_TAG) == [1, 2, 3, 4]


def test_pruning_drops_later_steps_and_a_record_cut_short(tmp_path):
    _run(tmp_path, 2)
    (first,) = event_files(tmp_path / "tensorboard")
    with open(first, "ab") as handle:
        handle.write(b"\x07\x00\x00")  # half a record: the writer died mid-write
    assert prune_events(tmp_path / "tensorboard", 1) > 0
    assert _steps(_read(tmp_path / "tensorboard"), "generator_loss") == [1]
    assert prune_events(tmp_path / "tensorboard", 1) == 0  # nothing more to drop
    prune_events(tmp_path / "tensorboard", 0)
    assert event_files(tmp_path / "tensorboard") == []  # no epoch left: the file goes
