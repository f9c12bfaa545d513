"""End to end: ``python -m reproductions.dcgan`` with a tiny configuration."""

import csv

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
    report = (run_dir / "report.md").read_text()
    for figure in ("collapse.png", "grids.png"):
        assert (run_dir / figure).stat().st_size > 5000 and figure in report
    assert "random-conv4-flat-seed2@64x64x3" in report
    assert "Mode collapse sets in after about 30 epochs" in report
    with open(run_dir / "train" / "history.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(float(r["epoch"])) for r in rows] == [1, 2]
    assert {"precision", "recall", "density", "coverage", "diversity", "collapsed"} <= set(rows[0])
    assert "128 images" not in out and "64 images from the built-in sprites" in out


def test_a_missing_image_folder_is_refused(tmp_path):
    code, _, err = _run(TINY + ["--dataset", "emoji", "--images", str(tmp_path / "nowhere"),
                                "--output", str(tmp_path / "out")])
    assert code == 2 and "is not a folder" in err and "datasets/emoji.md" in err
    code, _, err = _run(TINY + ["--dataset", "anime", "--output", str(tmp_path / "out")])
    assert code == 2 and "needs --images DIR" in err
    assert not (tmp_path / "out").exists()
