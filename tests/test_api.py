"""The Python API: ``reproductions.NAME.reproduce(...)`` against the command line.

The API turns keywords into the command line's flags; the same settings must give the
same run folder (configuration and files) either way.
"""

import csv
import json
import os
import re

import numpy as np
import pandas as pd
import pytest
from _cli_helpers import run_main

from reproductions import dcgan, mitlgan, mnist_gans, open_run, palindrome, zi2zi
from reproductions.runner.api import build_argv
from reproductions.runner.errors import UsageError
from reproductions.runner.flags import FlagTable
from reproductions.runner.records import TableRecords, read_tables


def _table():
    table = FlagTable()
    table.add_argument("--image-size", type=int)
    table.add_argument_group("lists").add_argument("--lengths")
    table.add_argument("--restart", action="store_true")
    table.add_argument("--until", default=None)
    return table


def test_keywords_become_the_command_lines_flags():
    argv = _table().argv_for(dict(image_size=16, lengths=[5, 20], restart=True, until=None))
    assert argv == ["--image-size", "16", "--lengths", "5,20", "--restart"]
    assert _table().argv_for(dict(restart=False)) == []
    # the parser built from the same table reads those flags back
    parsed = _table().parser("prog", "test").parse_args(argv)
    assert (parsed.image_size, parsed.lengths, parsed.restart, parsed.until) == (
        16, "5,20", True, None)


def test_unknown_or_malformed_keywords_are_named():
    with pytest.raises(UsageError, match="unknown setting 'imagesize'.*image_size"):
        _table().argv_for(dict(imagesize=16))
    with pytest.raises(UsageError, match="restart is on/off"):
        _table().argv_for(dict(restart="yes"))


def test_a_bad_value_raises_argparses_message_and_writes_nothing(tmp_path):
    with pytest.raises(UsageError, match="--epochs"):
        palindrome.reproduce(preset="quick", epochs=-1, output=str(tmp_path))
    with pytest.raises(UsageError, match="unknown setting 'learning_rate'"):
        palindrome.reproduce(preset="quick", learning_rate=0.1, output=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("module, keywords, expected", [
    (mnist_gans, dict(study="ablations", seeds=2),
     ["--study", "ablations", "--preset", "auto", "--output", "runs", "--seeds", "2"]),
    (zi2zi, dict(study="depth", train_chars=16),
     ["--study", "depth", "--preset", "auto", "--output", "runs", "--train-chars", "16"]),
    # --mode-samples exists only for the benchmark: the benchmark flag is read first
    (dcgan, dict(benchmark="stacked-mnist", mode_samples=100),
     ["--dataset", "sprites", "--benchmark", "stacked-mnist", "--preset", "auto", "--output",
      "runs", "--mode-samples", "100"]),
])
def test_each_reproduction_maps_its_selector_and_flags(module, keywords, expected):
    select, defaults = _selector(module)
    assert build_argv(select, {**defaults, **keywords}) == expected


def _selector(module):
    """The (select, keyword defaults) a module's ``reproduce`` passes to the API."""
    from reproductions.runner import api as _api

    captured = {}

    def fake(select, keywords, headline=None):
        captured.update(select=select, keywords=keywords)

    original, _api.reproduce = _api.reproduce, fake
    try:
        module.reproduce()
    finally:
        _api.reproduce = original
    return captured["select"], captured["keywords"]


def test_a_table_record_is_the_csv_and_renders_the_markdown_it_holds(tmp_path):
    records = TableRecords(tmp_path)
    markdown = records.table("fid", ["model", "fid"], [["WGAN", 44.2], ["B, a head", 7]])
    assert markdown == "| model | fid |\n|---|---|\n| WGAN | 44.2 |\n| B, a head | 7 |"
    with open(tmp_path / "tables" / "fid.csv", newline="") as handle:
        assert list(csv.reader(handle)) == [["model", "fid"], ["WGAN", "44.2"], ["B, a head", "7"]]
    records.table("claims", ["claim", "verdict"], [["x", "supported"]])
    tables = read_tables(tmp_path)
    assert list(tables) == ["fid", "claims"]  # the report's order
    assert list(tables["fid"]["fid"]) == [44.2, 7] and tables["fid"]["model"][1] == "B, a head"
    with pytest.raises(ValueError, match="unique"):
        records.table("fid", ["model"], [["again"]])
    with pytest.raises(ValueError, match="cells under"):
        records.table("short", ["a", "b"], [["one"]])
    (tmp_path / "fid.csv").write_text("model,fid\nWGAN,1.0\n")
    with pytest.raises(ValueError, match="taken by the run's own fid.csv"):
        TableRecords(tmp_path).table("fid", ["model"], [["WGAN"]])


def _files(run_dir):
    # TensorBoard event files are named for their time, host and process
    return sorted(re.sub(r"tfevents\..*$", "tfevents.*", p.relative_to(run_dir).as_posix())
                  for p in run_dir.rglob("*") if ".tmp" not in p.name)


PALINDROME = dict(preset="quick", lengths=[5], epochs=1, data_size=300, hidden=8,
                  learning_rates=[1e-3])
PALINDROME_ARGV = ["--preset", "quick", "--lengths", "5", "--epochs", "1", "--data-size", "300",
                   "--hidden", "8", "--learning-rates", "1e-3"]


def test_api_and_command_line_write_the_same_palindrome_run(tmp_path):
    code, out, err = run_main(palindrome.run.main, PALINDROME_ARGV + ["--output", str(tmp_path / "cli")])
    assert code == 0, out + err
    result = palindrome.reproduce(output=str(tmp_path / "api"), **PALINDROME)
    cli = tmp_path / "cli" / "palindrome"
    assert result.run_dir == tmp_path / "api" / "palindrome"
    assert result.config == json.loads((cli / "config.json").read_text())
    assert _files(result.run_dir) == _files(cli)
    assert list(result.table["T"]) == [5, 5, 5]  # RNN, LSTM and the as-printed LSTM
    assert "curves.png" in result.figures and result.report.is_file()
    assert all(path == result.run_dir / name for name, path in result.figures.items())
    claims = [t for t in result.tables.values() if "verdict" in t.columns]
    verdicts = {v.split(":")[0] for v in claims[0]["verdict"]}
    assert claims and verdicts <= {"supported", "contradicted", "inconclusive", "not reached", "untested"}
    # the tables are the CSV records on disk, and they need no report.md
    on_disk = {path.stem: pd.read_csv(path) for path in
               [*result.run_dir.glob("*.csv"), *(result.run_dir / "tables").glob("*.csv")]}
    assert set(on_disk) == set(result.tables)
    for name, frame in result.tables.items():
        pd.testing.assert_frame_equal(frame, on_disk[name], check_dtype=False)
    claims_before, figures_before = result.claims, result.figures
    assert list(claims_before["document"]) and set(claims_before["document"]) == {"002"}
    result.report.unlink()
    reopened = open_run(result.run_dir)
    assert reopened.report is None
    for name, frame in result.tables.items():
        pd.testing.assert_frame_equal(reopened.tables[name], frame)
    pd.testing.assert_frame_equal(reopened.claims, claims_before)
    pd.testing.assert_frame_equal(reopened.table, result.table)
    assert reopened.figures == figures_before


@pytest.fixture
def offline(tmp_path, monkeypatch):
    monkeypatch.setenv("MITLGAN_OFFLINE", "1")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "empty_keras_home"))


MITLGAN = dict(preset="quick", image_size=16, latent_dim=32, critic_channels=[4, 8, 8, 8],
               n_images=32, batch_size=16, n_critic=1, epochs=1, fid_n=16, curve_n=16,
               judge_images=48, judge_epochs=1, until="wgan_combined")


def test_api_and_command_line_write_the_same_mitlgan_stages(tmp_path, offline):
    argv = ["--preset", "quick", "--image-size", "16", "--latent-dim", "32", "--critic-channels",
            "4,8,8,8", "--n-images", "32", "--batch-size", "16", "--n-critic", "1", "--epochs",
            "1", "--fid-n", "16", "--curve-n", "16", "--judge-images", "48", "--judge-epochs", "1",
            "--until", "wgan_combined", "--output", str(tmp_path / "cli")]
    code, out, err = run_main(mitlgan.run.main, argv)
    assert code == 0, out + err
    result = mitlgan.reproduce(output=str(tmp_path / "api"), **MITLGAN)
    cli = tmp_path / "cli" / "synthetic"
    assert result.config == json.loads((cli / "config.json").read_text())
    assert _files(result.run_dir) == _files(cli)
    assert "wgan_combined/generator.keras" in _files(cli)
    # before the evaluation stage there is no report, so no table yet, but a generator
    assert result.report is None and result.figures == {}
    with pytest.raises(FileNotFoundError, match="before its report stage"):
        result.table  # noqa: B018
    generator = result.generators["wgan_combined"]
    images = np.asarray(generator(np.zeros((2, 32), "float32"), training=False))
    assert images.shape == (2, 16, 16, 3) and np.abs(images).max() <= 1.0
    assert set(result.savedmodel_paths) == {"wgan_combined"}
    # a second call resumes: nothing is trained again
    stamp = os.stat(result.generator_paths["wgan_combined"]).st_mtime_ns
    again = mitlgan.reproduce(output=str(tmp_path / "api"), **MITLGAN)
    assert os.stat(again.generator_paths["wgan_combined"]).st_mtime_ns == stamp


def test_open_run_names_a_folder_that_is_not_a_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="not a run folder"):
        open_run(tmp_path)
