"""What a training call learns about itself (a size check's timings and FLOPs, a damaged
checkpoint it skipped) reaches the stage's ``done.json`` and the report through the
``TrainResult`` it returns, with no module state or marker file; and a resumed training
under changed settings is refused, naming each."""

import json

import pytest
from _gan_helpers import resume_gan, tiny_images

from mitlgan.checkpoints import STATE_FILE
from mitlgan.training import ResumeSettingsError, Trainer, TrainOutputs, TrainSettings, train
from reproductions.runner import engine as _runner
from reproductions.runner.engine import Reproduction, Stage


def _fit(context):
    result = context.train(resume_gan(), tiny_images(16), batch_size=8,
                           epochs=context.config["epochs"],
                           checkpoint_dir=context.stage_dir("fit") / "checkpoints", every=1,
                           keep=None, seed=4, verbose=0)
    return {"epochs": result.epochs}


def _report(context):
    context.write_report(["# toy report", "", "trained"])
    return {}


TOY = Reproduction(prog="python -m toy_gan", description="a tiny WGAN-GP and its report",
                   stages=(Stage("fit", "train", _fit), Stage("report", "report", _report)),
                   configure=lambda args, preset: {"epochs": 2}, environment_packages=())


def _run(argv):
    assert _runner.main(TOY, argv) == 0


def test_a_damaged_checkpoint_reaches_done_json_and_the_report(tmp_path):
    argv = ["--preset", "quick", "--output", str(tmp_path)]
    _run(argv)
    run_dir = tmp_path / "toy_gan"
    assert "damaged_checkpoints" not in json.loads((run_dir / "fit" / "done.json").read_text())
    newest = run_dir / "fit" / "checkpoints" / "ckpt-000002" / STATE_FILE
    newest.write_bytes(newest.read_bytes()[:100])  # a machine that died while writing it
    for stage in ("fit", "report"):
        (run_dir / stage / "done.json").unlink()
    with pytest.warns(UserWarning, match="Damaged checkpoint skipped"):
        _run(argv)
    done = json.loads((run_dir / "fit" / "done.json").read_text())
    [line] = done["damaged_checkpoints"]
    assert "ckpt-000002" in line and "ckpt-000001" in line
    report = (run_dir / "report.md").read_text()
    assert report.startswith("# toy report")
    assert "## Damaged checkpoints skipped on resume" in report and "ckpt-000002" in report
    assert not list(run_dir.rglob("damaged.log"))


def test_a_size_check_reaches_done_json_and_heads_the_report(tmp_path):
    _run(["--preset", "quick", "--max-steps", "1", "--output", str(tmp_path)])
    run_dir = tmp_path / "toy_gan"
    [record] = json.loads((run_dir / "fit" / "done.json").read_text())["size_check"]
    # 16 images in batches of 8: 2 steps an epoch, 2 epochs without the size check
    assert record["full_steps"] == 4 and record["step_flops"] > 0
    assert json.loads((run_dir / "report" / "done.json").read_text())["size_check"] == []
    assert (run_dir / "report.md").read_text().startswith("> **Size check (`--max-steps 1`)")


@pytest.mark.parametrize("changed, named", [
    ({"batch_size": 4}, "batch_size: 8 -> 4"),
    ({"seed": 5}, "data_seed: 4 -> 5"),
    ({"n_critic": 3}, "n_critic: 2 -> 3"),
])
def test_a_resumed_trainer_with_a_changed_setting_raises_naming_it(tmp_path, changed, named):
    train(resume_gan(), tiny_images(16), batch_size=8, epochs=1, checkpoint_dir=tmp_path,
          seed=4, verbose=0)
    gan = resume_gan()
    if "n_critic" in changed:
        gan.n_critic = changed["n_critic"]
    settings = TrainSettings(batch_size=changed.get("batch_size", 8), epochs=2,
                             seed=changed.get("seed", 4), verbose=0)
    with pytest.raises(ResumeSettingsError, match=named) as caught:
        Trainer(gan, settings, TrainOutputs(checkpoint_dir=tmp_path)).fit(tiny_images(16))
    assert "ckpt-000001" in str(caught.value) and str(tmp_path) in str(caught.value)
    # the same settings resume
    same = Trainer(resume_gan(), TrainSettings(batch_size=8, epochs=2, seed=4, verbose=0),
                   TrainOutputs(checkpoint_dir=tmp_path)).fit(tiny_images(16))
    assert same.initial_epoch == 1 and same.epochs == 2
