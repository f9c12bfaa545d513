"""Run one zi2zi study on the shared runner, resuming an interrupted run.

Layout of ``OUTPUT/zi2zi/STUDY/``: ``config.json``, ``run.log``, ``data/`` (the split
and the identity baseline), ``classifier/`` (the glyph classifier), one folder per
variant with ``seed_K/`` (checkpoints, ``history.csv``, ``generator.keras`` and ``generator_savedmodel/``,
``result.json``), the grids and ``report.md``. Seeds: :mod:`reproductions.runner.repeats`.
"""

from __future__ import annotations

from pathlib import Path

from reproductions.runner.arguments import add_positive_int_flags
from reproductions.runner.engine import Reproduction, Stage
from reproductions.runner.entry import entry_points
from reproductions.runner.errors import UsageError
from reproductions.zi2zi.config import (
    DEFAULT_STUDY,
    HELD_OUT_FRACTION,
    PRESET_VALUES,
    PRESETS,
    STUDIES,
    STUDY_PRESET_VALUES,
    study_source_fonts,
    study_variants,
)

DESCRIPTION = (
    "Reproduce document 000's zi2zi font style transfer at 64x64 and score it on held-out "
    "characters against the true target glyphs (L1, SSIM, a glyph classifier's accuracy). "
    "--study picks the report's experiment. Running the same command again resumes.")
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


def reproduction_for(study: str) -> Reproduction:
    """The runner's view of one study (its variant stages differ)."""
    from reproductions.zi2zi.report import report_stage
    from reproductions.zi2zi.stages import (
        CLASSIFIER_STAGE,
        DATA_STAGE,
        classifier_stage,
        data_stage,
        variant_stage,
    )

    # variant names do not depend on the configuration, so the stage list is known early
    names = study_variants(study, {"epochs": 1, "train_chars_available": 3})
    stages = (Stage(DATA_STAGE, "glyph pairs, the held-out split and the identity baseline",
                    data_stage),
              Stage(CLASSIFIER_STAGE, "the glyph classifier on the real target fonts",
                    classifier_stage),
              *(Stage(name, f"zi2zi, {name}", variant_stage(study, name)) for name in names),
              Stage("report", "grids, tables and the report's claims", report_stage))
    return Reproduction(
        prog="python -m reproductions.zi2zi", description=DESCRIPTION, stages=stages,
        configure=configure, add_arguments=add_arguments, presets=PRESETS,
        preset_help="full: zi2zi's 100 epochs, every character, 3 seeds; hour: the "
                    "report's port's 6,400 generator updates on every character, 1 seed "
                    "(--study samples fits an hour on 2 CPU cores, the other studies 2-4 "
                    "hours); quick: a reduced charset, minutes on a CPU; auto (default): "
                    "full on a GPU, quick otherwise",
        run_folder=lambda args: Path(args.output) / "zi2zi" / args.study,
    )


prepare, main, reproduce = entry_points(
    reproduction_for, chosen_by=("--study", STUDIES, DEFAULT_STUDY),
    defaults={"study": DEFAULT_STUDY},
    doc="""Run or resume one zi2zi study (``study``: ``"style"``, ``"l1"``, ``"epochs"``, ``"samples"``,
    ``"sources"`` or ``"depth"``); the command line with the same settings writes the same
    ``OUTPUT/zi2zi/STUDY`` folder. ``result.table`` is the held-out L1, SSIM and accuracy
    per variant.""")
