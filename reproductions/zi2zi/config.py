"""Studies, presets and variants of the zi2zi reproduction (document 000, experiment 4).

Each study trains its variants on the same glyph pairs and scores them on held-out
characters. The report's studies and what they become with the offline fonts (641
shared letters and digits, so the report's 1,000 vs 3,000 characters become N vs 3N):

- ``style`` (the default): one variant, zi2zi's own settings on every character: does
  the output depend on the style id (the report's premise)?
- ``l1``: the L1 weight 10, 100 (zi2zi's default), 1,000 and 10,000;
- ``epochs``: E against 3E epochs (the report: 100 against 300);
- ``samples``: N/3 against N training characters (the report: 1,000 against 3,000);
- ``sources``: one source font against three (the report: 1,000 x 3 source styles);
- ``depth``: the report's widths (16) against twice as wide (32) ("deeper / wider").

Training follows zi2zi and document 000's port where the report is silent: batch 16,
Adam(1e-3, beta_1=0.5) halved every 10 epochs down to 2e-4, two generator updates per
discriminator update, loss weights L1 100, constant 15, category 1.
"""

from __future__ import annotations

from mitlgan.data.fonts import DEFAULT_SOURCE_FONT, EXTRA_SOURCE_FONTS

STUDIES = ("style", "l1", "epochs", "samples", "sources", "depth")
DEFAULT_STUDY = "style"
PRESETS = ("full", "hour", "quick")
PRESET_VALUES = {
    # zi2zi's 100 epochs, every training character, three seeds
    "full": {"epochs": 100, "batch_size": 16, "train_chars": None, "held_out_chars": None,
             "seeds": 3, "classifier_epochs": 40},
    # the report's port's 6,400 generator updates for a full-charset variant: 25 epochs of
    # the 513 bundled-font training characters x 4 styles (128 steps of 2 G updates each);
    # measured ~0.35 s a step on 2 cores, so one such variant takes ~20 min. Only
    # --study samples (N/3 then N characters, ~8,500 G updates) fits the hour; the other
    # studies train 2-4 variants of that size (2-4 hours). One seed: variant comparisons
    # at this budget say they have no seed margin.
    "hour": {"epochs": 25, "batch_size": 16, "train_chars": None, "held_out_chars": None,
             "seeds": 1, "classifier_epochs": 40},
    # a reduced charset and a few epochs: minutes on a CPU
    "quick": {"epochs": 12, "batch_size": 16, "train_chars": 120, "held_out_chars": 48,
              "seeds": 1, "classifier_epochs": 40},
}
#: per study, what a preset changes for it: the style study's quick preset trains on
#: every character for 8 epochs (1,026 steps, 2,052 generator updates: measured, the
#: style appears by epoch 7 on the bundled fonts, within a quick run's 10 minutes)
STUDY_PRESET_VALUES = {
    ("style", "quick"): {"epochs": 8, "train_chars": None, "held_out_chars": None},
}
HELD_OUT_FRACTION = 0.2
GRID_CHARS = 8  # held-out characters per style in the grids
# "adds little": the held-out L1 moves by less than this fraction and SSIM by less than
# the SSIM tolerance; "helps": L1 falls by at least the fraction
LITTLE_L1_FRACTION = 0.05
LITTLE_SSIM = 0.02
MIN_SEEDS_FOR_MARGIN = 3  # below this a variant comparison has no measured seed noise
HOUR_STUDY = "samples"  # the one study whose variants fit the hour preset


def study_variants(study: str, config: dict) -> dict:
    """{variant name: the settings it changes}; the first is the study's base. The names
    do not depend on ``config``."""
    epochs, chars = config["epochs"], config["train_chars_available"]
    if study == "style":
        return {"base": {}}
    if study == "l1":
        return {f"l1_{w}": {"l1_weight": float(w)} for w in (10, 100, 1000, 10000)}
    if study == "epochs":
        return {"epochs_x1": {"epochs": epochs}, "epochs_x3": {"epochs": 3 * epochs}}
    if study == "samples":
        return {"chars_third": {"train_chars": chars // 3}, "chars_all": {"train_chars": chars}}
    if study == "sources":
        return {"one_source": {"sources": 1}, "three_sources": {"sources": 3}}
    if study == "depth":
        return {"width_16": {"width": 16}, "width_32": {"width": 32}}
    raise ValueError(f"unknown study {study!r}; choose one of {STUDIES}")


def study_source_fonts(fonts: str, given: list, study: str) -> list:
    """The source fonts a study renders: the first is every variant's (and the held-out
    evaluation's) source; ``sources`` needs three (default fonts: two bundled extras)."""
    if fonts == "default" and not given:
        given = [DEFAULT_SOURCE_FONT]
        if study == "sources":
            given += list(EXTRA_SOURCE_FONTS)
    return list(given if study == "sources" else given[:1])
