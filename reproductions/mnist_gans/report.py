"""Figures and ``report.md`` of the three MNIST studies."""

from __future__ import annotations

import json

import numpy as np

from mitlgan.artifacts import GENERATOR_FILE, HISTORY_FILE, SAMPLES_DIR, sample_grid_name
from mitlgan.files import write_atomic
from reproductions.mnist_gans.claims import (
    DOCUMENT_OF_STUDY,
    ablation_claims,
    collapse_claims,
    judge_accuracy_claim,
    summarize,
)
from reproductions.mnist_gans.config import (
    SUMMARY_FILE,
    TRAIN_STAGE,
    VARIANTS,
    ablation_stage_name,
    variant_epochs,
)
from reproductions.mnist_gans.training import judge, mnist
from reproductions.runner import (
    RESULT_FILE,
    claims_from_rows,
    environment_lines,
    say,
    seed_folder,
    write_claims,
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


def _milestones(epochs, study):
    if study == "collapse":  # document 000 shows epochs 1/99, 10/99, 99/99
        return sorted({1, max(1, round(epochs * 10 / 99)), epochs})
    return sorted({1, max(1, epochs // 2), epochs})  # document 002: start, half, end


def _single_gan_report(context, lines, figures):
    config, stage_dir = context.settings, context.stage_dir(TRAIN_STAGE)
    history = _history(context)
    epochs = len(history["epoch"]) if "epoch" in history else config.epochs  # --max-steps: 1
    panels = [(f"epoch {e} of {epochs}", _grid_png(stage_dir / SAMPLES_DIR / sample_grid_name(e)))
              for e in _milestones(epochs, config.study)]
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
    claims = []
    if config.study == "collapse":
        figures["classes"] = "classes_per_epoch.png"
        _class_heatmap(history, context.run_dir / "classes_per_epoch.png")
        first = [history[f"judge_class_{k}"][0] for k in range(10)]
        claims = collapse_claims(scores["histogram"], first)
    else:
        # Document 002 shows grids at the start, half and end as training progress.
        marks = _milestones(epochs, "mlp")
        fds = [float(history["judge_feature_fd"][e - 1]) for e in marks]
        claims = [("The samples improve from the start over the half to the end of training",
                   "supported" if all(a > b for a, b in zip(fds, fds[1:])) else "not supported",
                   "judge-feature FD at epochs " + "/".join(map(str, marks)) + ": "
                   + " / ".join(f"{v:.1f}" for v in fds)
                   + f"; final mean confidence {scores['mean_confidence']:.3f}")]
        figures["interpolation"] = "interpolation/interpolation.png"
        claims.append(("The latent interpolation passes smoothly from one digit to another",
                       "untested: judged by eye in the interpolation figure", ""))
    return claims


def _ablation_report(context, lines, figures):
    config = context.settings
    summary, grids = {}, []
    for name in VARIANTS:
        stage_dir = context.stage_dir(ablation_stage_name(name))
        runs = [json.loads((seed_folder(stage_dir, i) / RESULT_FILE).read_text())
                for i in range(config.seeds)]
        summary[name] = summarize(runs)
        grids.append((name, _final_grid(seed_folder(stage_dir, 0), runs[0])))
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
    write_atomic(context.run_dir / SUMMARY_FILE, json.dumps(summary, indent=2) + "\n")
    return ablation_claims(summary)


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


def write_report(context) -> dict:
    """Write the study's figures and ``report.md`` in the run folder."""
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
    n_train = len(mnist(context).train_images[: config.n_images])
    updates = config.epochs * (n_train // config.batch_size)
    lines += [f"Training: {config.epochs} epochs of {n_train} digits at batch "
              f"{config.batch_size}, {updates} generator updates"
              + (" per base run" if config.study == "ablations" else "") + ".", ""]
    if config.preset == "quick":
        lines += [f"> **Quick preset.** {updates} updates is early training: the report trained "
                  "for many thousands. Read these verdicts as claims about the first "
                  f"{updates} updates; `--preset full` runs the report's setting.", ""]
    figures = {}
    if config.study == "ablations":
        claims = _ablation_report(context, lines, figures)
    else:
        claims = _single_gan_report(context, lines, figures)
    if config.study == "collapse":
        claims.append(judge_accuracy_claim(the_judge))
    lines += ["## Claims of the report, checked", "",
              context.tables.table("claims", ["claim", "verdict", "measured"], claims), ""]
    for key, path in figures.items():
        lines += [f"![{key}]({path})", ""]
    lines += ["## Configuration", "", "```json", json.dumps(context.config, indent=2, sort_keys=True),
              "```", "", "## Versions", ""] + environment_lines(context.environment(), config.seed)
    report = context.write_report(lines)
    budget = {"updates": updates, "epochs": config.epochs, "images": n_train,
              "batch_size": config.batch_size, "seeds": config.seeds,
              "mnist": the_judge.description.split("trained on ")[1].split(",")[0]}
    if config.study == "ablations":
        budget["margin"] = "a difference counts when it exceeds sd_a + sd_b over the seeds"
    write_claims(context, claims_from_rows(DOCUMENT_OF_STUDY[config.study], claims), budget)
    say(f"  wrote {report}")
    return {"claims": [[c, v] for c, v, _ in claims]}


