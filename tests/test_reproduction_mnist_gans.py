"""End to end: ``python -m reproductions.mnist_gans`` for each study, tiny and offline."""

import csv
import json

import pytest
from _cli_helpers import run_main

from reproductions import open_run
from reproductions.mnist_gans.config import VARIANTS
from reproductions.mnist_gans.run import main
from reproductions.runner.verdicts import VERDICTS

TINY = ["--preset", "quick", "--mnist-source", "embedded", "--epochs", "2", "--n-images", "256",
        "--batch-size", "64", "--judge-epochs", "1", "--seeds", "1", "--seed", "1"]


def _run(argv):
    return run_main(main, argv)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    output = tmp_path_factory.mktemp("runs")
    results = {}
    for study in ("mlp", "collapse", "ablations"):
        argv = TINY + ["--study", study, "--output", str(output)]
        if study == "ablations":
            argv += ["--epochs", "1"]  # the 300-epoch variant is 10x the base
        code, out, err = _run(argv)
        assert code == 0, out + err
        results[study] = (output / "mnist_gans" / study, out, argv)
    return results


def _claims(runs, study):
    """{claim: verdict} the study's report stage returned (its done.json)."""
    done = json.loads((runs[study][0] / "report" / "done.json").read_text())
    return dict(done["claims"])


def test_mlp_study_writes_grids_interpolation_and_judged_history(runs):
    run_dir = runs["mlp"][0]
    for figure in ("grids.png", "judge_over_training.png", "interpolation/interpolation.png"):
        assert (run_dir / figure).stat().st_size > 2000
    judge = json.loads((run_dir / "judge" / "done.json").read_text())
    assert judge["judge"].startswith("mnist_judge trained on embedded MNIST subset")
    assert any(claim.startswith("The samples improve from the start over the half")
               for claim in _claims(runs, "mlp"))
    # the trained generator is exported both ways, and the API loads it
    assert (run_dir / "train" / "generator_savedmodel" / "saved_model.pb").is_file()
    result = open_run(run_dir)
    assert set(result.savedmodel_paths) == {"train"}
    generator = result.generators["train"]
    assert tuple(generator.output_shape[1:]) == (28, 28, 1)
    with open(run_dir / "train" / "history.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(float(r["epoch"])) for r in rows] == [1, 2]
    histogram = [float(rows[-1][f"judge_class_{k}"]) for k in range(10)]
    assert sum(histogram) == 1000  # the judge counted 1000 generated digits
    assert {"discriminator_loss", "generator_loss", "judge_feature_fd"} <= set(rows[0])
    done = json.loads((run_dir / "judge" / "done.json").read_text())
    assert 0.0 <= done["test_accuracy"] <= 1.0


def test_collapse_study_plots_classes_per_epoch_and_checks_seed_000(runs):
    assert (runs["collapse"][0] / "classes_per_epoch.png").stat().st_size > 2000
    claims = " ".join(_claims(runs, "collapse"))
    assert "over-represent 3, 7 and 9" in claims and "99% test accuracy" in claims


def test_ablation_study_has_every_variant_and_every_claim(runs):
    run_dir = runs["ablations"][0]
    summary = json.loads((run_dir / "summary.json").read_text())
    for name in VARIANTS:
        assert name in summary
        assert (run_dir / f"ablation_{name}" / "seed_0" / "result.json").is_file()
    claims = _claims(runs, "ablations")
    for claim in ("Dropout in the discriminator helps", "Adam for both", "[-1, 1] helps",
                  "BatchNorm in the generator adds little", "Gaussian noise beats uniform",
                  "Wider layers beat", "convolutional generator is slower",
                  "More epochs help at first"):
        assert any(claim in text for text in claims), claim
    assert len(claims) == 9  # document 003's nine claims, each with a verdict
    # one seed here: every comparison is inconclusive, and says why
    assert all(verdict.split(":")[0] in VERDICTS for verdict in claims.values())
    assert any("one seed" in verdict for verdict in claims.values())
    data = next(v for c, v in claims.items() if "[-1, 1] helps" in c)
    assert data.startswith("inconclusive")
    assert (run_dir / "ablation_samples.png").stat().st_size > 5000
    result = json.loads((run_dir / "ablation_epochs_300" / "seed_0" / "result.json").read_text())
    assert result["epochs"] == 10 and summary["base"]["seeds"] == 1


def test_rerun_skips_every_finished_stage(runs):
    run_dir, _, argv = runs["mlp"]
    code, out, _ = _run(argv)
    assert code == 0 and out.count("done earlier, skipped") == 4


def test_bad_input_exits_2(tmp_path):
    code, _, err = _run(["--study", "gan", "--output", str(tmp_path)])
    assert code == 2 and "argument --study: invalid choice: 'gan'" in err
    code, _, err = _run(TINY + ["--n-images", "10", "--output", str(tmp_path)])
    assert code == 2 and "smaller than one batch" in err
    assert not (tmp_path / "mnist_gans").exists()
