"""A zi2zi study split over two machines: variants carried by their records, not weights."""

import json

from _cli_helpers import run_main

from reproductions.zi2zi.carry import find_carried, shown_folder, variant_identity, write_records
from reproductions.zi2zi.config import Zi2ZiSettings
from reproductions.zi2zi.run import main

TINY = ["--preset", "quick", "--epochs", "1", "--train-chars", "16", "--held-out-chars", "8",
        "--classifier-epochs", "1", "--seed", "1"]
CONFIG = {"study": "l1", "preset": "full", "fonts": "cjk", "source_fonts": ["/f/s1.ttc"],
          "target_fonts": ["/f/t1.ttc", "/f/t2.ttc"], "batch_size": 16, "channels": 3,
          "embedding_num": 10, "epochs": 100, "l1_weight": 100.0, "width": 16, "seed": 0,
          "seeds": 1, "train_chars_available": 6, "held_out_fraction": 0.2,
          "classifier_epochs": 40, "min_styles": 10}


def _settings(study="l1", **changes):
    return Zi2ZiSettings.from_config({**CONFIG, "study": study, **changes})
DATA = {"train_chars": "abcdef", "held_out_chars": "xy", "source_fonts": ["s1", "s2", "s3"],
        "target_fonts": ["t1", "t2"], "skipped": {"/usr/share/fonts/t1.ttc": ""}}


def test_a_variant_is_known_by_what_it_trains_not_by_its_study():
    base = variant_identity(_settings("l1"), DATA, "l1_100")
    # zi2zi's own settings under three studies' names are one variant
    assert base == variant_identity(_settings("epochs"), DATA, "epochs_x1")
    assert base == variant_identity(_settings("depth"), DATA, "width_16")
    assert base == variant_identity(_settings("sources"), DATA, "one_source")
    assert base["train_chars"] == "abcdef" and base["source_fonts"] == ["s1"]
    assert base["skipped"] == {"t1.ttc": ""}  # a font by its name, wherever it is installed
    third = variant_identity(_settings("samples"), DATA, "chars_third")
    assert (third["train_chars"], third["epochs"], third["schedule_stretch"]) == ("ab", 300, 3)
    assert variant_identity(_settings("sources"), DATA, "three_sources")["source_fonts"] == [
        "s1", "s2", "s3"]
    assert variant_identity(_settings("l1"), DATA, "l1_10")["l1_weight"] == 10.0
    other_split = variant_identity(_settings("l1"), {**DATA, "held_out_chars": "xz"}, "l1_100")
    assert other_split != base


def _hand_made_record(folder, study="epochs", variant="epochs_x1", **config):
    """A finished run folder as another machine leaves it, written by hand."""
    (folder / "data").mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({**CONFIG, "study": study, **config}))
    (folder / "data" / "done.json").write_text(json.dumps(DATA))
    (folder / variant / "seed_0").mkdir(parents=True)
    (folder / variant / "done.json").write_text(json.dumps({"seconds_this_run": 60}))
    (folder / variant / "seed_0" / "result.json").write_text(json.dumps({"scores": {}}))


def test_records_are_found_by_identity_and_a_near_miss_says_what_differs(tmp_path, capsys):
    _hand_made_record(tmp_path / "machine_a" / "zi2zi" / "epochs")
    _hand_made_record(tmp_path / "machine_b" / "l1", study="l1", variant="l1_10", seed=5)
    found = find_carried([tmp_path], _settings("depth"), DATA, "width_16")
    assert found is not None and found[0].name == "epochs" and found[2] == "epochs_x1"
    assert find_carried([tmp_path], _settings("epochs", seed=2), DATA, "epochs_x1") is None
    assert "its seed differs" in capsys.readouterr().out
    assert find_carried([tmp_path], _settings(), DATA, "l1_10") is None  # machine b: seed 5
    assert find_carried([tmp_path], _settings(seed=5), DATA, "l1_10")[2] == "l1_10"
    # what write_records keeps of a run: no weights
    run = tmp_path / "machine_a" / "zi2zi" / "epochs"
    (run / "epochs_x1" / "seed_0" / "generator.keras").write_bytes(b"weights")
    (run / "epochs_x1" / "seed_0" / "history.csv").write_text("epoch,held_out_l1\n1,0.5\n")
    (run / "config.json").write_text(json.dumps({**CONFIG, "study": "epochs",
                                                 "charset_file": "/work/data/top.txt"}))
    assert write_records(run, tmp_path / "records") == ["epochs_x1"]
    kept = {p.relative_to(tmp_path / "records").as_posix()
            for p in (tmp_path / "records").rglob("*") if p.is_file()}
    assert kept == {"config.json", "invocations.json", "data/done.json", "epochs_x1/done.json",
                    "epochs_x1/seed_0/result.json", "epochs_x1/seed_0/history.csv"}
    config = json.loads((tmp_path / "records" / "config.json").read_text())
    assert config["charset_file"] == "top.txt"  # no folder of the machine that made it


def test_a_records_folder_is_named_as_the_repository_names_it():
    assert shown_folder("/work/main/docs/results/zi2zi/full/l1/records") == \
        "docs/results/zi2zi/full/l1/records"
    assert shown_folder("/home/me/runs/zi2zi/l1") == "l1"


def test_a_missing_records_folder_is_named(tmp_path):
    code, _, err = run_main(main, TINY + ["--variants-from", str(tmp_path / "nowhere"),
                                          "--output", str(tmp_path / "run")])
    assert code == 2 and "nowhere" in err and "--variants-from" in err
