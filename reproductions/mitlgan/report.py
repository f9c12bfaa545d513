"""Figures and ``report.md`` of the MITLGAN reproduction (counterparts of thesis
Figures 7.1-7.5, Table 7.4 and the appendix grids)."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from reproductions.runner import read_claim_rows
from reproductions.runner.report import TITLE_SIZE, format_number, markdown_table, side_by_side

__all__ = ["format_number", "loss_curves", "markdown_table", "side_by_side", "report_lines"]


def loss_curves(histories_top, histories_bottom, path, loss_columns):
    """Absolute critic and generator losses per epoch (thesis Figure 7.5).

    Args:
        histories_top: list of (title, history dict) for the WGANs (first row).
        histories_bottom: list of (title, history dict) for the MITLGAN (second row).
        path: output PNG path.
        loss_columns: {label: column name} of the losses to draw.
    """
    columns = max(len(histories_top), len(histories_bottom))
    fig, axes = plt.subplots(2, columns, figsize=(4.2 * columns, 6.6), squeeze=False)
    for row, histories in enumerate((histories_top, histories_bottom)):
        for col in range(columns):
            ax = axes[row][col]
            if col >= len(histories):
                ax.axis("off")
                continue
            title, history = histories[col]
            epochs = history.get("epoch")
            for label, column in loss_columns.items():
                if column in history:
                    # history CSVs count epochs from 1
                    x = epochs if epochs is not None else np.arange(1, len(history[column]) + 1)
                    ax.plot(x, np.abs(history[column]), marker="o", markersize=3, label=label)
            ax.set_title(title, fontsize=TITLE_SIZE)
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylabel("|loss|")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
    fig.suptitle("Absolute training losses: WGANs (top), MITLGAN (bottom)", fontsize=TITLE_SIZE + 1)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


THESIS_TABLE_7_4 = {
    "faces": (1464.5657, 1494.6489),
    "anime": (2083.7969, 2101.5293),
    "pokemon": (2571.0357, 2609.1826),
}


def _banner(config) -> list[str]:
    if config.backbone_fallback:
        return [f"> **OFFLINE FALLBACK: {config.backbone_fallback}. Every number in this "
                "report and in fid.csv (column `fallback`) comes from it and compares with "
                "nothing published.**", ""]
    if config.backbone == "random":
        return ["> **Every InceptionV3 FID and KID below comes from an untrained (randomly "
                "initialised) network (`--backbone random`). The numbers compare only with "
                "other runs of this backbone, seed, input size and N, and with nothing "
                "published.**", ""]
    return []


def _fid_section(tables, config, results, judge) -> list[str]:
    lines = ["## FID and KID (cf. thesis Table 7.4)", ""]
    header = ["model", "real images", "backbone", "N", "FID", "KID", "KID std"]
    suffix = " (offline fallback)" if config.backbone_fallback else ""
    rows = [[r["model"], f"{config.dataset}/{r['part']} ({r['n_real']})",
             r["backbone"] + suffix, r["n"], format_number(r["fid"]), format_number(r["kid"]),
             format_number(r["kid_std"])] for r in results]
    lines += [tables.table("fid_kid", header, rows), ""]
    if config.backbone == "keras-imagenet":
        lines.append("Backbone `keras-imagenet`: Keras InceptionV3 with ImageNet weights, the "
                     "thesis's choice. These FIDs are not comparable with published FIDs, "
                     "which use the 2015 FID Inception graph.")
    if config.backbone == "fid-inception":
        lines.append("Backbone `fid-inception/legacy-tf@299`: the 2015-12-05 FID Inception that "
                     "published FIDs use (pytorch-fid, TTUR; installed with `python -m "
                     "mitlgan.metrics.fid_inception install`), with the original's resize. "
                     f"These FIDs compare with published ones at equal N "
                     f"({config.fid_inception_n or config.fid_n} here, "
                     "far below the usual 50,000, which biases FID upwards).")
    if judge is not None:
        lines.append(f"Backbone `{judge.backbone_id}`: the scene judge's 128 penultimate "
                     "features (a classifier of the scenes' drawn factors, trained on scenes "
                     "this run does not evaluate on); it measures content where an untrained "
                     "InceptionV3 measures colour statistics. Held-out accuracy per factor "
                     "(majority-class rate in brackets): " + ", ".join(
                         f"{k} {v['accuracy']:.2f} ({v['majority']:.2f})"
                         for k, v in judge.accuracy.items())
                     + f"; foreground segmenter IoU {judge.mask_iou:.2f}.")
    lines += [f"FIDs compare only at equal N ({config.fid_n}), backbone and input size. "
              "The part WGANs are scored against their own part's real images."]
    if config.dataset in THESIS_TABLE_7_4:
        wgan, mitlgan = THESIS_TABLE_7_4[config.dataset]
        lines += ["", f"The thesis printed FID {wgan} (WGAN) and {mitlgan} (MITLGAN) for this "
                  "dataset; those numbers are far outside FID's usual range and are no target."]
    return lines + ["", "Raw numbers: [fid.csv](fid.csv).", ""]


def _yes_no(value) -> str:
    return "-" if value is None else ("yes" if value else "no")


def _curve_section(tables, config, leads, curve_label) -> list[str]:
    lines = ["## Does the MITLGAN lead early? FID over training", "",
             f"Every {config.eval_every} epoch(s), {config.curve_n} samples from fixed "
             f"latents, features `{curve_label}` (all rows: [curves.csv](curves.csv)). "
             "Cumulative FLOPs are counted from the built models (`mitlgan.flops`); a "
             "MITLGAN's axis starts at what its two part WGANs cost to train.", ""]
    header = ["model", "first scored epoch", "its FID", "WGAN FID at that epoch",
              "leads at equal epochs", "cumulative FLOPs", "best WGAN FID within those FLOPs",
              "leads at equal compute"]
    rows = [[name, lead["epoch"], format_number(lead["candidate"]),
             format_number(lead["baseline_at_epoch"]), _yes_no(lead["lead_at_epochs"]),
             f"{lead['flops']:.3g}", format_number(lead["baseline_at_flops"]),
             _yes_no(lead["lead_at_flops"])] for name, lead in leads.items() if lead]
    return lines + [tables.table("early_lead", header, rows), ""]


def _attribution_section(tables, attribution) -> list[str]:
    if not attribution:
        return ["## Part attribution", "", "No foreground masks for this dataset: see the "
                "latent-swap grid below.", ""]
    header = ["MITLGAN head", "change inside the fg when only z_fg moves",
              "change outside it when only z_bg moves", "score", "pairs",
              "pixels segmented as fg"]
    rows = [[name, f"{a['foreground_share']:.3f}", f"{a['background_share']:.3f}",
             f"**{a['score']:.3f}**", a["n"], f"{a['foreground_fraction']:.3f}"]
            for name, a in attribution.items()]
    empty = [name for name, a in attribution.items() if a["foreground_fraction"] < 0.01]
    notes = ([f"The segmenter finds no creature in the images of {', '.join(empty)} (under 1% "
              "of pixels): there is nothing to attribute, and the score is 0.5 by "
              "construction, not a measured failure to separate.", ""] if empty else [])
    return ["## Does the MITLGAN combine the parts? Part attribution", "",
            "Move one latent and measure where the image changes, against the scene judge's "
            "foreground segmentation of the generated images (`mitlgan.metrics."
            "part_attribution`): 1.0 = each latent changes only its own part, about 0.5 = "
            "either latent changes every pixel alike. The real scenes' sprites cover "
            "about 15% of the pixels.", "",
            tables.table("part_attribution", header, rows), ""] + notes


def report_lines(context, results, figures, environment, *, leads, curve_label,
                 attribution, judge) -> list[str]:
    """The lines of ``report.md``: scores, curves and their verdicts, attribution,
    figures (``context.write_report`` writes them); its tables go through
    ``context.tables``."""
    from reproductions.runner.environment import environment_lines

    tables, config, run_dir = context.tables, context.settings, context.run_dir
    lines = [f"# MITLGAN reproduction: {config.dataset}", ""] + _banner(config)
    from mitlgan.data.from_packages import provenance

    made = provenance(config.dataset, getattr(context.args, "data_root", None))
    if made:  # the pokemon recipe from packages: its combined part is not the thesis's kind
        lines += [f"> **Data: {made}.** See `datasets/pokemon.md`.", ""]
    lines += _fid_section(tables, config, results, judge)
    lines += _curve_section(tables, config, leads, curve_label)
    claims = read_claim_rows(run_dir)
    if claims:
        lines += ["## The thesis's claims, checked", "",
                  "One seed; each verdict's margin is in its row "
                  "(`reproductions/mitlgan/claims.py`).", "",
                  tables.table("claims", ["claim", "verdict", "measured"], list(claims)), ""]

    def image(key, caption):
        if key in figures:
            rel = figures[key].relative_to(run_dir).as_posix()
            return [f"![{caption}]({rel})", ""]
        return []

    lines += image("curves", "Metrics over training, epochs and FLOPs")
    lines += _attribution_section(tables, attribution)
    lines += image("swap", "Latent swap grids")
    lines += ["## Samples and losses", "",
              "MITLGAN heads: " + ", ".join(config.variants) + " (`--variants`). The thesis "
              "head ends in InstanceNorm + ReLU (pixels never below the middle of [-1, 1]; "
              "shown clipped to white above 1); the corrected head ends in tanh.", ""]
    lines += image("samples", "WGAN and MITLGAN samples (cf. Figures 7.1-7.3)")
    lines += image("first_epoch", "Samples after the first epoch (cf. Figure 7.4)")
    lines += image("losses", "Absolute losses per epoch (cf. Figure 7.5)")
    lines += image("appendix", "Foreground, background and MITLGAN samples (cf. Appendix A)")
    lines += ["## Configuration", "", "```json", json.dumps(context.config, indent=2, sort_keys=True),
              "```", "", "## Versions", ""]
    return lines + environment_lines(environment, config.seed) + [""]
