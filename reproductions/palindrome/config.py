"""Presets and the run list of the palindrome reproduction (document 002, Part 1).

The report's defaults: hidden 128, batch 128, Adam with learning rate 1e-3, up to 100
epochs, gradient-norm clipping at 10, 100,000 sequences, 80% for training. Runs: every
model (the RNN and both LSTM outputs) at every length T with the default learning
rate; the standard LSTM with the other learning rates at T = 5 and T = 20 (the
report's learning-rate figures).
"""

from __future__ import annotations

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


def run_list(config: dict) -> list[dict]:
    """Every (model, T, learning rate) run, named ``MODEL_T{T}_lr{rate}``."""
    runs = [{"model": m, "length": t, "learning_rate": config["default_learning_rate"]}
            for t in config["lengths"] for m in MODELS]
    runs += [{"model": "lstm", "length": t, "learning_rate": rate}
             for t in config["lengths"] if t in LEARNING_RATE_LENGTHS
             for rate in config["learning_rates"] if rate != config["default_learning_rate"]]
    for run in runs:
        run["name"] = f"{run['model']}_T{run['length']}_lr{run['learning_rate']:g}"
    return runs
