"""The zi2zi report: source | generated | target grids, the study table, the claims."""

from __future__ import annotations

import json
import shutil

import numpy as np

from mitlgan.artifacts import GENERATOR_FILE
from reproductions.runner import environment_lines, read_claim_rows, say, seed_folder
from reproductions.runner.report import show_grid
from reproductions.zi2zi.carry import grid_file
from reproductions.zi2zi.claims import (
    METRICS,
    MIN_CLASSIFIER_ACCURACY,
    mean_sd_cell,
    seed_results,
    summarise,
)
from reproductions.zi2zi.config import (
    CLASSIFIER_STAGE,
    DATA_STAGE,
    GRID_CHARS,
    LITTLE_L1_FRACTION,
    LITTLE_SSIM,
    study_variants,
)
from reproductions.zi2zi.glyphs import held_out_arrays


def grid_figure(context, name: str, path) -> bool:
    """Draw variant ``name``'s held-out glyphs to ``path``: per style, rows source /
    generated / target. False when its first seed's generator is not in the run folder."""
    import keras

    from mitlgan.plots import image_grid

    generator_path = seed_folder(context.stage_dir(name), 0) / GENERATOR_FILE
    if not generator_path.is_file():
        return False
    generator = keras.saving.load_model(generator_path)
    targets, sources, styles, _ = held_out_arrays(context)
    panels = []
    for style, font in enumerate(context.done_payload(DATA_STAGE)["target_fonts"]):
        rows = np.flatnonzero(styles == style)[:GRID_CHARS]
        fake = np.asarray(generator.predict([sources[rows], styles[rows]], verbose=0))
        triple = np.concatenate([sources[rows], fake, targets[rows]])[..., :1]
        panels.append((font, image_grid(triple, nrow=len(rows), pad_value=128)))
    stacked_panels(panels, path, f"{name}, held-out characters: source / generated / target")
    return True


def _report_grid(context, name: str) -> str | None:
    """The report's copy of variant ``name``'s grid (the variant stage drew it, or a
    carried record brought it; a run made before either is drawn now)."""
    figure = grid_file(name)
    drawn = context.stage_dir(name) / figure
    if drawn.is_file():
        shutil.copyfile(drawn, context.run_dir / figure)
        return figure
    return figure if grid_figure(context, name, context.run_dir / figure) else None


def stacked_panels(panels, path, title) -> None:
    """One uint8 grid per row of the figure, titled (styles one above the other)."""
    import matplotlib.pyplot as plt

    height, width = panels[0][1].shape[:2]
    inches = 1.6 * width / height
    fig, axes = plt.subplots(len(panels), 1, figsize=(min(max(inches, 6), 12), 1.9 * len(panels) + 0.5))
    for ax, (label, grid) in zip(np.atleast_1d(axes), panels):
        show_grid(ax, grid, label)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _carried_lines(context, names) -> list[str]:
    """A line per variant this run took from another machine's records (``--variants-from``)."""
    lines = []
    for name in names:
        carried = context.done_payload(name).get("carried_from")
        if carried:
            lines.append(
                f"- `{name}` was trained on another machine ({carried['study']} study's "
                f"`{carried['variant']}`, {(carried['trained_seconds'] or 0) / 60:.0f} min on "
                f"{', '.join(carried['hosts']) or 'an unrecorded host'}, with the same "
                "characters, fonts, settings and seeds) and carried here with "
                "`--variants-from`; its glyph accuracy is that run's classifier's.")
    return [*lines, ""] if lines else []


def write_report(context) -> None:
    """Render the grids and ``report.md`` from the stages' records (the data and
    classifier stages' ``done.json``, every variant's seed results) and ``claims.json``."""
    config = context.settings
    data = context.done_payload(DATA_STAGE)
    classifier = context.done_payload(CLASSIFIER_STAGE)
    fonts = data["target_fonts"]
    names = list(study_variants(config.study, config))
    summaries = {n: summarise(seed_results(context, n), fonts) for n in names}
    figures = [f for f in (_report_grid(context, n) for n in names) if f]
    identity = {m: float(np.mean([data["identity"][s][m] for s in fonts])) for m in ("l1", "ssim")}
    digits = {"l1": 3, "ssim": 3, "accuracy": 2, "style_spread": 5}
    accuracy_works = classifier["real_accuracy"] >= MIN_CLASSIFIER_ACCURACY

    def cell(name, metric):
        if metric == "accuracy" and not accuracy_works:
            return "unavailable"
        return mean_sd_cell(summaries[name]["overall"][metric], digits[metric])

    rows = [[n, *(cell(n, m) for m in (*METRICS, "style_spread"))] for n in names]
    target_spread = seed_results(context, names[0])[0]["scores"]["style_spread"]["targets"]
    rows.append(["identity baseline (output = source)", f"{identity['l1']:.3f}",
                 f"{identity['ssim']:.3f}", "", "0"])
    floor = data.get("style_agnostic_floor")
    if floor:
        rows.append(["style-agnostic floor (per-pixel median of the targets over styles)",
                     f"{floor['l1']:.3f}", "", "", "0"])
    rows.append(["real target glyphs", "0", "1", f"{classifier['real_accuracy']:.2f}",
                 f"{target_spread:.3f}"])
    style_rows = [[n, s, *(f"{summaries[n]['per_style'][s][m]:.3f}" for m in METRICS),
                   f"{data['identity'][s]['l1']:.3f}"] for n in names for s in fonts]
    claim_rows = read_claim_rows(context.run_dir)
    lines = [
        f"# Document 000: zi2zi at 64x64, study `{config.study}`", "",
        f"Source font(s): {', '.join(data['source_fonts'])}; target styles: {', '.join(fonts)}. "
        f"{data['charset_size']} characters in the charset; {len(data['train_chars'])} for "
        f"training, {len(data['held_out_chars'])} held out (never trained on) and scored here.",
        "",
        "Scores on held-out characters against the true target glyph, averaged over the "
        f"styles: mean L1 (pixels in [-1, 1]; lower is better), SSIM (higher is better) and "
        f"the accuracy of a glyph classifier trained on the real target fonts' renders "
        f"({classifier['classes']} glyph classes: homoglyphs such as Latin A and Cyrillic А, "
        f"identical in every target font, share one). Mean ± sd over {config.seeds} seed(s); "
        f"preset `{config.preset}`, {config.epochs} epochs, batch {config.batch_size}.",
        "",
        context.tables.table("variants", ["variant", "L1", "SSIM", "accuracy", "style spread"],
                             rows), "",
        *_carried_lines(context, names),
        *([f"Glyph accuracy is unavailable for this charset: the classifier reaches only "
           f"{classifier['real_accuracy']:.3f} on the real renders (below "
           f"{MIN_CLASSIFIER_ACCURACY}), so its verdict on generated glyphs would mean "
           "nothing.", ""] if not accuracy_works else []),
        "The style-agnostic floor is the held-out L1 of the per-pixel median of the true "
        "target glyphs over the styles: no model that ignores the style id can beat it on "
        "average.", "",
        "Style spread: the mean distance of each style's output from the mean over styles, "
        "for the same held-out characters; 0 means the model ignores the style id. The real "
        "target fonts' spread is the reference.", "",
        "## The report's claims, checked", "",
        context.tables.table("claims", ["claim", "verdict", "measured"],
                             [list(row) for row in claim_rows]), "",
        "A comparison needs both variants trained (held-out L1 below the identity "
        f"baseline's) and several seeds. \"Adds little\": held-out L1 within the larger of "
        f"{LITTLE_L1_FRACTION:.0%} of the base's and the two seed spreads (sd_a + sd_b), SSIM "
        f"within the larger of {LITTLE_SSIM} and theirs; \"better\": L1 falls beyond that "
        "margin. The style claim: how often a glyph generated under a style is nearer its "
        "own style's true glyph than every other style's, against the 1/K a style-blind "
        "output scores (two binomial standard errors); judged on the variant with the most "
        "updates. The style-agnostic floor is a baseline, not a condition: L1 rewards blur.",
        "",
        *(f"![{f}]({f})" for f in figures), "",
        "## Per style", "",
        context.tables.table("per_style", ["variant", "style", "L1", "SSIM", "accuracy",
                                          "identity L1"], style_rows),
        "", "## Configuration", "", "```json", json.dumps(context.config, indent=2, sort_keys=True),
        "```", "", "## Versions", "",
    ]
    lines += environment_lines(context.environment(), config.seed)
    say(f"  wrote {context.write_report(lines)}")
