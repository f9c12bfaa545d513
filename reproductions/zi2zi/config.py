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

import dataclasses
from pathlib import Path

from mitlgan.data.fonts import DEFAULT_SOURCE_FONT, EXTRA_SOURCE_FONTS
from reproductions.runner import Settings, UsageError
from reproductions.runner.arguments import add_positive_int_flags

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


def study_variants(study: str, settings) -> dict:
    """{variant name: the settings it changes}; the first is the study's base. The names
    do not depend on ``settings`` (anything with ``epochs`` and ``train_chars_available``,
    :class:`Zi2ZiSettings` in a run)."""
    epochs, chars = settings.epochs, settings.train_chars_available
    if study == "style":
        return {"base": {}}
    if study == "l1":
        return {f"l1_{w}": {"l1_weight": float(w)} for w in (10, 100, 1000, 10000)}
    if study == "epochs":
        return {"epochs_x1": {"epochs": epochs}, "epochs_x3": {"epochs": 3 * epochs}}
    if study == "samples":
        # equal updates per variant: a third of the characters trains three times the
        # epochs, with the learning-rate schedule stretched to match (halved every 30
        # epochs, not 10), so "more characters" is not confounded with "more training"
        return {"chars_third": {"train_chars": chars // 3, "epochs": 3 * epochs,
                                "schedule_stretch": 3},
                "chars_all": {"train_chars": chars}}
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


OVERRIDES = ("epochs", "batch_size", "train_chars", "held_out_chars", "seeds",
             "classifier_epochs")


BASE_SETTINGS = {"l1_weight": 100.0, "width": 16, "channels": 3, "min_styles": 10}


def add_arguments(parser, run) -> None:
    """The zi2zi flags (the runner adds --preset, --output, --seed, --restart, --until)."""
    run.add_argument("--study", choices=STUDIES, default=DEFAULT_STUDY,
                     help="style (default): zi2zi's settings on every character, does the "
                          "output follow the style id; l1: L1 weight 10..10,000; epochs: E "
                          "vs 3E; samples: N/3 vs N "
                          "characters; sources: 1 vs 3 source fonts; depth: width 16 vs 32")
    run.add_argument("--fonts", choices=("default", "cjk"), default="default",
                     help="default: fonts bundled with matplotlib (offline); cjk: your "
                          "Chinese fonts via --source-font / --target-font (datasets/zi2zi.md)")
    run.add_argument("--source-font", action="append", default=[], metavar="F",
                     help="source font file (repeat: three for --study sources)")
    run.add_argument("--target-font", action="append", default=[], metavar="F",
                     help="target style font file (repeat; the style id is the order)")
    run.add_argument("--charset", default=None, metavar="FILE",
                     help="a UTF-8 file whose characters are the charset (default: the "
                          "letters and digits every font covers)")
    run.add_argument("--variants-from", action="append", default=[], metavar="DIR",
                     help="take each variant whose characters, fonts, settings and seeds "
                          "match a finished one in DIR (another machine's run folder, or "
                          "records from scripts/publish_results.py --records) instead of "
                          "training it (repeat for several folders)")
    add_positive_int_flags(parser.add_argument_group("training (override the preset)"), {
        "--epochs": None, "--batch-size": None,
        "--train-chars": "training characters (a prefix of the training split)",
        "--held-out-chars": "held-out characters scored (a prefix of the held-out split)",
        "--seeds": "runs per variant (mean ± sd over them)",
        "--classifier-epochs": None,
    })


def _fonts(args) -> tuple[list, list]:
    from mitlgan.data.fonts import DEFAULT_TARGET_FONTS, bundled_font

    sources = study_source_fonts(args.fonts, args.source_font, args.study)
    targets = list(args.target_font) or (list(DEFAULT_TARGET_FONTS) if args.fonts == "default"
                                         else [])
    if args.fonts == "cjk" and (not args.source_font or not args.target_font):
        raise UsageError("--fonts cjk needs --source-font F and at least one --target-font F "
                         "(datasets/zi2zi.md names Debian's WenQuanYi and AR PL fonts).")
    if args.study == "sources" and len(sources) < 3:
        raise UsageError("--study sources needs three source fonts: give --source-font three "
                         "times.")
    resolved = []  # user files as absolute paths, bundled fonts by name (portable configs)
    for font in sources + targets:
        path = Path(font).expanduser()
        if path.is_file():
            resolved.append(str(path.resolve()))
            continue
        try:
            bundled_font(font)
        except FileNotFoundError as err:
            raise UsageError(str(err)) from err
        resolved.append(font)
    return resolved[:len(sources)], resolved[len(sources):]


def configure(args, preset: str) -> dict:
    """The study's configuration; fonts and the charset are checked before anything is written."""
    from mitlgan.data.fonts import shared_charset

    config = {"study": args.study, "preset": preset, "fonts": args.fonts,
              **PRESET_VALUES[preset], **STUDY_PRESET_VALUES.get((args.study, preset), {}),
              "held_out_fraction": HELD_OUT_FRACTION}
    config.update({k: getattr(args, k) for k in OVERRIDES if getattr(args, k) is not None})
    config["source_fonts"], config["target_fonts"] = _fonts(args)
    for folder in getattr(args, "variants_from", []):  # not in the configuration
        if not Path(folder).is_dir():
            raise UsageError(f"--variants-from {folder}: no such folder (give a run folder "
                             "or the records scripts/publish_results.py --records wrote)")
    config.update(BASE_SETTINGS)
    config["embedding_num"] = max(BASE_SETTINGS["min_styles"], len(config["target_fonts"]))
    config["charset_file"] = str(Path(args.charset).resolve()) if args.charset else None
    try:
        if args.charset:
            charset = Path(args.charset).read_text(encoding="utf-8").strip()
        else:
            charset = shared_charset(config["source_fonts"] + config["target_fonts"])
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise UsageError(f"cannot read the charset or the fonts: {err}") from err
    available = len(charset) - max(1, round(HELD_OUT_FRACTION * len(charset)))
    config["train_chars_available"] = min(available, config["train_chars"] or available)
    if config["train_chars_available"] // 3 * len(config["target_fonts"]) < config["batch_size"]:
        raise UsageError(f"only {len(charset)} characters are shared by the fonts: too few "
                         "to train on. Choose fonts that share more characters.")
    return config


@dataclasses.dataclass(frozen=True, kw_only=True)
class Zi2ZiSettings(Settings):
    """One zi2zi study's settings (``context.settings``; :func:`configure` makes them).

    Attributes:
        study: one of :data:`STUDIES`.
        fonts: "default" (bundled Latin fonts) or "cjk" (Debian's CJK fonts).
        source_fonts, target_fonts: font files; the first source is every variant's.
        charset_file: a charset file, or None (the fonts' shared characters).
        train_chars: training characters asked for (None: all); train_chars_available:
            what the charset gives after the held-out split.
        held_out_chars: held-out characters scored (None: the whole split);
            held_out_fraction: the split's share.
        epochs, batch_size: the base variant's; seeds: repeats per variant.
        classifier_epochs: the glyph classifier's training.
        l1_weight, width, channels, min_styles, embedding_num: zi2zi's network and
            loss (embedding_num = max(min_styles, target fonts)).
    """

    study: str
    fonts: str
    source_fonts: tuple[str, ...]
    target_fonts: tuple[str, ...]
    charset_file: str | None = None
    train_chars: int | None = None
    train_chars_available: int
    held_out_chars: int | None = None
    held_out_fraction: float
    epochs: int
    batch_size: int
    seeds: int
    classifier_epochs: int
    l1_weight: float
    width: int
    channels: int
    min_styles: int
    embedding_num: int


DATA_STAGE = "data"


CLASSIFIER_STAGE = "classifier"


CLASSIFIER_FILE = "classifier.keras"
