"""Figures and ``report.md`` of the three MNIST studies."""

from __future__ import annotations

import json

import numpy as np

from mitlgan.artifacts import GENERATOR_FILE, HISTORY_FILE, SAMPLES_DIR, sample_grid_name
from reproductions.mnist_gans.claims import (
    milestones,
)
from reproductions.mnist_gans.config import (
    SUMMARY_FILE,
    TRAIN_STAGE,
    VARIANTS,
    ablation_stage_name,
    variant_epochs,
)
from reproductions.mnist_gans.training import judge
from reproductions.runner import (
    CLAIMS_FILE,
    RESULT_FILE,
    environment_lines,
    read_claim_rows,
    say,
    seed_folder,
)
from reproductions.runner.report import (
    TITLE_SIZE,
    format_number,
    show_grid,
    side_by_side,
)

STUDY_TITLES = {
    "mlp": "Document 002, Part 2: the MLP GAN on MNIST",
    "collapse": "Document 000, experiment 2: an MNIST GAN and the classes of its digits",
    "ablations": "Document 003: the fully connected GAN and its ablations",
}


def _plt():
    import matplotlib.pyplot as plt

    return plt


def _grid_png(path):
    from PIL import Image

    return np.asarray(Image.open(path).convert("L"))[..., None]


def interpolation_figure(rows: dict, path) -> None:
    """Rows of interpolated images, linear (left) and spherical (right), one pair per row.

    Args:
        rows: {"linear": [(9, 28, 28, 1) arrays], "spherical": [...]} in [-1, 1].
    """
    from mitlgan.plots import image_grid

    plt = _plt()
    pairs = len(rows["linear"])
    fig, axes = plt.subplots(pairs, 2, figsize=(12, 0.95 * pairs + 0.9), squeeze=False)
    for col, method in enumerate(("linear", "spherical")):
        for row, images in enumerate(rows[method]):
            show_grid(axes[row][col], image_grid(images, nrow=len(images)),
                      f"{method}, pair {row + 1}" if row == 0 else "")
    fig.suptitle("Latent interpolation: end points and 7 steps, alpha = (i-1)/(k-1)",
                 fontsize=TITLE_SIZE + 1)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _history(context):
    from mitlgan.plots import read_history_csv

    return read_history_csv(context.stage_dir(TRAIN_STAGE) / HISTORY_FILE)


def _judge_curves(history, path):
    plt = _plt()
    panels = (("judge_feature_fd", "judge-feature FD (lower: closer to real)"),
              ("judge_classes_covered", "classes covered"),
              ("judge_kl_to_uniform", "KL(classes || uniform), nats"),
              ("discriminator_loss", "losses"))
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.4))
    for ax, (column, title) in zip(axes, panels):
        ax.plot(history["epoch"], history[column], marker="o", markersize=3, label=column)
        if column == "discriminator_loss":
            ax.plot(history["epoch"], history["generator_loss"], marker="o", markersize=3,
                    label="generator_loss")
            ax.legend(fontsize=8)
        ax.set_title(title, fontsize=TITLE_SIZE)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _class_heatmap(history, path):
    plt = _plt()
    counts = np.stack([history[f"judge_class_{k}"] for k in range(10)], axis=1)
    shares = counts / counts.sum(axis=1, keepdims=True)
    fig, ax = plt.subplots(figsize=(7, 0.25 * len(shares) + 2))
    image = ax.imshow(shares, aspect="auto", cmap="viridis", vmin=0,
                      extent=(-0.5, 9.5, history["epoch"][-1] + 0.5, history["epoch"][0] - 0.5))
    ax.set_xticks(range(10))
    ax.set_xlabel("class the judge gives the generated digit")
    ax.set_ylabel("epoch")
    ax.set_title("Share of generated digits per class, per epoch", fontsize=TITLE_SIZE)
    fig.colorbar(image, ax=ax, label="share of 1000 digits")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _single_gan_report(context, lines, figures):
    config, stage_dir = context.settings, context.stage_dir(TRAIN_STAGE)
    history = _history(context)
    epochs = len(history["epoch"]) if "epoch" in history else config.epochs  # --max-steps: 1
    panels = [(f"epoch {e} of {epochs}", _grid_png(stage_dir / SAMPLES_DIR / sample_grid_name(e)))
              for e in milestones(epochs, config.study)]
    figures["grids"] = "grids.png"
    side_by_side(panels, context.run_dir / "grids.png", "25 samples from fixed latents")
    figures["judge"] = "judge_over_training.png"
    _judge_curves(history, context.run_dir / "judge_over_training.png")
    result = json.loads((stage_dir / RESULT_FILE).read_text())
    scores = result["scores"]
    lines += [context.tables.table(
        "scores", ["epochs", "judge-feature FD", "classes covered", "KL to uniform", "mean confidence",
         "class histogram (0-9)", "s/epoch"],
        [[epochs, format_number(scores["feature_fd"]), scores["classes_covered"],
          format_number(scores["kl_to_uniform"]), format_number(scores["mean_confidence"]),
          " ".join(str(c) for c in scores["histogram"]),
          format_number(result["seconds_per_epoch"], 3)]]), ""]
    if config.study == "collapse":
        figures["classes"] = "classes_per_epoch.png"
        _class_heatmap(history, context.run_dir / "classes_per_epoch.png")
    else:
        figures["interpolation"] = "interpolation/interpolation.png"


def _ablation_report(context, lines, figures):
    config = context.settings
    summary = json.loads((context.run_dir / SUMMARY_FILE).read_text())
    grids = []
    for name in VARIANTS:
        first_seed = seed_folder(context.stage_dir(ablation_stage_name(name)), 0)
        grids.append((name, _final_grid(first_seed, json.loads(
            (first_seed / RESULT_FILE).read_text()))))
    rows = []
    for name, (what, _) in VARIANTS.items():
        s = summary[name]
        rows.append([name, what, variant_epochs(name, config.epochs),
                     *(f"{s[k][0]:.3g} ± {s[k][1]:.2g}" for k in
                       ("feature_fd", "classes_covered", "kl_to_uniform", "mean_confidence")),
                     f"{s['seconds_per_epoch'][0]:.2f}"])
    lines += [context.tables.table(
                  "variants", ["variant", "change from the base", "epochs", "judge-feature FD",
                               "classes covered", "KL to uniform", "mean confidence", "s/epoch"],
                  rows),
              "", f"Mean ± sd over {config.seeds} seeds; FD lower is closer to the real test "
              "digits in the judge's feature space.", ""]
    figures["grids"] = "ablation_samples.png"
    _panels_figure(grids, context.run_dir / "ablation_samples.png")


def _final_grid(run_dir, result):
    import keras

    generator = keras.saving.load_model(run_dir / GENERATOR_FILE)
    rng = np.random.default_rng(0)
    z = rng.standard_normal((25, generator.inputs[0].shape[-1])).astype("float32")
    low, high = result["data_range"]
    return (np.asarray(generator(z, training=False)) - low) * (2 / (high - low)) - 1


def _panels_figure(grids, path):
    from mitlgan.plots import image_grid

    plt = _plt()
    columns = 4
    rows = -(-len(grids) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 3.4 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (name, images) in zip(axes.ravel(), grids):
        show_grid(ax, image_grid(images), name)
    fig.suptitle("25 samples of each variant's final generator (seed 0)", fontsize=TITLE_SIZE + 1)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(path, dpi=90)
    plt.close(fig)


def write_report(context) -> None:
    """Render the study's figures and ``report.md`` from its stages' records, the
    ablations' ``summary.json`` and ``claims.json``."""
    config = context.settings
    the_judge = judge(context)
    lines = [f"# {STUDY_TITLES[config.study]}", "",
             f"Judge: {the_judge.description}. Every score below is this judge's, on "
             f"{config.judge_samples} generated digits. MNIST source: "
             f"`{config.mnist_source}` ({the_judge.description.split('trained on ')[1].split(',')[0]}).",
             ""]
    if "embedded" in the_judge.description:
        lines += ["> The full MNIST set could not be had, so the GANs trained on the embedded "
                  "10,000-digit subset and the judge was tested on its 2,000-digit test split.", ""]
    budget = json.loads((context.run_dir / CLAIMS_FILE).read_text())["budget"]
    n_train, updates = budget["images"], budget["updates"]
    lines += [f"Training: {config.epochs} epochs of {n_train} digits at batch "
              f"{config.batch_size}, {updates} generator updates"
              + (" per base run" if config.study == "ablations" else "") + ".", ""]
    if config.preset == "quick":
        lines += [f"> **Quick preset.** {updates} updates is early training: the report trained "
                  "for many thousands. Read these verdicts as claims about the first "
                  f"{updates} updates; `--preset full` runs the report's setting.", ""]
    figures = {}
    if config.study == "ablations":
        _ablation_report(context, lines, figures)
    else:
        _single_gan_report(context, lines, figures)
    claims = read_claim_rows(context.run_dir)
    lines += ["## Claims of the report, checked", "",
              context.tables.table("claims", ["claim", "verdict", "measured"], claims), ""]
    for key, path in figures.items():
        lines += [f"![{key}]({path})", ""]
    lines += ["## Configuration", "", "```json", json.dumps(context.config, indent=2, sort_keys=True),
              "```", "", "## Versions", ""] + environment_lines(context.environment(), config.seed)
    say(f"  wrote {context.write_report(lines)}")


