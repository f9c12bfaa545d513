"""The thesis's claims (chapters 7.3-8), each marked by the numbers this run measured.

- "Can MITLGAN be used to improve on the early training process of a GAN": the head's
  first evaluation against the WGAN's, at equal epochs and at equal compute;
- "and can really combine the already pretrained models' features": the part
  attribution score, above the 0.5 of a generator whose two latents both change
  every pixel by at least :data:`ATTRIBUTION_MARGIN`;
- Table 7.4, "almost all of the scores are essentially the same": the final FIDs of
  the WGAN and the head within :data:`SAME_FID_FRACTION` of each other.

One seed: the margins are stated, not measured over seeds.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from reproductions.mitlgan.config import ATTRIBUTION_FILE, LEADS_FILE, trained_models
from reproductions.runner import DONE_FILE, claims_from_rows, write_claims

ATTRIBUTION_MARGIN = 0.1
SAME_FID_FRACTION = 0.05  # the thesis's pairs differ by 1-2%
HEADS = {"MITLGAN (thesis head)": "thesis", "MITLGAN (corrected head)": "corrected"}


def _verdict(value) -> str:
    if value is None:
        return "untested: no evaluation at that point"
    return "supported" if value else "not supported"


def thesis_claims(results: list[dict], leads: dict, attribution: dict,
                  dataset: str = "synthetic") -> list[tuple]:
    """[(claim, verdict, numbers)] for every MITLGAN head this run trained.

    Args:
        results: ``fid.csv`` rows (model, backbone, fid, ...); each model's scene-judge
            row is compared where there is one, else its first row.
        leads: {model: :func:`reproductions.mitlgan.curves.early_lead` dict}.
        attribution: {model: {"score": ...}} (empty without the scene judge).
        dataset: the run's dataset; on the synthetic scenes the thesis's own datasets
            get a row saying why they are not tested.
    """
    final = {}
    # the scene judge measures content; an untrained backbone's FIDs compare with nothing
    judged = [row for row in results if row["backbone"].startswith("scene-judge")]
    for row in judged or results:
        final.setdefault(row["model"], row)
    wgan = final.get("WGAN")
    out = []
    for model, head in HEADS.items():
        if model not in final:
            continue
        lead = leads.get(model) or {}
        out.append((f"The MITLGAN {head} head is ahead of the WGAN early, at equal epochs",
                    _verdict(lead.get("lead_at_epochs")),
                    f"FID at epoch {lead.get('epoch')}: head {lead.get('candidate', float('nan')):.1f}, "
                    f"WGAN {lead.get('baseline_at_epoch') or float('nan'):.1f}"))
        out.append((f"The MITLGAN {head} head is ahead of the WGAN early, at equal compute",
                    _verdict(lead.get("lead_at_flops")),
                    f"head's first FID {lead.get('candidate', float('nan')):.1f} against the "
                    f"WGAN's best within the same FLOPs "
                    f"{lead.get('baseline_at_flops') or float('nan'):.1f}"))
        if model in attribution:
            score = attribution[model]["score"]
            out.append((f"The MITLGAN {head} head combines its two parts' features",
                        _verdict(score >= 0.5 + ATTRIBUTION_MARGIN),
                        f"part attribution {score:.3f} (0.5: no separation; "
                        f"{0.5 + ATTRIBUTION_MARGIN:.1f} or more counts)"))
        else:
            out.append((f"The MITLGAN {head} head combines its two parts' features",
                        "untested: part attribution needs the synthetic scenes' segmenter", ""))
        if wgan is not None:
            ours, theirs = float(final[model]["fid"]), float(wgan["fid"])
            close = abs(ours - theirs) <= SAME_FID_FRACTION * max(abs(theirs), 1e-12)
            out.append((f"The final FIDs of the WGAN and the MITLGAN {head} head are "
                        "essentially the same",
                        _verdict(close),
                        f"{final[model]['backbone']}: head {ours:.1f}, WGAN {theirs:.1f} "
                        f"(within {SAME_FID_FRACTION:.0%} counts)"))
    if dataset == "synthetic":
        out.append(("The MITLGAN trains on real faces, anime faces and pokemon (Table 7.4)",
                    "untested: the thesis's datasets (Kaggle and image searches) cannot be "
                    "had offline; datasets/ says how to prepare them for --dataset", ""))
    return out


def _budget(settings, run_dir: Path) -> dict:
    """Generator updates per trained stage (their ``done.json``) and the data."""
    steps = {stage: json.loads((run_dir / stage / DONE_FILE).read_text()).get("train_steps")
             for _, stage, _ in trained_models(settings)}
    return {"updates": steps, "images": settings.n_images, "image_size": settings.image_size,
            "seeds": 1, "dataset": settings.dataset, "backbone": settings.backbone,
            "report": "86 epochs per model on the thesis's datasets at 128x128"}


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
    claims = thesis_claims(results, leads, attribution, settings.dataset)
    write_claims(context, claims_from_rows("004", claims), _budget(settings, run_dir))
    return claims
