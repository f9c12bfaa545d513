"""``--max-steps``: a preset checked at its real size (builds, trains a few steps,
checkpoints, resumes, reports) without being taken for an experiment; and the peak
memory each stage's ``done.json`` records."""

import json
from pathlib import Path

from _cli_helpers import run_main
from _gan_helpers import tiny_images, tiny_models

import mitlgan
from mitlgan.checkpoints import list_checkpoints
from mitlgan.size_check import record_training_call
from mitlgan.training import train
from reproductions.claims import load_runs
from reproductions.palindrome.run import main as palindrome_main
from reproductions.runner.environment import peak_memory_mb


def test_train_stops_after_max_steps_checkpoints_and_a_rerun_trains_nothing(tmp_path):
    generator, critic = tiny_models(1)
    gan = mitlgan.WGANGP(generator, critic, n_critic=1, seed=3)
    # 32 images in batches of 4: 8 steps an epoch, 3 epochs asked for
    first = train(gan, tiny_images(32), batch_size=4, epochs=3, checkpoint_dir=tmp_path,
                  seed=0, verbose=0, max_steps=2)
    assert gan.train_steps == 2 and first.epochs == 1
    record = first.size_check  # returned with the result, no module state
    # the first step traces the graph and is left out of the median; 8 steps x 3 epochs
    assert record["steps_timed"] == 1 and record["step_seconds"] > 0
    assert record["full_steps"] == 24 and record["step_flops"] > 0
    assert [p.name for p in list_checkpoints(tmp_path)] == ["ckpt-000001"]
    generator, critic = tiny_models(1)
    again = mitlgan.WGANGP(generator, critic, n_critic=1, seed=3)
    second = train(again, tiny_images(32), batch_size=4, epochs=3, checkpoint_dir=tmp_path,
                   seed=0, verbose=0, max_steps=2)
    assert second.resumed_from is not None and again.train_steps == 2 and second.history == {}
    assert second.size_check is None  # a rerun that trains nothing measures nothing


def test_a_size_check_counts_a_dense_train_step_as_its_matrix_products():
    import keras
    import tensorflow as tf

    batch, inputs, units = 8, 64, 32
    model = keras.Sequential([keras.Input((inputs,)), keras.layers.Dense(units, use_bias=False)])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    spec = (tf.TensorSpec((None, inputs), tf.float32), tf.TensorSpec((None, units), tf.float32))
    record = record_training_call("dense", model, spec, batch, [9.0, 0.5, 0.25, 0.75], 100)
    # forward x @ W and the weight gradient x^T @ dy, 2 FLOPs per multiply-add each (no
    # gradient to the input); the rest (the loss's and SGD's elementwise ops) is linear
    # in B x units and inputs x units
    matmuls = 2 * (2 * batch * inputs * units)
    assert matmuls <= record["step_flops"] <= matmuls + 4 * inputs * units + 8 * batch * units
    assert record["step_seconds"] == 0.5 and record["steps_timed"] == 3  # median; first left out
    assert record["full_steps"] == 100


def test_a_size_check_run_is_marked_everywhere_and_left_off_the_board(tmp_path, capsys):
    argv = ["--preset", "quick", "--lengths", "5", "--learning-rates", "1e-2", "--epochs", "3",
            "--data-size", "300", "--hidden", "8", "--max-steps", "2", "--no-tensorboard",
            "--output", str(tmp_path)]
    code, out, err = run_main(palindrome_main, argv)
    assert code == 0, out + err
    run_dir = tmp_path / "palindrome"
    assert json.loads((run_dir / "config.json").read_text())["max_steps"] == 2
    for path in (run_dir / "runs").glob("*_T5_*.json"):
        assert len(json.loads(path.read_text())["train_accuracy"]) == 1  # one short epoch
    assert (run_dir / "report.md").read_text().startswith("> **Size check (`--max-steps 2`)")
    assert json.loads((run_dir / "claims.json").read_text())["budget"]["max_steps"] == 2
    assert load_runs([run_dir / "claims.json"]) == []
    records = json.loads((run_dir / "runs" / "done.json").read_text())["size_check"]
    runs = [json.loads(path.read_text()) for path in (run_dir / "runs").glob("*_T5_*.json")]
    train_sequences = int(runs[0]["data"].split(": ")[1].split(" train")[0])
    # one per (model, T, lr) run: 3 epochs of ceil(training sequences / batch 128) steps
    assert sorted(r["label"] for r in records) == sorted(r["name"] for r in runs)
    assert {r["full_steps"] for r in records} == {3 * -(-train_sequences // 128)}
    assert all(r["steps_timed"] == 1 and r["step_seconds"] > 0 for r in records)
    # the recurrent layers loop over time steps in a tf.while_loop, which the profiler
    # would count once: no FLOPs rather than a wrong count
    assert all(r["step_flops"] is None and "while_loop" in r["no_flops_because"]
               for r in records)
    assert "size check" in capsys.readouterr().out
    code, _, _ = run_main(palindrome_main, argv[:-5] + ["--output", str(tmp_path)])
    assert code == 2  # the same folder without --max-steps: another configuration


def test_peak_memory_matches_the_kernels_high_water_mark():
    status = Path("/proc/self/status").read_text()
    high_water_kb = int(next(line for line in status.splitlines()
                             if line.startswith("VmHWM:")).split()[1])
    # the kernel's two counters may differ by a page or so, read at different moments
    assert abs(peak_memory_mb() - high_water_kb / 1024) < 8


def _check_script():
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "scripts" / "check_full_presets.py"
    spec = importlib.util.spec_from_file_location("check_full_presets", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_full_preset_is_priced_from_its_records_by_hand():
    script = _check_script()
    records = [{"step_seconds": 2.0, "step_flops": 1e12, "full_steps": 100},
               {"step_seconds": 4.0, "step_flops": 2e12, "full_steps": 50}]
    cost = script.preset_cost(records, scale=1.5)
    # 1.5 x (100 x 2 s + 50 x 4 s) = 600 s; 1.5 x (100 x 1 + 50 x 2) TFLOP = 3e14
    assert cost["cpu_hours"] == 600 / 3600 and cost["flops"] == 3e14
    assert abs(cost["T4"] - 3e14 / (8.1e12 * 0.35) / 3600) < 1e-12
    assert abs(cost["A100"] - 3e14 / (156e12 * 0.15) / 3600) < 1e-12
    unknown = script.preset_cost(records + [{"step_seconds": 1.0, "step_flops": None,
                                             "full_steps": 10, "no_flops_because": "a loop"}])
    assert unknown["flops"] is None and unknown["T4"] is None
    assert unknown["no_flops_because"] == ["a loop"] and unknown["cpu_hours"] == 410 / 3600
