"""End to end: ``python -m reproductions.zi2zi`` tiny, bad fonts refused, a short training
that beats the identity baseline on held-out characters."""

import csv
import json

import numpy as np
import pytest
from _cli_helpers import run_main

from reproductions.zi2zi.carry import write_records
from reproductions.zi2zi.run import main

TINY = ["--preset", "quick", "--epochs", "1", "--train-chars", "16", "--held-out-chars", "8",
        "--classifier-epochs", "1", "--seed", "1"]


def test_tiny_run_writes_the_report_with_grids_and_the_claim(tmp_path):
    # a study split over two machines: the first trains the epochs study's base and stops;
    # the depth study, on the second, takes it from its records (no weights) as width_16
    first = tmp_path / "first"
    code, out, err = run_main(main, TINY + ["--study", "epochs", "--until", "epochs_x1",
                                            "--output", str(first)])
    assert code == 0, out + err
    records = tmp_path / "records"
    assert write_records(first / "zi2zi" / "epochs", records) == ["epochs_x1"]
    code, out, err = run_main(main, TINY + ["--study", "depth", "--variants-from", str(records),
                                            "--output", str(tmp_path)])
    assert code == 0, out + err
    run_dir = tmp_path / "zi2zi" / "depth"
    carried = json.loads((run_dir / "width_16" / "done.json").read_text())["carried_from"]
    assert (carried["study"], carried["variant"]) == ("epochs", "epochs_x1")
    assert "--until epochs_x1" in carried["commands"][0]
    theirs = json.loads((records / "epochs_x1" / "seed_0" / "result.json").read_text())
    assert json.loads((run_dir / "width_16" / "seed_0" / "result.json").read_text()) == theirs
    assert not (run_dir / "width_16" / "seed_0" / "checkpoints").exists()  # not trained here
    assert "carried_from" not in json.loads((run_dir / "width_32" / "done.json").read_text())
    assert ("`width_16` was trained on another machine (epochs study's `epochs_x1`"
            in (run_dir / "report.md").read_text())
    for figure in ("grid_width_16.png", "grid_width_32.png"):  # the first carried
        assert (run_dir / figure).stat().st_size > 5000
    reported = json.loads((run_dir / "report" / "done.json").read_text())
    assert reported["claim"] == "A larger (here: twice as wide) network adds little"
    data = json.loads((run_dir / "data" / "done.json").read_text())
    assert set(data["identity"]) == set(data["target_fonts"])  # the identity baseline
    # the board's data column names the Latin stand-in, from the data stage's payload
    budget = json.loads((run_dir / "claims.json").read_text())["budget"]
    assert budget["data"].startswith("Latin glyphs") and data["charset_size"] >= 24
    assert len(data["train_chars"]) == 16 and len(data["held_out_chars"]) == 8
    assert not set(data["train_chars"]) & set(data["held_out_chars"])
    result = json.loads((run_dir / "width_32" / "seed_0" / "result.json").read_text())
    spread = result["scores"].pop("style_spread")
    nearest = result["scores"].pop("nearest_style")  # four styles: a style-blind output scores 1/4
    assert nearest["chance"] == 0.25 and 0 <= nearest["rate"] <= 1 and nearest["pairs"] == 4 * 8
    assert set(result["scores"]) == {"DejaVuSerif", "STIXGeneral", "DejaVuSansMono",
                                     "DejaVuSans-BoldOblique"}
    assert all(0 <= s["l1"] <= 2 and -1 <= s["ssim"] <= 1 for s in result["scores"].values())
    # the four real fonts differ; a model's spread is >= 0 (0: the style id is ignored)
    assert spread["targets"] > 0.02 and spread["generated"] >= 0
    # the held-out scores of every epoch are in history.csv; the last epoch's are the final
    with open(run_dir / "width_32" / "seed_0" / "history.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(float(r["epoch"])) for r in rows] == [1]
    fonts = sorted(result["scores"])
    final_l1 = float(np.mean([result["scores"][f]["l1"] for f in fonts]))
    assert float(rows[-1]["held_out_l1"]) == pytest.approx(final_l1, rel=1e-5)
    assert float(rows[-1]["style_spread"]) == pytest.approx(spread["generated"], rel=1e-5)
    assert -1 <= float(rows[-1]["held_out_ssim"]) <= 1
    # the style-agnostic floor of the four real fonts
    floor = data["style_agnostic_floor"]
    assert set(floor["per_style"]) == set(data["target_fonts"]) and 0 < floor["l1"] < 1


def test_bad_fonts_and_missing_cjk_fonts_are_refused(tmp_path):
    code, _, err = run_main(main, TINY + ["--target-font", "NoSuchFont.ttf",
                                          "--output", str(tmp_path / "a")])
    assert code == 2 and "NoSuchFont.ttf" in err
    code, _, err = run_main(main, TINY + ["--fonts", "cjk", "--output", str(tmp_path / "b")])
    assert code == 2 and "--fonts cjk needs --source-font" in err
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font")
    code, _, err = run_main(main, TINY + ["--target-font", str(broken),
                                          "--output", str(tmp_path / "c")])
    assert code == 2 and "broken.ttf" in err
    assert not any((tmp_path / name).exists() for name in "abc")


def test_a_short_training_beats_the_identity_baseline_on_held_out_characters():
    import keras

    from mitlgan.data.fonts import DEFAULT_SOURCE_FONT, font_pairs, shared_charset, split_characters
    from mitlgan.gans.zi2zi import Zi2Zi, Zi2ZiLearningRate
    from mitlgan.metrics.glyphs import per_image_l1
    from mitlgan.models.zi2zi import build_zi2zi_discriminator, build_zi2zi_generator
    from mitlgan.training import train

    target = "STIXGeneral.ttf"
    train_chars, held_out = split_characters(shared_charset([DEFAULT_SOURCE_FONT, target]), 0.2)
    training = font_pairs(DEFAULT_SOURCE_FONT, [target], train_chars[:64]).as_training_arrays()
    targets, sources, styles = font_pairs(DEFAULT_SOURCE_FONT, [target],
                                          held_out[:32]).as_training_arrays()
    keras.utils.set_random_seed(0)
    gan = Zi2Zi(build_zi2zi_generator(), build_zi2zi_discriminator(), num_styles=10, seed=0)
    train(gan, training, batch_size=16, epochs=10, callbacks=[Zi2ZiLearningRate()], verbose=0)
    fake = gan.generator.predict([sources, styles], verbose=0)
    model, identity = per_image_l1(fake, targets).mean(), per_image_l1(sources, targets).mean()
    assert model < identity, (model, identity)
    assert np.isfinite(model)


def test_style_spread_by_hand():
    from reproductions.zi2zi.stages import style_spread

    same = np.ones((3, 2, 4, 4, 1))
    assert style_spread(same) == 0.0
    two = np.stack([np.zeros((1, 2, 2, 1)), np.full((1, 2, 2, 1), 2.0)])  # mean 1, each 1 away
    assert style_spread(two) == 1.0
