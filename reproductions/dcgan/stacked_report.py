"""The Stacked-MNIST report: modes and KL per epoch, the last samples, the published rows."""

from __future__ import annotations

import json

import numpy as np

from mitlgan.artifacts import HISTORY_FILE, SAMPLES_DIR, sample_grid_name
from reproductions.dcgan.config import JUDGE_STAGE, TRAIN_STAGE
from reproductions.dcgan.published import PROTOCOL_DIFFERENCES, PUBLISHED_DCGAN
from reproductions.runner import environment_lines, say
from reproductions.runner.report import TITLE_SIZE, side_by_side


def modes_figure(history, path) -> None:
    """Modes covered, KL to uniform and the losses per epoch, on one epoch axis."""
    import matplotlib.pyplot as plt

    epochs = history["epoch"]
    fig, axes = plt.subplots(3, 1, figsize=(9, 8), sharex=True)
    axes[0].plot(epochs, history["modes_covered"], marker="o", color="tab:green")
    axes[0].set_ylabel("modes covered (of 1,000)")
    axes[0].set_ylim(0, 1050)
    axes[1].plot(epochs, history["kl_to_uniform"], marker="o", color="tab:purple")
    axes[1].set_ylabel("KL(modes || uniform), nats")
    axes[1].set_ylim(bottom=0)
    axes[2].plot(epochs, history["discriminator_loss"], marker="o", label="discriminator")
    axes[2].plot(epochs, history["generator_loss"], marker="o", label="generator")
    axes[2].set_ylabel("loss (BCE)")
    axes[2].set_xlabel("epoch")
    axes[2].legend(fontsize=8)
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[0].set_title("DCGAN on Stacked MNIST: modes counted after every epoch",
                      fontsize=TITLE_SIZE + 1)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_stacked_report(context) -> dict:
    """Write ``modes.png``, ``samples.png`` and ``report.md``; returns the done payload."""
    from PIL import Image

    from mitlgan.plots import read_history_csv

    config, run_dir = context.settings, context.run_dir
    train_dir = context.stage_dir(TRAIN_STAGE)
    history = read_history_csv(train_dir / HISTORY_FILE)
    judge = context.done_payload(JUDGE_STAGE)
    trained = context.done_payload(TRAIN_STAGE)
    modes_figure(history, run_dir / "modes.png")
    last_epoch = int(history["epoch"][-1])
    grid = Image.open(train_dir / SAMPLES_DIR / sample_grid_name(last_epoch)).convert("RGB")
    side_by_side([(f"epoch {last_epoch}", np.asarray(grid))], run_dir / "samples.png",
                 "64 stacked samples (red, green, blue: three digits)", panel_inches=6.0)
    final = {"modes": int(history["modes_covered"][-1]), "kl": float(history["kl_to_uniform"][-1])}
    best = max(range(len(history["epoch"])),  # most modes; among ties the lowest KL
               key=lambda i: (history["modes_covered"][i], -history["kl_to_uniform"][i]))
    real = judge["real"]
    budget = (f"{config.epochs} epochs x {config.n_images:,} stacks "
              f"({trained['train_steps']:,} steps of {config.batch_size})")
    rows = [
        [f"this run: DCGAN {config.image_size}x{config.image_size}, widths "
         f"G {config.generator_channels} / D {config.discriminator_channels}, {budget}",
         str(final["modes"]), f"{final['kl']:.2f}"],
        [f"this run, best epoch ({int(history['epoch'][best])})",
         str(int(history["modes_covered"][best])), f"{history['kl_to_uniform'][best]:.2f}"],
        ["real stacked test digits through the same judge (the check)",
         str(real["modes_covered"]), f"{real['kl_to_uniform']:.3f}"],
        *([f"published: {name}", modes, kl] for name, modes, kl in PUBLISHED_DCGAN),
    ]
    lines = [
        "# DCGAN on Stacked MNIST: modes covered and KL to uniform", "",
        f"{config.mode_samples:,} samples from fixed latents, each of the three channels "
        "classified by the judge; a mode is the digit triple (1,000 in all). KL is "
        "KL(generated mode frequencies || uniform) in nats, as in the papers.", "",
        f"Judge: {judge['judge']}. On real stacked test digits it finds all three digits "
        f"right for {real['mode_accuracy']:.1%} of the stacks.", "",
        context.tables.table("modes", ["model", "modes (of 1,000)", "KL"], rows), "",
        "The published rows come from other code, data and budgets: compare with them only "
        "through the differences below.", "",
        "## Protocol differences from the papers", "",
        *(f"- {difference}" for difference in PROTOCOL_DIFFERENCES), "",
        "![modes](modes.png)", "", "![samples](samples.png)", "",
        "## Per epoch", "",
        context.tables.table("per_epoch", ["epoch", "modes", "KL", "D loss", "G loss"], [
            [int(e), int(m), f"{k:.3f}", f"{d:.3f}", f"{g:.3f}"] for e, m, k, d, g in zip(
                history["epoch"], history["modes_covered"], history["kl_to_uniform"],
                history["discriminator_loss"], history["generator_loss"])]), "",
        "## Configuration", "", "```json", json.dumps(context.config, indent=2, sort_keys=True), "```",
        "", "## Versions", "",
    ]
    lines += environment_lines(context.environment(), config.seed)
    report = context.write_report(lines)
    say(f"  {final['modes']} modes of 1,000, KL {final['kl']:.2f} after {budget}")
    say(f"  wrote {report}")
    return {"modes_covered": final["modes"], "kl_to_uniform": final["kl"],
            "real_modes_covered": real["modes_covered"],
            "published": [list(row) for row in PUBLISHED_DCGAN],
            "protocol_differences": list(PROTOCOL_DIFFERENCES)}
