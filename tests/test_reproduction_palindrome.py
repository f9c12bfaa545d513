"""``python -m reproductions.palindrome``: a tiny run, bad flags, and the LSTM learning T = 5."""

import json

import keras
import numpy as np
from _cli_helpers import run_main

from mitlgan.data.palindrome import palindrome_data
from mitlgan.models.recurrent import build_palindrome_classifier
from reproductions.palindrome.claims import epochs_to
from reproductions.palindrome.run import main

TINY = ["--preset", "quick", "--lengths", "5,20", "--epochs", "2", "--data-size", "300",
        "--hidden", "8", "--learning-rates", "1e-2,1e-3"]


def test_tiny_run_writes_the_report_figures_and_claims(tmp_path):
    code, out, err = run_main(main, TINY + ["--output", str(tmp_path)])
    assert code == 0, out + err
    run_dir = tmp_path / "palindrome"
    for figure in ("curves.png", "learning_rates.png"):
        assert (run_dir / figure).stat().st_size > 5000
    # 3 models x 2 lengths at lr 1e-3, and the LSTM at lr 1e-2 for T = 5 and 20
    names = sorted(p.stem for p in (run_dir / "runs").glob("*_lr*.json"))
    assert len(names) == 8 and "lstm_T20_lr0.01" in names and "lstm_as_printed_T5_lr0.001" in names
    run = json.loads((run_dir / "runs" / "rnn_T20_lr0.001.json").read_text())
    assert len(run["test_accuracy"]) == 2 and "240 train / 60 test" in run["data"]
    claims = dict(json.loads((run_dir / "report" / "done.json").read_text())["claims"])
    assert any(c.startswith("The LSTM reaches a higher accuracy than the RNN on long inputs "
                            "(T = 20)") for c in claims)
    assert any(c.startswith("On long inputs (T = 20) a lower learning rate ends higher")
               for c in claims)
    # a second run skips every finished run
    code, out, _ = run_main(main, TINY + ["--output", str(tmp_path)])
    assert code == 0 and "runs: every model" in out and "done earlier" in out


def test_bad_lengths_and_rates_are_refused(tmp_path):
    code, _, err = run_main(main, ["--lengths", "1,5", "--output", str(tmp_path)])
    assert code == 2 and "--lengths must be at least 2" in err
    code, _, err = run_main(main, ["--learning-rates", "0.1,-1", "--output", str(tmp_path)])
    assert code == 2 and "positive numbers" in err


def test_epochs_to_target_by_hand():
    assert epochs_to([0.5, 0.89, 0.9, 0.95]) == 3 and epochs_to([0.1, 0.2]) is None


def test_the_lstm_learns_t5_to_99_percent_in_a_short_run():
    data = palindrome_data(5)
    keras.utils.set_random_seed(0)
    model = build_palindrome_classifier("lstm", 4)
    model.compile(keras.optimizers.Adam(1e-3, global_clipnorm=10),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(data.x_train, data.y_train, batch_size=128, epochs=40, verbose=0)
    predictions = np.argmax(model.predict(data.x_test, verbose=0), axis=1)
    assert np.mean(predictions == data.y_test) >= 0.99
