"""The evaluation stage: FID/KID of every trained generator, the figures and report.md."""

from __future__ import annotations

import csv
import json
import math
import os
from pathlib import Path

import numpy as np

from reproductions._report import write_text_atomic
from reproductions._runner import environment_lines, say, write_json_atomic
from reproductions.mitlgan.config import TRAINING_STAGES
from reproductions.mitlgan.report import (
    format_number,
    loss_curves,
    markdown_table,
    side_by_side,
)

#: (fid.csv model name, stage, part the real statistics come from)
EVALUATED = (
    ("WGAN", "wgan_combined", "combined"),
    ("MITLGAN", "mitlgan", "combined"),
    ("WGAN (background part)", "wgan_background", "background"),
    ("WGAN (foreground part)", "wgan_foreground", "foreground"),
)
FID_FIELDS = ("model", "backbone", "n", "fid", "kid", "kid_std")
GRID_SAMPLES = 16
THESIS_TABLE_7_4 = {
    "faces": (1464.5657, 1494.6489),
    "anime": (2083.7969, 2101.5293),
    "pokemon": (2571.0357, 2609.1826),
}


def _samples(generator, seed, count=GRID_SAMPLES):
    """``count`` images from fixed N(0, I) latents (one stream per latent input)."""
    rng = np.random.default_rng(seed)
    latents = [rng.standard_normal((count, *x.shape[1:])).astype("float32") for x in generator.inputs]
    return np.asarray(generator(latents if len(latents) > 1 else latents[0], training=False))


def _first_epoch_grid(run_dir, stage):
    from PIL import Image

    path = run_dir / stage / "samples" / "epoch_0001.png"
    return np.asarray(Image.open(path).convert("RGB")) if path.is_file() else None


def _score_models(config, run_dir, parts, weights_path, eval_dir):
    import keras

    from mitlgan.metrics import FrechetInceptionDistance, InceptionFeatures

    features = InceptionFeatures(backbone=config["backbone"], input_size=config["fid_input_size"],
                                 weights_path=weights_path)
    evaluators = {}
    results = []
    for model_name, stage, part in EVALUATED:
        result_path = eval_dir / f"{stage}_result.json"
        if result_path.is_file():  # scored before an interruption
            results.append(json.loads(result_path.read_text()))
            say(f"  {model_name}: scored earlier")
            continue
        if part not in evaluators:
            n_real = len(parts[part])
            evaluators[part] = FrechetInceptionDistance(
                parts[part], cache_path=eval_dir / f"real_{part}_statistics.npz",
                n=config["fid_n"], features=features,
                kid_subset_size=min(1000, config["fid_n"], n_real),
                seed=config["seed"], real_source=f"{config['dataset']}/{part}",
            )
        generator = keras.saving.load_model(run_dir / stage / "generator.keras")
        say(f"  {model_name}: sampling {config['fid_n']} images against the real {part} images")
        result = evaluators[part].evaluate_generator(generator, source=stage)
        row = result.as_row(model_name)
        row.update(stage=stage, part=part, comparable=result.comparable, note=result.note,
                   n_real=result.n_real)
        write_json_atomic(result_path, row)
        results.append(row)
        say(f"    {result}")
    return results


def _write_fid_csv(path: Path, results):
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FID_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(results)
    os.replace(tmp, path)


def _figures(config, run_dir, eval_dir):
    import keras

    from mitlgan.plots import read_history_csv

    generators = {stage: keras.saving.load_model(run_dir / stage / "generator.keras")
                  for stage in TRAINING_STAGES}
    seed = config["seed"]
    samples = {stage: _samples(g, seed) for stage, g in generators.items()}
    act = config["output_activation"]
    mitlgan_title = "MITLGAN" + (" (thesis IN+ReLU output)" if act == "relu" else " (tanh output)")
    figures = {}

    figures["samples"] = eval_dir / "samples_wgan_vs_mitlgan.png"
    side_by_side([("WGAN", samples["wgan_combined"]), (mitlgan_title, samples["mitlgan"])],
                 figures["samples"], f"Final samples, {config['dataset']} (cf. thesis Figures 7.1-7.3)")

    first = [(title, _first_epoch_grid(run_dir, stage))
             for title, stage in (("WGAN, epoch 1", "wgan_combined"), ("MITLGAN, epoch 1", "mitlgan"))]
    first = [(t, g) for t, g in first if g is not None]
    if first:
        figures["first_epoch"] = eval_dir / "first_epoch_samples.png"
        side_by_side(first, figures["first_epoch"],
                     f"Samples after the first epoch, {config['dataset']} (cf. thesis Figure 7.4)")

    histories = {stage: read_history_csv(run_dir / stage / "history.csv") for stage in TRAINING_STAGES}
    figures["losses"] = eval_dir / "loss_curves.png"
    loss_curves(
        [("WGAN (combined)", histories["wgan_combined"]),
         ("WGAN (background)", histories["wgan_background"]),
         ("WGAN (foreground)", histories["wgan_foreground"])],
        [("MITLGAN", histories["mitlgan"])],
        figures["losses"],
        {"critic": "critic_loss", "generator": "generator_loss"},
    )

    figures["appendix"] = eval_dir / "appendix_parts_and_mitlgan.png"
    side_by_side([("Foreground WGAN", samples["wgan_foreground"]),
                  ("Background WGAN", samples["wgan_background"]),
                  (mitlgan_title, samples["mitlgan"])],
                 figures["appendix"],
                 f"Last-epoch samples, {config['dataset']} (cf. thesis Appendix Figure A.x.1)")
    return figures


def _report(config, run_dir, results, figures, environment):
    random_backbone = config["backbone"] == "random"
    backbone_label = results[0]["backbone"] if results else config["backbone"]
    lines = [f"# MITLGAN reproduction: {config['dataset']}", ""]
    if random_backbone:
        lines += [
            "> **Every FID and KID below comes from an untrained (randomly initialised) "
            "InceptionV3 (`--backbone random`). The numbers compare only with other runs of "
            "this backbone, seed, input size and N, and with nothing published.**", "",
        ]
    lines += ["## FID and KID (cf. thesis Table 7.4)", ""]
    header = ["model", "real images", "backbone", "N", "FID", "KID", "KID std"]
    rows = [[r["model"], f"{config['dataset']}/{r['part']} ({r['n_real']})", r["backbone"], r["n"],
             format_number(r["fid"]), format_number(r["kid"]), format_number(r["kid_std"])]
            for r in results]
    lines += [markdown_table(header, rows), ""]
    lines += [
        f"Backbone `{backbone_label}`: "
        + ("Keras InceptionV3 with ImageNet weights, the thesis's choice. These FIDs are not "
           "comparable with published FIDs, which use the 2015 FID Inception graph."
           if not random_backbone else "an untrained InceptionV3 (offline smoke test)."),
        f"FIDs compare only at equal N ({config['fid_n']}), backbone and input size "
        f"({config['fid_input_size']}x{config['fid_input_size']}). "
        "The part WGANs are scored against their own part's real images.",
    ]
    if config["dataset"] in THESIS_TABLE_7_4:
        wgan, mitlgan = THESIS_TABLE_7_4[config["dataset"]]
        lines += ["", f"The thesis printed FID {wgan} (WGAN) and {mitlgan} (MITLGAN) for this "
                  "dataset; those numbers are far outside FID's usual range and are no target."]
    lines += ["", "Raw numbers: [fid.csv](fid.csv).", ""]

    def image(key, caption):
        if key in figures:
            rel = figures[key].relative_to(run_dir).as_posix()
            return [f"## {caption}", "", f"![{caption}]({rel})", ""]
        return []

    output = ("the thesis's InstanceNorm + ReLU output (pixels never below the middle of "
              "[-1, 1]; shown clipped to white above 1)" if config["output_activation"] == "relu"
              else "the corrected tanh output (pixels in [-1, 1])")
    lines += [f"The MITLGAN ran with {output} (`--output-activation {config['output_activation']}`).", ""]
    lines += image("samples", "WGAN and MITLGAN samples (cf. Figures 7.1-7.3)")
    lines += image("first_epoch", "Samples after the first epoch (cf. Figure 7.4)")
    lines += image("losses", "Absolute losses per epoch, WGANs above, MITLGAN below (cf. Figure 7.5)")
    lines += image("appendix", "Foreground, background and MITLGAN samples (cf. Appendix A)")
    lines += ["## Configuration", "", "```json", json.dumps(config, indent=2, sort_keys=True),
              "```", "", "## Versions", ""]
    lines += environment_lines(environment, config["seed"]) + [""]
    write_text_atomic(run_dir / "report.md", "\n".join(lines))


def evaluate_and_report(config, run_dir, parts, weights_path, environment) -> dict:
    """Score every trained generator, draw the figures, write fid.csv and report.md.

    Returns the stage's ``done.json`` payload (the runner writes it).
    """
    eval_dir = run_dir / "evaluation"
    eval_dir.mkdir(parents=True, exist_ok=True)
    results = _score_models(config, run_dir, parts, weights_path, eval_dir)
    for row in results:
        if not all(math.isfinite(float(row[k])) for k in ("fid", "kid", "kid_std")):
            say(f"  WARNING: {row['model']} has a non-finite score: {row}")
    _write_fid_csv(run_dir / "fid.csv", results)
    figures = _figures(config, run_dir, eval_dir)
    _report(config, run_dir, results, figures, environment)
    say(f"  wrote {run_dir / 'fid.csv'} and {run_dir / 'report.md'}")
    return {"models": [r["model"] for r in results]}
