"""End to end: ``python -m reproductions.mitlgan`` with a tiny configuration.

One interrupted-then-resumed run is shared by the tests of this module (a module
fixture), because every run pays the graph-compilation cost of five GANs. It runs the
default command offline: no ImageNet weights, so the quick preset goes on with the
scene judge alone and says so.
"""

import csv
import json
import math

import numpy as np
import pytest
import tensorflow as tf
from _cli_helpers import run_main

from reproductions.mitlgan.run import main, prepare

TINY = [
    "--preset", "quick",
    "--image-size", "16", "--latent-dim", "64", "--critic-channels", "4,8,8,8",
    "--head-filters", "2", "--num-blocks", "1", "--n-images", "32", "--batch-size", "16",
    "--n-critic", "1", "--epochs", "2", "--checkpoint-every", "1",
    "--fid-n", "16", "--fid-input-size", "75", "--seed", "3",
    "--curve-n", "16", "--judge-images", "48", "--judge-epochs", "1",
]
TRAINING_STAGES = ("wgan_combined", "wgan_background", "wgan_foreground", "mitlgan",
                   "mitlgan_corrected")
MODELS = ["WGAN", "MITLGAN (thesis head)", "MITLGAN (corrected head)",
          "WGAN (background part)", "WGAN (foreground part)"]


@pytest.fixture(autouse=True, scope="module")
def offline():
    """No ImageNet weights and no download: the offline default of a fresh machine."""
    import os
    import tempfile

    saved = {k: os.environ.get(k) for k in ("KERAS_HOME", "MITLGAN_OFFLINE")}
    with tempfile.TemporaryDirectory() as empty:
        os.environ.update(KERAS_HOME=empty, MITLGAN_OFFLINE="1")
        yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _run(argv):
    return run_main(main, argv)


def _snapshot(stage_dir):
    return {p.relative_to(stage_dir).as_posix(): p.stat().st_mtime_ns
            for p in stage_dir.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def resumed_run(tmp_path_factory):
    output = tmp_path_factory.mktemp("runs")
    argv = TINY + ["--output", str(output)]
    code, first_out, _ = _run(argv + ["--until", "wgan_background"])
    assert code == 0, first_out
    run_dir = output / "synthetic"
    # Simulate a crash during the second stage, after its first checkpoint: the stage's
    # final files and its newer checkpoint never got written.
    background = run_dir / "wgan_background"
    for name in ("done.json", "generator.keras"):
        (background / name).unlink()
    import shutil

    shutil.rmtree(background / "generator_savedmodel")
    checkpoints = sorted((background / "checkpoints").iterdir())
    assert [c.name for c in checkpoints] == ["ckpt-000001", "ckpt-000002"]
    shutil.rmtree(checkpoints[-1])
    first_stage = _snapshot(run_dir / "wgan_combined")
    code, second_out, second_err = _run(argv)
    assert code == 0, second_out + second_err
    return {"run_dir": run_dir, "first_out": first_out, "second_out": second_out,
            "first_stage_before": first_stage, "argv": argv}


def test_every_file_is_written(resumed_run):
    run_dir = resumed_run["run_dir"]
    for stage in TRAINING_STAGES:
        stage_dir = run_dir / stage
        assert (stage_dir / "generator.keras").is_file()
        assert (stage_dir / "generator_savedmodel" / "saved_model.pb").is_file()
        assert list((stage_dir / "checkpoints").iterdir())
        assert sorted(p.name for p in (stage_dir / "samples").glob("*.png")) == [
            "epoch_0001.png", "epoch_0002.png"]
        with open(stage_dir / "history.csv", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert [int(float(r["epoch"])) for r in rows] == [1, 2]
        assert {"critic_loss", "generator_loss", "gradient_penalty",
                "wasserstein_estimate"} <= set(rows[0])
        assert {"fid", "kid", "precision", "recall", "density", "coverage"} <= set(rows[0])
        assert all(math.isfinite(float(r["fid"])) for r in rows)  # --eval-every 1
    figures = ("samples_wgan_vs_mitlgan.png", "first_epoch_samples.png", "loss_curves.png",
               "appendix_parts_and_mitlgan.png", "metric_curves.png", "latent_swap.png")
    for name in figures:
        assert (run_dir / "evaluation" / name).stat().st_size > 1000
    evaluation = json.loads((run_dir / "evaluation" / "done.json").read_text())
    assert set(evaluation["figures"]) >= {f"evaluation/{name}" for name in figures}
    assert (run_dir / "fid.csv").is_file() and (run_dir / "curves.csv").is_file()
    config = json.loads((run_dir / "config.json").read_text())
    assert "scene judge alone" in config["backbone_fallback"]
    assert config["variants"] == ["thesis", "corrected"] and config["seed"] == 3
    assert {"MITLGAN (thesis head)", "MITLGAN (corrected head)"} <= set(evaluation["models"])
    assert set(evaluation["part_attribution"]) == {"MITLGAN (thesis head)",
                                                   "MITLGAN (corrected head)"}
    assert evaluation["environment"]["tensorflow"] == tf.__version__


def test_fid_csv_has_a_finite_labelled_row_per_model(resumed_run):
    with open(resumed_run["run_dir"] / "fid.csv", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == ["model", "backbone", "n", "fid", "kid", "kid_std", "fallback"]
    assert [r["model"] for r in rows] == MODELS  # both heads; no InceptionV3 rows offline
    for row in rows:
        assert row["backbone"].startswith("scene-judge")
        assert "offline" in row["fallback"] and "scene judge" in row["fallback"]
        assert int(row["n"]) == 16
        assert all(math.isfinite(float(row[k])) for k in ("fid", "kid", "kid_std"))
        assert float(row["fid"]) >= 0


def test_the_flop_axis_of_each_mitlgan_starts_at_its_parts_cost(resumed_run):
    import keras

    from mitlgan.flops import forward_flops
    from mitlgan.models import build_wgan_critic

    run_dir = resumed_run["run_dir"]
    done = {stage: json.loads((run_dir / stage / "done.json").read_text())
            for stage in TRAINING_STAGES}
    critic_flops = forward_flops(build_wgan_critic(16, channels=(4, 8, 8, 8)))
    batch = 16
    for stage in TRAINING_STAGES:  # counted from the saved generator and a built critic
        generator = keras.saving.load_model(run_dir / stage / "generator.keras")
        g_total = forward_flops(generator)
        g_frozen = 2 * forward_flops(keras.saving.load_model(
            run_dir / "wgan_foreground" / "generator.keras")) if "mitlgan" in stage else 0
        g_head = g_total - g_frozen
        assert done[stage]["step_flops"] == batch * (
            (g_total + 12 * critic_flops) + g_frozen + 3 * g_head + 2 * critic_flops)
    parts = sum(done[s]["step_flops"] * done[s]["train_steps"]
                for s in ("wgan_background", "wgan_foreground"))
    with open(run_dir / "curves.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["model"] for r in rows} == {"WGAN", "MITLGAN (thesis head)",
                                         "MITLGAN (corrected head)"}
    for row in rows:
        stage = done[row["stage"]]
        steps = int(row["epoch"]) * stage["train_steps"] / stage["epochs"]
        offset = parts if row["stage"].startswith("mitlgan") else 0
        assert float(row["flops"]) == pytest.approx(offset + steps * stage["step_flops"])
    first_mitlgan = min(float(r["flops"]) for r in rows if r["stage"] == "mitlgan")
    assert first_mitlgan > parts


def test_part_attribution_is_measured_for_both_heads(resumed_run):
    scores = json.loads((resumed_run["run_dir"] / "evaluation" / "part_attribution.json")
                        .read_text())
    assert set(scores) == {"MITLGAN (thesis head)", "MITLGAN (corrected head)"}
    for score in scores.values():
        assert 0.0 <= score["foreground_share"] <= 1.0 and 0.0 <= score["score"] <= 1.0


@pytest.mark.parametrize("stage, inputs, low, high", [
    ("wgan_combined", 1, -1.0, 1.0),
    ("wgan_background", 1, -1.0, 1.0),
    ("wgan_foreground", 1, -1.0, 1.0),
    ("mitlgan", 2, 0.0, np.inf),  # the thesis head ends in IN + ReLU
    ("mitlgan_corrected", 2, -1.0, 1.0),
])
def test_savedmodels_serve_images(resumed_run, stage, inputs, low, high):
    served = tf.saved_model.load(str(resumed_run["run_dir"] / stage / "generator_savedmodel"))
    rng = np.random.default_rng(0)
    latents = [rng.standard_normal((3, 64)).astype("float32") for _ in range(inputs)]
    images = np.asarray(served.serve(latents if inputs > 1 else latents[0]))
    assert images.shape == (3, 16, 16, 3)
    assert np.isfinite(images).all()
    assert images.min() >= low and images.max() <= high


def test_resume_skips_finished_stages_and_continues_the_interrupted_one(resumed_run):
    first, second = resumed_run["first_out"], resumed_run["second_out"]
    assert "Stopped after wgan_background (--until)" in first
    assert "[2/7] wgan_combined" in second and "done earlier, skipped" in second
    assert "[3/7] wgan_background" in second
    assert "resumed from" in second and "ckpt-000001" in second and "(epoch 1)" in second
    # The finished first stage was not touched by the second run.
    assert _snapshot(resumed_run["run_dir"] / "wgan_combined") == resumed_run["first_stage_before"]
    done = json.loads((resumed_run["run_dir"] / "wgan_background" / "done.json").read_text())
    assert done["epochs"] == 2


def test_rerunning_a_finished_run_trains_nothing(resumed_run):
    before = {stage: _snapshot(resumed_run["run_dir"] / stage) for stage in TRAINING_STAGES}
    code, out, _ = _run(resumed_run["argv"])
    assert code == 0
    assert out.count("done earlier, skipped") == 7
    assert {stage: _snapshot(resumed_run["run_dir"] / stage) for stage in TRAINING_STAGES} == before


# ---- refusals and bad input: each leaves no output folder behind -----------------------


def test_mismatched_configuration_is_refused(tmp_path):
    argv = TINY + ["--output", str(tmp_path)]
    _, config, run_dir = prepare(argv)
    run_dir.mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({**config, "batch_size": 8}))
    code, _, err = _run(argv)
    assert code == 2
    assert "different configuration" in err and "batch_size: 8 -> 16" in err and "--restart" in err
    assert sorted(p.name for p in run_dir.iterdir()) == ["config.json"]
    # --restart accepts it (prepare only: it validates without training).
    prepare(argv + ["--restart"])


def test_unknown_dataset_lists_the_known_ones(tmp_path):
    code, _, err = _run(["--dataset", "mnist", "--output", str(tmp_path / "out")])
    assert code == 2
    assert "mnist" in err
    for name in ("synthetic", "pokemon", "anime", "faces"):
        assert name in err
    assert not (tmp_path / "out").exists()


def test_unprepared_dataset_says_how_to_prepare_it(tmp_path):
    code, _, err = _run(["--dataset", "pokemon", "--data-root", str(tmp_path / "data"),
                         "--output", str(tmp_path / "out"), "--backbone", "random"])
    assert code == 2
    assert "python -m mitlgan.data prepare pokemon" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("flag, value, expected", [
    ("--preset", "fast", "argument --preset: invalid choice: 'fast'"),
    ("--backbone", "inception", "argument --backbone: invalid choice: 'inception'"),
    ("--variants", "thesis,sigmoid", "--variants must be comma-separated names from thesis, "
                                     "corrected"),
    ("--epochs", "0", "--epochs must be a positive integer"),
    ("--critic-channels", "4,x", "--critic-channels must be comma-separated"),
])
def test_bad_flag_values_name_the_flag_and_what_is_allowed(tmp_path, flag, value, expected):
    code, _, err = _run([flag, value, "--output", str(tmp_path / "out")])
    assert code == 2
    assert expected in err
    if "invalid choice" in expected:
        assert "choose from" in err
    assert not (tmp_path / "out").exists()


def test_impossible_model_size_is_refused_before_any_folder(tmp_path):
    code, _, err = _run(TINY + ["--image-size", "100", "--output", str(tmp_path / "out")])
    assert code == 2
    assert "--image-size" in err and "image_size=100" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("flags", [["--preset", "thesis"],
                                   ["--preset", "quick", "--backbone", "keras-imagenet"]])
def test_missing_fid_weights_stop_the_thesis_preset_and_an_explicit_request(tmp_path, flags):
    code, _, err = _run(flags + ["--output", str(tmp_path / "out")])
    assert code == 2
    assert "stops before training" in err and "--backbone random" in err
    assert "--weights-path" in err  # the command-line way to supply the file
    assert "weights" in err.lower()
    assert not (tmp_path / "out").exists()


def test_offline_quick_falls_back_by_dataset_and_says_so(tmp_path):
    from PIL import Image

    _, config, _ = prepare(["--preset", "quick", "--output", str(tmp_path / "a")])
    assert config["backbone"] == "none" and "scene judge" in config["backbone_fallback"]
    real_root = tmp_path / "data"
    for part in ("foreground", "background", "combined"):
        folder = real_root / "pokemon" / part
        folder.mkdir(parents=True)
        for index in range(2):
            Image.new("RGB", (32, 32), (index * 90, 40, 40)).save(folder / f"{index}.png")
    _, config, _ = prepare(["--preset", "quick", "--dataset", "pokemon", "--data-root",
                            str(real_root), "--output", str(tmp_path / "b")])
    assert config["backbone"] == "random" and "untrained" in config["backbone_fallback"]
