"""The zi2zi report's claims (document 000), decided from the variants' held-out scores."""

from __future__ import annotations

import json

import numpy as np

from reproductions.runner import RESULT_FILE, claims_from_rows, say, seed_folders, write_claims
from reproductions.runner.verdicts import (
    CONTRADICTED,
    INCONCLUSIVE,
    TRAINED,
    UNTESTED,
    Precondition,
    decide,
    directional,
    kind_of,
    no_difference,
    verdict,
)
from reproductions.zi2zi.config import (
    CLASSIFIER_STAGE,
    DATA_STAGE,
    LITTLE_L1_FRACTION,
    LITTLE_SSIM,
    study_variants,
)

METRICS = ("l1", "ssim", "accuracy")


STYLE_CLAIM = "zi2zi transfers the style: its output is nearest the true glyph of its style id"


#: below this accuracy on the real renders the glyph classifier says nothing about the
#: generated ones (at a CJK charset's size it reached chance), so no accuracy is printed
MIN_CLASSIFIER_ACCURACY = 0.5


CLAIMS = {
    "style": STYLE_CLAIM,
    "l1": "A higher L1 weight gives better glyphs (10 -> 10,000)",
    "epochs": "Three times the epochs adds little",
    "samples": "Three times the training characters adds little",
    "sources": "Three source fonts instead of one add little",
    "depth": "A larger (here: twice as wide) network adds little",
}


def summarise(results: list[dict], styles) -> dict:
    """{metric: (mean, sd)} over seeds of the style-averaged held-out scores (and of the
    style spread), and per style."""
    per_seed = {m: [np.mean([r["scores"][s][m] for s in styles]) for r in results]
                for m in METRICS}
    per_seed["style_spread"] = [r["scores"]["style_spread"]["generated"] for r in results]
    per_style = {s: {m: float(np.mean([r["scores"][s][m] for r in results])) for m in METRICS}
                 for s in styles}
    return {"overall": {m: (float(np.mean(v)), float(np.std(v, ddof=1)) if len(v) > 1 else 0.0)
                        for m, v in per_seed.items()}, "per_style": per_style}


def mean_sd_cell(mean_sd, digits=3) -> str:
    mean, sd = mean_sd
    return f"{mean:.{digits}f} ± {sd:.{digits}f}" if sd else f"{mean:.{digits}f}"


SPREAD = "the two variants' seed spreads, sd_a + sd_b"
#: document 000 trained zi2zi 100 epochs on 1,000 characters at zi2zi's batch 16, two
#: generator updates per step
DOCUMENT_GENERATOR_UPDATES = 2 * 100 * -(-1000 // 16)
STYLE_SIGMAS = 2.0


def judge_claim(study: str, summaries: dict, identity_l1: float | None = None,
                seeds: int = 1, accuracy_works: bool = True) -> tuple[str, str]:
    """("VERDICT: reason", measured) of the document's claim for ``study`` from the
    variant summaries (first variant = base, last = the change the document tried).

    Precondition: both variants trained, their held-out L1 below the identity baseline's
    (output = source). "Adds little": held-out L1 within the larger of 5% of the base and
    the two seed spreads, and SSIM within the larger of 0.02 and theirs (supported),
    else contradicted. "Better" (study ``l1``): L1 falls beyond the larger of 5% and the
    spreads (supported), rises beyond it (contradicted), else inconclusive. One seed
    measures no spread: inconclusive. The glyph accuracy is left out of the numbers when
    the classifier fails on the real renders (``accuracy_works`` False): an unavailable
    metric never shows as a number.
    """
    names = list(summaries)
    base, changed = summaries[names[0]]["overall"], summaries[names[-1]]["overall"]
    l1_change = (changed["l1"][0] - base["l1"][0]) / base["l1"][0]
    measured = (f"{names[-1]} vs {names[0]}: held-out L1 {mean_sd_cell(base['l1'])} -> "
                f"{mean_sd_cell(changed['l1'])} ({l1_change:+.1%}), SSIM "
                f"{mean_sd_cell(base['ssim'])} -> {mean_sd_cell(changed['ssim'])}"
                + (f", accuracy {base['accuracy'][0]:.2f} -> {changed['accuracy'][0]:.2f}"
                   if accuracy_works else ", glyph accuracy unavailable"))
    untrained = [n for n in names if identity_l1 is not None
                 and summaries[n]["overall"]["l1"][0] >= identity_l1]
    trained = Precondition(TRAINED, not untrained,
                           f"{', '.join(untrained)}: held-out L1 not below the identity "
                           f"baseline's {identity_l1 if identity_l1 is not None else 0:.3f} "
                           "(output = source)")

    def test():
        if seeds < 2:
            return verdict(INCONCLUSIVE, "one seed: the spread between seeds is not measured")
        l1_margin = max(LITTLE_L1_FRACTION * base["l1"][0], base["l1"][1] + changed["l1"][1])
        ssim_margin = max(LITTLE_SSIM, base["ssim"][1] + changed["ssim"][1])
        source = (f"the larger of {LITTLE_L1_FRACTION:.0%} of the base's L1 (SSIM: "
                  f"{LITTLE_SSIM}) and {SPREAD}")
        if study == "l1":
            return directional(base["l1"][0] - changed["l1"][0], l1_margin,
                               margin_source=source)
        l1 = no_difference(changed["l1"][0] - base["l1"][0], l1_margin, margin_source=source)
        ssim = no_difference(changed["ssim"][0] - base["ssim"][0], ssim_margin,
                             margin_source=source)
        return l1 if kind_of(l1) == CONTRADICTED else ssim
    return decide([trained], test), measured


def style_claim(nearest: dict | None, floor_l1: float | None, l1: tuple) -> tuple[str, str]:
    """("VERDICT: reason", measured) of "zi2zi transfers the style" from the nearest-style
    rate (:func:`mitlgan.metrics.glyphs.nearest_style_rate`, mean over seeds): above the
    1/K a style-blind output scores by :data:`STYLE_SIGMAS` binomial standard errors of
    1/K over the pairs (supported), below by as much (contradicted), else inconclusive.
    The style-agnostic floor is reported beside it, not required."""
    if not nearest:
        return (verdict(UNTESTED, "one target style: nothing to tell apart, or a run made "
                                  "before the nearest-style test"), "")
    chance, pairs = nearest["chance"], nearest["pairs"]
    error = STYLE_SIGMAS * float(np.sqrt(chance * (1 - chance) / pairs))
    measured = (f"nearest-style rate {nearest['rate']:.3f} against {chance:.3f} for a "
                f"style-blind output ({pairs} held-out glyphs); held-out L1 "
                f"{mean_sd_cell(l1)}"
                + (f", the style-agnostic floor {floor_l1:.3f}" if floor_l1 else ""))
    return directional(nearest["rate"] - chance, error,
                       margin_source=f"{STYLE_SIGMAS:g} binomial standard errors of "
                                     f"{chance:.2f} over {pairs} glyphs"), measured


def style_variant(names, results_by_name) -> str:
    """The variant the style claim is judged on: the one with the most training steps
    (the report's budget), the first of equals."""
    steps = {n: np.mean([r["train_steps"] for r in results_by_name[n]] or [0]) for n in names}
    return max(names, key=lambda n: (steps[n], -names.index(n)))


def seed_results(context, name: str) -> list[dict]:
    """The ``result.json`` of every seed of variant ``name``, in seed order."""
    return [json.loads((folder / RESULT_FILE).read_text())
            for folder in seed_folders(context.stage_dir(name))]


def data_wording(fonts: str, data: dict) -> str:
    """What the board's data column says of a run: the Latin stand-in by name, or the
    Chinese characters and fonts of a ``--fonts cjk`` run (document 000 names no font,
    so a Chinese run is on the document's kind of data, not a stand-in for it)."""
    if fonts == "default":
        return "Latin glyphs of matplotlib's DejaVu and STIX fonts for Chinese characters"
    return (f"{data['charset_size']:,} Chinese characters, {', '.join(data['source_fonts'])}"
            f" to {', '.join(data['target_fonts'])} (the document names none of its fonts)")


def decide_claims(context) -> list[tuple[str, str, str]]:
    """Decide the study's claims from its variants' held-out scores (over seeds) and
    the data stage's baselines, and write ``claims.json`` with the run's budget;
    returns the rows (the study's comparison, then the style claim)."""
    settings = context.settings
    data = context.done_payload(DATA_STAGE)
    fonts = data["target_fonts"]
    names = list(study_variants(settings.study, settings))
    results = {n: seed_results(context, n) for n in names}
    summaries = {n: summarise(results[n], fonts) for n in names}
    floor = data.get("style_agnostic_floor")
    comparison = len(names) > 1  # the style study has one variant: no comparison
    identity_l1 = float(np.mean([data["identity"][f]["l1"] for f in fonts]))
    accuracy_works = (context.done_payload(CLASSIFIER_STAGE)["real_accuracy"]
                      >= MIN_CLASSIFIER_ACCURACY)
    result, measured = (judge_claim(settings.study, summaries, identity_l1, settings.seeds,
                                    accuracy_works) if comparison else ("", ""))
    base = style_variant(names, results)
    rates = [r["scores"]["nearest_style"] for r in results[base] if "nearest_style" in r["scores"]]
    nearest = ({**rates[0], "rate": float(np.mean([r["rate"] for r in rates]))}
               if rates else None)
    style = (STYLE_CLAIM, *style_claim(nearest, floor["l1"] if floor else None,
                                       summaries[base]["overall"]["l1"]))
    if style[2]:
        style = (style[0], style[1], f"{base}: {style[2]}")
    claim_rows = ([(CLAIMS[settings.study], result, measured)] if comparison else []) + [style]
    steps = [r["train_steps"] for r in results[base]]
    write_claims(context, claims_from_rows("000", claim_rows), {
        "updates": int(2 * np.mean(steps)) if steps else None,
        "discriminator_updates": int(np.mean(steps)) if steps else None,
        "epochs": settings.epochs, "train_chars": len(data["train_chars"]),
        "seeds": settings.seeds, "report": "6,400 generator updates (the report's port)"},
        data=data_wording(settings.fonts, data),
        share=(2 * np.mean(steps) / DOCUMENT_GENERATOR_UPDATES) if steps else None,
        share_of=f"the document's {DOCUMENT_GENERATOR_UPDATES:,} generator updates (zi2zi's "
                 "100 epochs of 1,000 characters at batch 16, two generator steps each)")
    for claim, claim_verdict, numbers in claim_rows:
        say(f"  {claim}: {claim_verdict} ({numbers})")
    return claim_rows
