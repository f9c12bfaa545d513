"""``--max-steps``: a preset checked at its real size (builds, trains a few steps,
checkpoints, resumes, reports) without being taken for an experiment; and the peak
memory each stage's ``done.json`` records."""

import json
from pathlib import Path

from _cli_helpers import run_main
from _gan_helpers import tiny_images, tiny_models

import mitlgan
from mitlgan.checkpoints import list_checkpoints
from mitlgan.training import train
from reproductions._environment import peak_memory_mb
from reproductions.claims import load_runs
from reproductions.palindrome.run import main as palindrome_main


def test_train_stops_after_max_steps_checkpoints_and_a_rerun_trains_nothing(tmp_path):
    generator, critic = tiny_models(1)
    gan = mitlgan.WGANGP(generator, critic, n_critic=1, seed=3)
    # 32 images in batches of 4: 8 steps an epoch, 3 epochs asked for
    first = train(gan, tiny_images(32), batch_size=4, epochs=3, checkpoint_dir=tmp_path,
                  seed=0, verbose=0, max_steps=2)
    assert gan.train_steps == 2 and first.epochs == 1
    assert [p.name for p in list_checkpoints(tmp_path)] == ["ckpt-000001"]
    generator, critic = tiny_models(1)
    again = mitlgan.WGANGP(generator, critic, n_critic=1, seed=3)
    second = train(again, tiny_images(32), batch_size=4, epochs=3, checkpoint_dir=tmp_path,
                   seed=0, verbose=0, max_steps=2)
    assert second.resumed_from is not None and again.train_steps == 2 and second.history == {}


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
    assert "size check" in capsys.readouterr().out
    code, _, _ = run_main(palindrome_main, argv[:-5] + ["--output", str(tmp_path)])
    assert code == 2  # the same folder without --max-steps: another configuration


def test_peak_memory_matches_the_kernels_high_water_mark():
    status = Path("/proc/self/status").read_text()
    high_water_kb = int(next(line for line in status.splitlines()
                             if line.startswith("VmHWM:")).split()[1])
    # the kernel's two counters may differ by a page or so, read at different moments
    assert abs(peak_memory_mb() - high_water_kb / 1024) < 8
