"""Presets of the DCGAN reproduction (document 001).

The full preset is the report's: its DCGAN tables at 64x64, batch 64, 50 epochs (its
grids are at epochs 1, 25, 35 and 50), Adam(2e-4, 0.5) from carpedm20/DCGAN-tensorflow.
The quick preset keeps the structure with every width divided by 8 (generator from
4x4x64, discriminator from 8 channels), so 50 epochs of 1,024 sprites fit a CPU.
"""

from __future__ import annotations

PRESETS = ("full", "hour", "quick")
REPORT_EPOCHS = (1, 25, 35, 50)  # the report's sample grids
PRESET_VALUES = {
    "full": {"epochs": 50, "batch_size": 64, "n_images": None, "generator_channels": 512,
             "discriminator_channels": 64},
    # the report's 50 epochs in an hour on a 2-core CPU: widths / 4, 2,048 sprites
    "hour": {"epochs": 50, "batch_size": 64, "n_images": 2048, "generator_channels": 128,
             "discriminator_channels": 16},
    "quick": {"epochs": 50, "batch_size": 64, "n_images": 1024, "generator_channels": 64,
              "discriminator_channels": 8},
}
SPRITES_FULL = 8000  # built-in sprites made for the full preset
LATENT_DIM = 100
COLLAPSE_SAMPLES = 500  # generated and real samples behind each epoch's metrics
COLLAPSE_FRACTION = 0.5


def build_config(preset: str, overrides: dict) -> dict:
    """The preset with the flags that were given (None: not given)."""
    config = {"preset": preset, **PRESET_VALUES[preset], "latent_dim": LATENT_DIM,
              "collapse_samples": COLLAPSE_SAMPLES, "collapse_fraction": COLLAPSE_FRACTION}
    config.update({k: v for k, v in overrides.items() if v is not None})
    return config

TRAIN_STAGE = "train"  # the DCGAN's training stage (collapse study and benchmark)
JUDGE_STAGE = "judge"  # the benchmark's MNIST judge
