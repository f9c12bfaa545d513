"""End to end: ``python -m reproductions.dcgan`` with a tiny configuration."""

import csv
import json

from _cli_helpers import run_main

from reproductions.dcgan.run import main

TINY = ["--preset", "quick", "--epochs", "2", "--n-images", "64", "--batch-size", "32",
        "--generator-channels", "16", "--discriminator-channels", "4", "--seed", "2"]


def _run(argv):
    return run_main(main, argv)


def test_tiny_run_writes_the_report_with_all_figures(tmp_path):
    code, out, err = _run(TINY + ["--output", str(tmp_path)])
    assert code == 0, out + err
    run_dir = tmp_path / "dcgan" / "sprites"
    for figure in ("collapse.png", "grids.png"):
        assert (run_dir / figure).stat().st_size > 5000
    trained = json.loads((run_dir / "train" / "done.json").read_text())
    assert trained["backbone"] == "random-conv4-flat-seed2@64x64x3"
    claims = dict(json.loads((run_dir / "report" / "done.json").read_text())["claims"])
    assert any(c.startswith("Mode collapse sets in after about 30 epochs") for c in claims)
    with open(run_dir / "train" / "history.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(float(r["epoch"])) for r in rows] == [1, 2]
    assert {"precision", "recall", "density", "coverage", "diversity", "collapsed"} <= set(rows[0])
    assert "128 images" not in out and "64 images from the built-in sprites" in out


def test_the_tutorial_network_is_document_000s_and_its_celeba_claim_names_the_command(tmp_path):
    code, out, err = _run(TINY + ["--network", "tutorial", "--output", str(tmp_path)])
    assert code == 0, out + err
    run_dir = tmp_path / "dcgan" / "sprites-tutorial"
    config = json.loads((run_dir / "config.json").read_text())
    assert config["network"] == "tutorial" and config["generator_channels"] == 8 * 4
    [claim] = json.loads((run_dir / "claims.json").read_text())["claims"]
    assert claim["document"] == "000" and claim["verdict"] == "untested"
    assert "--network tutorial --dataset celeba --images DIR" in claim["reason"]
    assert "PyTorch DCGAN tutorial" in (run_dir / "report.md").read_text()
    code, _, err = _run(TINY + ["--network", "tutorial", "--discriminator", "template",
                                "--output", str(tmp_path / "refused")])
    assert code == 2 and "--discriminator belongs to document 001" in err


def test_a_missing_image_folder_is_refused(tmp_path):
    code, _, err = _run(TINY + ["--dataset", "emoji", "--images", str(tmp_path / "nowhere"),
                                "--output", str(tmp_path / "out")])
    assert code == 2 and "is not a folder" in err and "datasets/emoji.md" in err
    code, _, err = _run(TINY + ["--dataset", "anime", "--output", str(tmp_path / "out")])
    assert code == 2 and "needs --images DIR" in err
    assert not (tmp_path / "out").exists()


STACKED_TINY = ["--benchmark", "stacked-mnist", "--preset", "quick", "--epochs", "2",
                "--n-images", "128", "--batch-size", "32", "--generator-channels", "8",
                "--discriminator-channels", "4", "--mode-samples", "300", "--judge-epochs", "1"]


def test_tiny_stacked_mnist_benchmark_writes_the_count_and_the_published_rows(tmp_path):
    code, out, err = _run(STACKED_TINY + ["--output", str(tmp_path)])
    assert code == 0, out + err
    run_dir = tmp_path / "dcgan" / "stacked-mnist"
    for figure in ("modes.png", "samples.png"):
        assert (run_dir / figure).stat().st_size > 5000
    with open(run_dir / "train" / "history.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(float(r["epoch"])) for r in rows] == [1, 2]
    modes = [int(float(r["modes_covered"])) for r in rows]
    assert all(1 <= m <= 300 for m in modes)
    reported = json.loads((run_dir / "report" / "done.json").read_text())
    assert reported["modes_covered"] == modes[-1]
    # PacGAN's Table 2 (VEEGAN's DCGAN row) and the protocol differences are reported
    assert reported["published"][0][1:] == ["99.0", "3.40"]
    assert len(reported["protocol_differences"]) == 8
    real = json.loads((run_dir / "judge" / "done.json").read_text())["real"]
    assert real["n"] == 300 and real["modes_covered"] > 200  # 300 draws of 1,000 modes
    assert (run_dir / "train" / "generator.keras").is_file()


def test_benchmark_flags_are_refused_where_they_do_not_belong(tmp_path):
    code, _, err = _run(STACKED_TINY + ["--images", str(tmp_path), "--output", str(tmp_path)])
    assert code == 2 and "makes its own data" in err
    code, _, err = _run(TINY + ["--mode-samples", "100", "--output", str(tmp_path / "o")])
    assert code == 2 and "--mode-samples belongs to --benchmark" in err
    assert not (tmp_path / "o").exists()
