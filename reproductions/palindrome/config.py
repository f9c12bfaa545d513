"""Presets and the run list of the palindrome reproduction (document 002, Part 1).

The report's defaults: hidden 128, batch 128, Adam with learning rate 1e-3, up to 100
epochs, gradient-norm clipping at 10, 100,000 sequences, 80% for training. Runs: every
model (the RNN and both LSTM outputs) at every length T with the default learning
rate; the standard LSTM with the other learning rates at T = 5 and T = 20 (the
report's learning-rate figures).
"""

from __future__ import annotations

import dataclasses

from reproductions.runner import Settings, UsageError
from reproductions.runner.arguments import add_positive_int_flags, int_list, positive_float_list

PRESETS = ("full", "hour", "quick")
PRESET_VALUES = {
    "full": {"lengths": (5, 10, 20, 30), "learning_rates": (1e-2, 1e-3, 1e-4),
             "data_size": 100_000, "epochs": 100, "batch_size": 128, "hidden": 128},
    # the report's own budget fits an hour on a 2-core CPU: measured, the grid took 338 s
    # of training at 12,000 sequences (early stopping ends most runs within 60 epochs),
    # so about 47 minutes at the report's 100,000
    "hour": {"lengths": (5, 10, 20, 30), "learning_rates": (1e-2, 1e-3, 1e-4),
             "data_size": 100_000, "epochs": 100, "batch_size": 128, "hidden": 128},
    "quick": {"lengths": (5, 20), "learning_rates": (1e-2, 1e-3, 1e-4),
              "data_size": 10_000, "epochs": 25, "batch_size": 128, "hidden": 128},
}
DEFAULT_LEARNING_RATE = 1e-3
LEARNING_RATE_LENGTHS = (5, 20)  # the report's Figures 6 and 7
MODELS = ("rnn", "lstm", "lstm_as_printed")
MODEL_LABELS = {"rnn": "vanilla RNN", "lstm": "LSTM, h = tanh(c) o",
                "lstm_as_printed": "LSTM as printed, h = tanh(c o)"}
CLIP_NORM = 10.0
PERFECT_PATIENCE = 3  # stop once the test accuracy has been 100% this many epochs
DATA_SEED = 42  # the assignment template's


def build_config(preset: str, overrides: dict) -> dict:
    """The preset with the flags that were given (None: not given)."""
    config = {"preset": preset, **PRESET_VALUES[preset], "clip_norm": CLIP_NORM,
              "perfect_patience": PERFECT_PATIENCE, "data_seed": DATA_SEED,
              "default_learning_rate": DEFAULT_LEARNING_RATE}
    config.update({k: v for k, v in overrides.items() if v is not None})
    config["lengths"] = list(config["lengths"])
    config["learning_rates"] = list(config["learning_rates"])
    return config


def run_list(config: PalindromeSettings) -> list[dict]:
    """Every (model, T, learning rate) run, named ``MODEL_T{T}_lr{rate}``."""
    runs = [{"model": m, "length": t, "learning_rate": config.default_learning_rate}
            for t in config.lengths for m in MODELS]
    runs += [{"model": "lstm", "length": t, "learning_rate": rate}
             for t in config.lengths if t in LEARNING_RATE_LENGTHS
             for rate in config.learning_rates if rate != config.default_learning_rate]
    for run in runs:
        run["name"] = f"{run['model']}_T{run['length']}_lr{run['learning_rate']:g}"
    return runs


def add_arguments(parser, run) -> None:
    """The palindrome flags (the runner adds --preset, --output, --seed, --restart, --until)."""
    run.add_argument("--lengths", type=int_list("--lengths", "5,10,20,30"), default=None,
                     help="palindrome lengths T (the report: 5, 20, 30)")
    run.add_argument("--learning-rates", type=positive_float_list("--learning-rates",
                                                                  "1e-2,1e-3,1e-4"),
                     default=None, help="learning rates of the T = 5 and T = 20 panels")
    run.add_argument("--init", choices=("pytorch", "keras"), default="pytorch",
                     help="pytorch (default): the report's nn.Linear initialisation; keras: "
                          "Keras's recurrent defaults (orthogonal recurrent kernel)")
    add_positive_int_flags(parser.add_argument_group("training (override the preset)"), {
        "--epochs": "the most epochs a run trains (the report: 100)",
        "--batch-size": None, "--hidden": None,
        "--data-size": "sequences per length (capped at the distinct palindromes)",
    })


def configure(args, preset: str) -> dict:
    """The configuration; lengths below 2 are refused before anything is written."""
    overrides = {k: getattr(args, k) for k in ("lengths", "learning_rates", "epochs",
                                               "batch_size", "hidden", "data_size")}
    config = build_config(preset, overrides)
    config["init"] = args.init
    if min(config["lengths"]) < 2:
        raise UsageError("--lengths must be at least 2: T counts the input digits and the "
                         "target.")
    return config


@dataclasses.dataclass(frozen=True, kw_only=True)
class PalindromeSettings(Settings):
    """The palindrome study's settings (``context.settings``; :func:`build_config` and
    the flags make them).

    Attributes:
        lengths: palindrome lengths T (the report: 5, 10, 20, 30).
        learning_rates: the learning rates of the T = 5 and T = 20 panels.
        default_learning_rate: every other run's (the report's 1e-3).
        data_size: sequences per length (capped at the distinct palindromes).
        data_seed: the assignment template's split seed (42).
        epochs: the most epochs a run trains; batch_size, hidden: as the report.
        clip_norm: Adam's global gradient-norm clipping (10).
        perfect_patience: a run stops once its test accuracy has been 100% for this
            many epochs.
        init: "pytorch" (the report's nn.Linear initialisation) or "keras".
    """

    lengths: tuple[int, ...]
    learning_rates: tuple[float, ...]
    default_learning_rate: float
    data_size: int
    data_seed: int
    epochs: int
    batch_size: int
    hidden: int
    clip_norm: float
    perfect_patience: int
    init: str
