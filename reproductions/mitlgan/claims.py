"""The thesis's claims (chapters 7.3-8), each marked by the numbers this run measured.

- "Can MITLGAN be used to improve on the early training process of a GAN" (a question,
  answered yes / no / inconclusive): the head's first evaluation against the WGAN's, at
  equal epochs and at equal compute, beyond :data:`SAME_FID_FRACTION` of the WGAN's FID;
- "and can really combine the already pretrained models' features": the part
  attribution score above the 0.5 of no separation by :data:`ATTRIBUTION_SIGMAS`
  standard errors over its latent pairs (undefined where the segmenter finds nothing);
- Table 7.4, "almost all of the scores are essentially the same": the final FIDs of
  the WGAN and the head within :data:`SAME_FID_FRACTION` of each other.

Scores from an untrained network decide nothing (*untested*). One seed: the FID margin
is stated, not measured over seeds.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from reproductions.mitlgan.config import ATTRIBUTION_FILE, LEADS_FILE, trained_models
from reproductions.runner import DONE_FILE, claims_from_rows, write_claims
from reproductions.runner.verdicts import (
    COMPARABLE,
    INCONCLUSIVE,
    METRIC_DEFINED,
    NOT_REACHED,
    PRECONDITION_KINDS,
    UNTESTED,
    Precondition,
    decide,
    directional,
    no_difference,
    verdict,
)

SAME_FID_FRACTION = 0.05  # the thesis's pairs differ by 1-2%
THESIS_POKEMON_IMAGES = 2534  # its largest part (DESIGN: the parts hold 1,758-2,534)
FID_MARGIN = ("5% of the WGAN's FID (a convention: the thesis's Table 7.4 pairs differ by "
              "1-2%; one seed, no measured spread)")
ATTRIBUTION_SIGMAS = 2.0
HEADS = {"MITLGAN (thesis head)": "thesis", "MITLGAN (corrected head)": "corrected"}
#: Table 7.4: (WGAN FID, MITLGAN FID) per thesis dataset, as ``--dataset`` names them
THESIS_TABLE_7_4 = {"faces": (1464.5657, 1494.6489), "anime": (2083.7969, 2101.5293),
                    "pokemon": (2571.0357, 2609.1826)}
THESIS_DATASETS = tuple(THESIS_TABLE_7_4)
#: backbones whose FIDs compare with nothing: an untrained InceptionV3
UNTRAINED_BACKBONES = ("random",)


def _comparable(backbone: str) -> Precondition:
    return Precondition(COMPARABLE, not any(backbone.startswith(b) for b in UNTRAINED_BACKBONES),
                        f"the scores come from `{backbone}`, an untrained network")


def _early(lead: dict, axis: str) -> str:
    """Is the head's first FID below the WGAN's at equal epochs (or equal FLOPs)?"""
    baseline = lead.get("baseline_at_epoch" if axis == "epochs" else "baseline_at_flops")
    candidate = lead.get("candidate")
    if not lead or baseline is None or candidate is None:
        return verdict(NOT_REACHED, f"{PRECONDITION_KINDS[METRIC_DEFINED]} (no WGAN score "
                                    f"at that point of the {axis} axis)")
    return directional(baseline - candidate, SAME_FID_FRACTION * abs(baseline),
                       margin_source=FID_MARGIN)


def _attribution(score: dict) -> str:
    """Above the 0.5 of no separation by more than two standard errors of the score over
    its latent pairs; undefined when the segmenter finds no foreground."""
    defined = Precondition(METRIC_DEFINED, score.get("foreground_fraction", 1.0) >= 0.01,
                           f"the segmenter finds a foreground in "
                           f"{score.get('foreground_fraction', 0):.1%} of the pixels: the "
                           "score is 0.5 by construction")
    se = score.get("score_se")

    def test():
        if not se:
            return verdict(INCONCLUSIVE, "no spread over the latent pairs was recorded")
        return directional(score["score"] - 0.5, ATTRIBUTION_SIGMAS * se,
                           margin_source=f"{ATTRIBUTION_SIGMAS:g} standard errors over its "
                                         f"{score.get('n')} latent pairs")
    return decide([defined], test)


def thesis_claims(results: list[dict], leads: dict, attribution: dict,
                  dataset: str = "synthetic", curve_backbone: str = "scene-judge",
                  curves: list[dict] | None = None) -> list[tuple]:
    """[(claim, "VERDICT: reason", numbers)] for every MITLGAN head this run trained.

    Args:
        results: ``fid.csv`` rows (model, backbone, fid, ...); each model's scene-judge
            row is compared where there is one, else its first row.
        leads: {model: :func:`reproductions.mitlgan.curves.early_lead` dict}.
        attribution: {model: {"score", "score_se", "n", "foreground_fraction"}} (empty
            without the scene judge).
        dataset: the run's dataset; on the synthetic scenes the thesis's own datasets
            get a row saying why they are not tested.
        curve_backbone: the features of the curves behind ``leads``.
        curves: ``curves.csv`` rows (model, epoch, fid) for Table 7.4's "trains" row.
    """
    final = {}
    judged = [row for row in results if str(row["backbone"]).startswith("scene-judge")]
    for row in judged or results:
        final.setdefault(row["model"], row)
    wgan = final.get("WGAN")
    curves_comparable = _comparable(curve_backbone)
    out = []
    for model, head in HEADS.items():
        if model not in final:
            continue
        lead = leads.get(model) or {}
        nan = float("nan")
        out.append((f"Is the MITLGAN {head} head ahead of the WGAN early, at equal epochs?",
                    decide([curves_comparable], lambda lead=lead: _early(lead, "epochs")),
                    f"FID at epoch {lead.get('epoch')}: head {lead.get('candidate', nan):.1f}, "
                    f"WGAN {lead.get('baseline_at_epoch') or nan:.1f}"))
        out.append((f"Is the MITLGAN {head} head ahead of the WGAN early, at equal compute?",
                    decide([curves_comparable], lambda lead=lead: _early(lead, "compute")),
                    f"head's first FID {lead.get('candidate', nan):.1f} against the WGAN's "
                    f"best within the same FLOPs {lead.get('baseline_at_flops') or nan:.1f}"))
        claim = f"The MITLGAN {head} head combines its two parts' features"
        if model in attribution:
            score = attribution[model]
            out.append((claim, _attribution(score),
                        f"part attribution {score['score']:.3f}"
                        + (f" ± {score['score_se']:.3f}" if score.get("score_se") else "")
                        + " (0.5: no separation)"))
        else:
            out.append((claim, verdict(UNTESTED, "part attribution needs the synthetic "
                                                 "scenes' segmenter"), ""))
        if wgan is not None:
            ours, theirs = float(final[model]["fid"]), float(wgan["fid"])
            out.append((f"The final FIDs of the WGAN and the MITLGAN {head} head are "
                        "essentially the same",
                        decide([_comparable(str(final[model]["backbone"]))],
                               lambda ours=ours, theirs=theirs: no_difference(
                                   ours - theirs, SAME_FID_FRACTION * max(abs(theirs), 1e-12),
                                   margin_source=FID_MARGIN)),
                        f"{final[model]['backbone']}: head {ours:.1f}, WGAN {theirs:.1f}"))
    out += table_7_4_claims(final, curves or [], dataset, curve_backbone)
    return out


def _first_and_last(curves: list[dict], model: str) -> tuple[float, float] | None:
    fids = [(int(row["epoch"]), float(row["fid"])) for row in curves if row["model"] == model]
    return (min(fids)[1], max(fids)[1]) if len(fids) >= 2 else None


def table_7_4_claims(final: dict, curves: list[dict], dataset: str,
                     curve_backbone: str) -> list[tuple]:
    """Table 7.4's two rows for the thesis head (the thesis's MITLGAN): does it train on
    the thesis's datasets (its curve FID falls from the first to the last evaluation by
    more than :data:`SAME_FID_FRACTION` of the first), and is the WGAN's final FID below
    its own. A run on one of the thesis's datasets decides them for that dataset only and
    says so; on the synthetic scenes both are *untested*.

    Args:
        final: {model: its ``fid.csv`` row}; curves: ``curves.csv`` rows (model, epoch,
            fid); dataset: the run's; curve_backbone: the features of the curves.
    """
    trains = "The MITLGAN trains on real faces, anime faces and pokemon (Table 7.4)"
    below = "The WGAN FID is below the MITLGAN FID on all three datasets (Table 7.4)"
    if dataset not in THESIS_DATASETS:
        why = verdict(UNTESTED, "the thesis's datasets (Kaggle and image searches) cannot be "
                                "had offline; datasets/ says how to prepare them for --dataset")
        return [(trains, why, ""), (below, why, "")]
    others = "; ".join(f"{name}: `python -m reproductions.mitlgan --dataset {name} --preset "
                       "hour`" for name in THESIS_DATASETS if name != dataset)
    partial = (f"; {dataset} only, a partial test: the thesis's other datasets are untested "
               f"here ({others})")
    head, corrected = "MITLGAN (thesis head)", "MITLGAN (corrected head)"
    out = []
    span = _first_and_last(curves, head)
    if span is not None:
        first, last = span
        fell = decide([_comparable(curve_backbone)], lambda: directional(
            first - last, SAME_FID_FRACTION * abs(first),
            margin_source="5% of its first FID (a convention; one seed, no measured spread)"))
        other = _first_and_last(curves, corrected)
        out.append((trains, fell + partial,
                    f"{dataset}: thesis head's curve FID {first:.1f} at its first evaluation, "
                    f"{last:.1f} at its last" + (f"; corrected head {other[0]:.1f} -> "
                                                 f"{other[1]:.1f}" if other else "")))
    if head in final and "WGAN" in final:
        ours, theirs = float(final[head]["fid"]), float(final["WGAN"]["fid"])
        lower = decide([_comparable(str(final[head]["backbone"]))], lambda: directional(
            ours - theirs, SAME_FID_FRACTION * abs(theirs), margin_source=FID_MARGIN))
        extra = (f", corrected head {float(final[corrected]['fid']):.1f}"
                 if corrected in final else "")
        out.append((below, lower + partial,
                    f"{dataset}, {final[head]['backbone']}: WGAN {theirs:.1f}, thesis head "
                    f"{ours:.1f}{extra} (the thesis's WGAN {THESIS_TABLE_7_4[dataset][0]:.1f} "
                    f"against its MITLGAN {THESIS_TABLE_7_4[dataset][1]:.1f})"))
    return out


def _budget(settings, run_dir: Path) -> dict:
    """Generator updates per trained stage (their ``done.json``) and the data."""
    steps = {stage: json.loads((run_dir / stage / DONE_FILE).read_text()).get("train_steps")
             for _, stage, _ in trained_models(settings)}
    return {"updates": steps, "images": settings.n_images, "image_size": settings.image_size,
            "seeds": 1, "dataset": settings.dataset, "backbone": settings.backbone,
            "report": "86 epochs per model on the thesis's datasets at 128x128"}


def _provenance(dataset: str, args) -> str:
    from mitlgan.data.from_packages import provenance

    made = provenance(dataset, getattr(args, "data_root", None))
    return f" ({made})" if made else ""


def decide_claims(context) -> list[tuple]:
    """Decide the thesis's claims from the evaluation's records (``fid.csv``,
    ``evaluation/early_leads.json``, ``evaluation/part_attribution.json``) and write
    ``claims.json`` with the run's budget; returns the rows."""
    run_dir, settings = context.run_dir, context.settings
    with open(run_dir / "fid.csv", newline="") as handle:
        results = list(csv.DictReader(handle))
    evaluation = run_dir / "evaluation"
    leads = json.loads((evaluation / LEADS_FILE).read_text())
    attribution_path = evaluation / ATTRIBUTION_FILE
    attribution = json.loads(attribution_path.read_text()) if attribution_path.is_file() else {}
    curve_backbone = "scene-judge" if settings.dataset == "synthetic" else settings.backbone
    curves_path = run_dir / "curves.csv"
    curves = (list(csv.DictReader(curves_path.read_text().splitlines()))
              if curves_path.is_file() else [])
    claims = thesis_claims(results, leads, attribution, settings.dataset, curve_backbone,
                           curves)
    budget = _budget(settings, run_dir)
    thesis_updates = 86 * -(-THESIS_POKEMON_IMAGES // 32)
    ours = max((v or 0) for v in budget["updates"].values()) if budget["updates"] else 0
    write_claims(context, claims_from_rows("004", claims), budget,
                 data=(f"synthetic scenes at {settings.image_size}x{settings.image_size} for "
                       "the thesis's datasets at 128x128" if settings.dataset == "synthetic"
                       else f"{settings.dataset} at {settings.image_size}x{settings.image_size}"
                       + _provenance(settings.dataset, context.args)),
                 share=ours / thesis_updates * (settings.image_size / 128) ** 2,
                 share_of=f"the thesis's pokemon run: 86 epochs of {THESIS_POKEMON_IMAGES:,} "
                          f"images at batch 32 ({thesis_updates:,} updates a model) at "
                          "128x128 (updates x pixels)")
    return claims
