"""Killed with SIGKILL inside a training stage (after a checkpoint, before the stage
ends), then run again with the same command: each reproduction finishes with the same
results as a run that was never interrupted.

Compared: every training stage's ``history.csv`` (losses and metrics per epoch, minus
wall-clock columns), every ``result.json`` / run record's scores, and each saved
generator's outputs on fixed inputs. Resume restores the models, both optimizers, the
step counter and the random state, and the data order depends only on (seed, epoch), so
on one machine the two runs agree exactly; the tolerance below (1e-6 relative) only
absorbs the last bit of float32 sums whose order oneDNN may pick per process.
(The MITLGAN reproduction's resume mid-stage is tested in
``tests/test_reproduction_mitlgan.py``, by deleting what a crash would not have written.)
"""

import csv
import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from _cli_helpers import run_main

TOLERANCE = 1e-6
#: what the clock or the process decides, not the training: durations, how many epochs
#: this process timed (a resumed run times only the epochs it ran), its peak memory
WALL_CLOCK = {"seconds", "seconds_this_run", "seconds_per_epoch", "epoch_seconds",
              "epochs_timed", "peak_memory_mb"}

#: reproduction -> (tiny flags, a glob whose first match means "a checkpoint is written
#: and the stage is not over", the run folder under --output). Each stage must go on
#: after its first checkpoint: dcgan checkpoints every 5 epochs, the MNIST GANs every
#: max(5, epochs // 5), zi2zi every epoch, palindrome after each grid cell.
CASES = {
    "dcgan": (["--preset", "quick", "--epochs", "6", "--n-images", "64", "--batch-size", "32",
               "--generator-channels", "16", "--discriminator-channels", "4"],
              "train/checkpoints/ckpt-*/meta.json", "dcgan/sprites"),
    "mnist_gans": (["--study", "collapse", "--preset", "quick", "--mnist-source", "embedded",
                    "--epochs", "6", "--n-images", "256", "--batch-size", "64",
                    "--judge-epochs", "1"],
                   "train/checkpoints/ckpt-*/meta.json", "mnist_gans/collapse"),
    "zi2zi": (["--preset", "quick", "--epochs", "3", "--train-chars", "16",
               "--held-out-chars", "8", "--classifier-epochs", "1"],
              "base/seed_0/checkpoints/ckpt-*/meta.json", "zi2zi/style"),
    "palindrome": (["--preset", "quick", "--lengths", "5", "--learning-rates", "1e-2,1e-3",
                    "--epochs", "3", "--data-size", "300", "--hidden", "8"],
                   "runs/lstm_T5_lr0.01.json", "palindrome"),
}


def _argv(name, output):
    return [*CASES[name][0], "--output", str(output), "--no-tensorboard"]


def _run(name, output):
    """The command run in this process, as a user's rerun would (only the killed run
    needs a process of its own)."""
    main = importlib.import_module(f"reproductions.{name}.run").main
    code, out, err = run_main(main, _argv(name, output))
    assert code == 0, out[-2000:] + err[-2000:]


def _killed_after_checkpoint(name, output) -> None:
    _, marker, folder = CASES[name]
    command = [sys.executable, "-m", f"reproductions.{name}", *_argv(name, output)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env={**os.environ, "CI": "true"})
    deadline = time.monotonic() + 600
    while not any((output / folder).glob(marker)) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    assert not (output / folder / "report.md").exists()


def _numbers(value):
    """Every number in a JSON value, flattened in key order (wall-clock keys left out)."""
    if isinstance(value, dict):
        return [n for k in sorted(value) if k not in WALL_CLOCK for n in _numbers(value[k])]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [float(value)]
    return []


def _histories(run_dir: Path) -> dict:
    tables = {}
    for path in sorted(run_dir.rglob("history.csv")):
        rows = list(csv.DictReader(path.open()))
        tables[str(path.relative_to(run_dir))] = [
            [float(v) for k, v in row.items() if k not in WALL_CLOCK] for row in rows]
    return tables


def _results(run_dir: Path) -> dict:
    files = [*run_dir.rglob("result.json"), *(run_dir / "runs").glob("*.json")]
    return {str(p.relative_to(run_dir)): _numbers(json.loads(p.read_text())) for p in files}


def _generator_outputs(run_dir: Path) -> dict:
    import keras

    import mitlgan  # noqa: F401 - registers the package's layers
    from mitlgan.artifacts import GENERATOR_FILE

    outputs = {}
    for path in sorted(run_dir.rglob(GENERATOR_FILE)):
        model = keras.saving.load_model(path)
        rng = np.random.default_rng(0)
        inputs = [rng.standard_normal((4, *t.shape[1:])).astype("float32")
                  if "int" not in str(t.dtype) else np.zeros((4, *t.shape[1:]), "int32")
                  for t in model.inputs]
        outputs[str(path.relative_to(run_dir))] = keras.ops.convert_to_numpy(
            model(inputs if len(inputs) > 1 else inputs[0], training=False))
    return outputs


def _close(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return a.shape == b.shape and np.allclose(a, b, rtol=TOLERANCE, atol=TOLERANCE)


@pytest.mark.parametrize("name", sorted(CASES))
def test_killed_and_resumed_equals_uninterrupted(name, tmp_path):
    folder = CASES[name][2]
    _run(name, tmp_path / "straight")
    _killed_after_checkpoint(name, tmp_path / "killed")
    _run(name, tmp_path / "killed")
    straight, resumed = tmp_path / "straight" / folder, tmp_path / "killed" / folder
    assert (resumed / "report.md").is_file()
    histories = _histories(straight)
    assert histories.keys() == _histories(resumed).keys()
    for key, rows in histories.items():
        assert _close(rows, _histories(resumed)[key]), key
    results = _results(straight)
    assert (histories or results) and results.keys() == _results(resumed).keys()
    for key, numbers in results.items():
        assert _close(numbers, _results(resumed)[key]), key
    generators = _generator_outputs(straight)
    assert generators.keys() == _generator_outputs(resumed).keys()
    for key, images in generators.items():
        assert _close(images, _generator_outputs(resumed)[key]), key
