"""The DCGAN report: losses over the collapse metrics with collapsed epochs shaded, grids."""

from __future__ import annotations

import json

import numpy as np

from mitlgan.artifacts import HISTORY_FILE, SAMPLES_DIR, sample_grid_name
from reproductions.dcgan.config import REPORT_EPOCHS, TRAIN_STAGE
from reproductions.runner import environment_lines, read_claim_rows, say
from reproductions.runner.report import TITLE_SIZE, side_by_side

METRICS = ("precision", "recall", "density", "coverage", "diversity")


def collapse_figure(history, path) -> None:
    """Losses (top) and the per-epoch metrics (bottom) on one epoch axis, collapsed shaded."""
    import matplotlib.pyplot as plt

    epochs = history["epoch"]
    collapsed = history["collapsed"] > 0.5
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True)
    top.plot(epochs, history["discriminator_loss"], marker="o", markersize=3, label="discriminator")
    top.plot(epochs, history["generator_loss"], marker="o", markersize=3, label="generator")
    top.set_ylabel("loss (BCE)")
    for name in METRICS:
        bottom.plot(epochs, history[name], marker="o", markersize=3, label=name)
    bottom.set_ylabel("vs real samples")
    bottom.set_xlabel("epoch")
    for ax in (top, bottom):
        for epoch in epochs[collapsed]:
            ax.axvspan(epoch - 0.5, epoch + 0.5, color="red", alpha=0.15, lw=0)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
    top.set_title("DCGAN losses and collapse metrics per epoch (red: flagged as collapsed)",
                  fontsize=TITLE_SIZE + 1)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _discriminator_note(config, history) -> list[str]:
    """Which discriminator ran, and why the real-sample metrics may stay at 0 with the
    report's: BatchNorm right after the first convolution, on batches that are all real
    or all fake, removes each batch's per-channel mean and scale, so a constant shift of
    every pixel (a grey background for a black one) is invisible to the discriminator."""
    if config.network == "tutorial":
        return ["Network: the PyTorch DCGAN tutorial's (document 000's CelebA faces: 4x4 "
                "kernels, no biases, no BatchNorm on the discriminator's first convolution; "
                "`--network tutorial`)."]
    if not config.first_batchnorm:
        return ["Discriminator: the template's (no BatchNorm on the first convolution; "
                "`--discriminator template`)."]
    flat = all(float(np.max(history[m])) == 0.0 for m in ("precision", "recall", "coverage"))
    return ["Discriminator: the report's table, BatchNorm on the first convolution "
            "(`--discriminator template` drops it, as DCGAN and carpedm20 do). That "
            "normalisation removes each batch's per-channel mean and scale, and the "
            "discriminator sees batches that are all real or all fake, so a brightness shift "
            "of a whole batch is nearly invisible to it: a generator that paints the sprites' black "
            "background grey is barely penalised (only the zero padding at the borders "
            "shows it)."
            + (" Here precision, recall and coverage stayed at 0 in every epoch, and the grids "
               "show grey backgrounds where the sprites have black ones; a run with "
               "`--discriminator template` tests whether that is the cause." if flat else "")]


def write_report(context) -> None:
    """Render ``collapse.png``, ``grids.png`` and ``report.md`` from the training
    stage's records (``history.csv``, sample grids, ``done.json``) and ``claims.json``."""
    from PIL import Image

    from mitlgan.plots import read_history_csv

    config, run_dir, stage_dir = context.settings, context.run_dir, context.stage_dir(TRAIN_STAGE)
    history = read_history_csv(stage_dir / HISTORY_FILE)
    collapse_figure(history, run_dir / "collapse.png")
    trained = context.done_payload(TRAIN_STAGE)["epochs"]  # fewer after --max-steps
    marks = [e for e in REPORT_EPOCHS if e <= trained] or [trained]
    side_by_side([(f"epoch {e}", np.asarray(Image.open(stage_dir / SAMPLES_DIR / sample_grid_name(e))
                                            .convert("RGB"))) for e in marks],
                 run_dir / "grids.png", "25 samples from fixed latents (the report's epochs)")
    done = context.done_payload(TRAIN_STAGE)
    claims = read_claim_rows(run_dir)
    rows = [[int(e), *(f"{history[m][i]:.3f}" for m in METRICS),
             "yes" if history["collapsed"][i] > 0.5 else ""]
            for i, e in enumerate(history["epoch"])]
    title = (f"# Document 000: the PyTorch DCGAN tutorial's network on {config.dataset} at "
             "64x64" if config.network == "tutorial" else
             f"# Document 001: DCGAN on {config.dataset} at 64x64 and its mode collapse")
    lines = [title, "",
             f"Features for every metric: `{done['backbone']}`, an untrained network (Naeem et "
             "al. 2020 recommend one outside ImageNet's domain); numbers compare only with runs "
             f"of the same network, N ({config.collapse_samples}) and data.", "",
             f"Preset `{config.preset}`: generator width {config.generator_channels}, "
             f"discriminator width {config.discriminator_channels}, batch "
             f"{config.batch_size}, {config.epochs} epochs, generator loss "
             f"{config.generator_loss}." + (
                 f" {done['corrupt_files_skipped']} undecodable image file(s) were skipped "
                 "(--skip-corrupt)." if done.get("corrupt_files_skipped") else ""), "",
             *_discriminator_note(config, history), "",
             "## Claims of the report, checked", "",
             context.tables.table("claims", ["claim", "verdict", "measured"], claims), "",
             "![collapse](collapse.png)", "", "![grids](grids.png)", "",
             "## Per epoch", "",
             context.tables.table("per_epoch", ["epoch", *METRICS, "collapsed"], rows), "",
             "## Configuration", "", "```json", json.dumps(context.config, indent=2, sort_keys=True),
             "```", "", "## Versions", ""]
    lines += environment_lines(context.environment(), config.seed)
    say(f"  wrote {context.write_report(lines)}")
