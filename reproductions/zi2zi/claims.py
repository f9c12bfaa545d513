"""The zi2zi report's claims (document 000), decided from the variants' held-out scores."""

from __future__ import annotations

import json

import numpy as np

from reproductions.runner import RESULT_FILE, claims_from_rows, say, seed_folders, write_claims
from reproductions.zi2zi.config import (
    DATA_STAGE,
    LITTLE_L1_FRACTION,
    LITTLE_SSIM,
    MIN_SEEDS_FOR_MARGIN,
    study_variants,
)

METRICS = ("l1", "ssim", "accuracy")


STYLE_CLAIM = "zi2zi transfers the style: its output depends on the style id"


STYLE_SHARE = 1 / 3  # of the real fonts' style spread


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


def judge_claim(study: str, summaries: dict) -> tuple[str, str]:
    """(verdict, measured) of the report's claim for ``study`` from the variant summaries
    (first variant = base, last = the change the report tried).

    "Adds little": a difference counts only when it passes its threshold (L1 by 5%, SSIM
    by 0.02) and the two variants' seed spreads together (sd_a + sd_b; 0 with one seed).
    "Better" (study ``l1``): L1 falls by 5% and by more than the spread, and SSIM rises."""
    names = list(summaries)
    base, changed = summaries[names[0]]["overall"], summaries[names[-1]]["overall"]
    l1_change = (changed["l1"][0] - base["l1"][0]) / base["l1"][0]
    ssim_change = changed["ssim"][0] - base["ssim"][0]
    beyond_spread = {m: abs(changed[m][0] - base[m][0]) > base[m][1] + changed[m][1]
                     for m in ("l1", "ssim")}
    measured = (f"{names[-1]} vs {names[0]}: held-out L1 {mean_sd_cell(base['l1'])} -> "
                f"{mean_sd_cell(changed['l1'])} ({l1_change:+.1%}), SSIM {mean_sd_cell(base['ssim'])} -> "
                f"{mean_sd_cell(changed['ssim'])}, accuracy {base['accuracy'][0]:.2f} -> "
                f"{changed['accuracy'][0]:.2f}")
    if study == "l1":
        helps = l1_change <= -LITTLE_L1_FRACTION and ssim_change > 0
        if helps and not beyond_spread["l1"]:
            return "not supported (within the spread between seeds)", measured
        return ("supported" if helps else "not supported"), measured
    past_threshold = {"l1": abs(l1_change) >= LITTLE_L1_FRACTION,
                      "ssim": abs(ssim_change) >= LITTLE_SSIM}
    if not any(past_threshold.values()):
        return "supported", measured
    if any(past_threshold[m] and beyond_spread[m] for m in past_threshold):
        return "not supported", measured
    return "supported (the difference is within the spread between seeds)", measured


def style_claim_holds(summary: dict, target_spread: float, floor_l1: float | None) -> bool:
    """The style claim on one variant's summary: its style spread at least
    ``STYLE_SHARE`` of the real fonts' and its held-out L1 below the style-agnostic floor,
    each by one seed sd (0 with one seed)."""
    spread, spread_sd = summary["style_spread"]
    l1, l1_sd = summary["l1"]
    return spread - spread_sd >= STYLE_SHARE * target_spread and (
        floor_l1 is None or l1 + l1_sd < floor_l1)


def style_variant(names, results_by_name) -> str:
    """The variant the style claim is judged on: the one with the most training steps
    (the report's budget), the first of equals."""
    steps = {n: np.mean([r["train_steps"] for r in results_by_name[n]] or [0]) for n in names}
    return max(names, key=lambda n: (steps[n], -names.index(n)))


def seed_results(context, name: str) -> list[dict]:
    """The ``result.json`` of every seed of variant ``name``, in seed order."""
    return [json.loads((folder / RESULT_FILE).read_text())
            for folder in seed_folders(context.stage_dir(name))]


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
    target_spread = results[names[0]][0]["scores"]["style_spread"]["targets"]
    floor = data.get("style_agnostic_floor")
    comparison = len(names) > 1  # the style study has one variant: no comparison
    verdict, measured = judge_claim(settings.study, summaries) if comparison else ("", "")
    if comparison and settings.seeds == 1:
        verdict += " (1 seed: no margin over seed noise)"
    elif comparison and settings.seeds < MIN_SEEDS_FOR_MARGIN:
        verdict += f" ({settings.seeds} seeds: a margin too rough to trust)"
    base = style_variant(names, results)
    overall = summaries[base]["overall"]
    style_claim = (STYLE_CLAIM,
                   "supported" if style_claim_holds(overall, target_spread,
                                                    floor["l1"] if floor else None)
                   else "not supported",
                   f"{base}: style spread {mean_sd_cell(overall['style_spread'], 5)} against "
                   f"the real fonts' {target_spread:.3f} (at least {STYLE_SHARE:.2f} of it "
                   f"counts); held-out L1 {mean_sd_cell(overall['l1'])}"
                   + (f" against the style-agnostic floor {floor['l1']:.3f} (it must be lower)"
                      if floor else "")
                   + (" (each by one seed sd)" if overall["l1"][1] else ""))
    claim_rows = ([(CLAIMS[settings.study], verdict, measured)] if comparison else []) + [
        style_claim]
    steps = [r["train_steps"] for r in results[base]]
    write_claims(context, claims_from_rows("000", claim_rows), {
        "updates": int(2 * np.mean(steps)) if steps else None,
        "discriminator_updates": int(np.mean(steps)) if steps else None,
        "epochs": settings.epochs, "train_chars": len(data["train_chars"]),
        "seeds": settings.seeds, "report": "6,400 generator updates (the report's port)"})
    for claim, claim_verdict, numbers in claim_rows:
        say(f"  {claim}: {claim_verdict} ({numbers})")
    return claim_rows
