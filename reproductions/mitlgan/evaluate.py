"""The evaluation stage: FID/KID of every trained generator on every backbone, the
curves over training, the part attribution, the figures and report.md."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from mitlgan.artifacts import GENERATOR_FILE, HISTORY_FILE, SAMPLES_DIR, sample_grid_name
from mitlgan.files import write_csv_atomic, write_json_atomic
from reproductions.mitlgan import combination, curves
from reproductions.mitlgan.claims import decide_claims
from reproductions.mitlgan.config import (
    ATTRIBUTION_FILE,
    JUDGE_ONLY,
    LEADS_FILE,
    trained_models,
)
from reproductions.mitlgan.report import loss_curves, report_lines, side_by_side
from reproductions.runner import say

FID_FIELDS = ("model", "backbone", "n", "fid", "kid", "kid_std", "fallback")
GRID_SAMPLES = 16
def _samples(generator, seed, count=GRID_SAMPLES):
    """``count`` images from fixed N(0, I) latents (one stream per latent input)."""
    rng = np.random.default_rng(seed)
    latents = [rng.standard_normal((count, *x.shape[1:])).astype("float32") for x in generator.inputs]
    return np.asarray(generator(latents if len(latents) > 1 else latents[0], training=False))


def _first_epoch_grid(run_dir, stage):
    from PIL import Image

    path = run_dir / stage / SAMPLES_DIR / sample_grid_name(1)
    return np.asarray(Image.open(path).convert("RGB")) if path.is_file() else None


def _backbones(config, weights_path, judge):
    """[(key, feature network)]: the run's InceptionV3 unless the offline fallback
    dropped it, and the scene judge on the synthetic scenes."""
    from mitlgan.metrics import InceptionFeatures

    out = []
    if config.backbone != JUDGE_ONLY:
        out.append(("inception", InceptionFeatures(
            backbone=config.backbone, input_size=config.fid_input_size,
            weights_path=weights_path, dtype=config.fid_precision, verbose=0)))
    if judge is not None:
        out.append(("judge", judge.features()))
    return out


def _score_models(config, run_dir, parts, backbones, eval_dir):
    import keras

    from mitlgan.metrics import FrechetInceptionDistance

    results = []
    for key, features in backbones:
        evaluators = {}
        for model_name, stage, part in trained_models(config):
            result_path = eval_dir / f"{stage}_{key}_result.json"
            if result_path.is_file():  # scored before an interruption
                results.append(json.loads(result_path.read_text()))
                say(f"  {model_name} ({key}): scored earlier")
                continue
            if part not in evaluators:
                inception = key == "inception"
                cap = config.fid_real_n if inception else None
                n_real = min(len(parts[part]), cap or len(parts[part]))
                n_fake = (config.fid_inception_n or config.fid_n) if inception else config.fid_n
                evaluators[part] = FrechetInceptionDistance(
                    parts[part], n_real=cap,
                    cache_path=eval_dir / f"real_{part}_{key}_statistics.npz",
                    n=n_fake, features=features,
                    kid_subset_size=min(1000, n_fake, n_real),
                    seed=config.seed, real_source=f"{config.dataset}/{part}", verbose=0,
                )
            generator = keras.saving.load_model(run_dir / stage / GENERATOR_FILE)
            say(f"  {model_name}: {evaluators[part].n} samples against the real {part} images "
                f"({features.label})")
            # generated in training-sized batches: the judge's 256 (eager calls keep every
            # layer's output) took the thesis preset's evaluation to 14 GB
            result = evaluators[part].evaluate_generator(generator, source=stage,
                                                         batch_size=config.batch_size)
            row = result.as_row(model_name)
            row.update(stage=stage, part=part, comparable=result.comparable, note=result.note,
                       n_real=result.n_real, fallback=config.backbone_fallback or "")
            write_json_atomic(result_path, row)
            results.append(row)
            say(f"    {result}")
    return results


def _write_fid_csv(path: Path, results):
    write_csv_atomic(path, results, FID_FIELDS)


def _curves(config, run_dir, eval_dir, backbone_label):
    """Write ``curves.csv`` and the figure; returns (early-lead verdicts, figure path)."""
    by_model = {name: curves.stage_curve(run_dir, stage, name)
                for name, stage, _ in trained_models(config) if "part" not in name}
    curves.write_curves_csv(run_dir / "curves.csv",
                            [row for rows in by_model.values() for row in rows])
    path = eval_dir / "metric_curves.png"
    curves.draw_curves(by_model, path, backbone_label)
    leads = {name: curves.early_lead(by_model["WGAN"], rows)
             for name, rows in by_model.items() if name != "WGAN"}
    write_json_atomic(eval_dir / LEADS_FILE, leads)  # the record the claims are decided from
    return leads, path


def _figures(config, run_dir, eval_dir, generators, samples):
    from mitlgan.plots import read_history_csv

    names = {stage: name for name, stage, _ in trained_models(config)}
    heads = [stage for stage in generators if stage.startswith("mitlgan")]
    figures = {"samples": eval_dir / "samples_wgan_vs_mitlgan.png"}
    side_by_side([("WGAN", samples["wgan_combined"])]
                 + [(names[h], samples[h]) for h in heads], figures["samples"],
                 f"Final samples, {config.dataset} (cf. thesis Figures 7.1-7.3)")

    first = [(f"{names[stage]}, epoch 1", _first_epoch_grid(run_dir, stage))
             for stage in ("wgan_combined", *heads)]
    first = [(t, g) for t, g in first if g is not None]
    if first:
        figures["first_epoch"] = eval_dir / "first_epoch_samples.png"
        side_by_side(first, figures["first_epoch"],
                     f"Samples after the first epoch, {config.dataset} (cf. thesis Figure 7.4)")

    histories = {stage: read_history_csv(run_dir / stage / HISTORY_FILE) for stage in names}
    figures["losses"] = eval_dir / "loss_curves.png"
    loss_curves(
        [("WGAN (combined)", histories["wgan_combined"]),
         ("WGAN (background)", histories["wgan_background"]),
         ("WGAN (foreground)", histories["wgan_foreground"])],
        [(names[h], histories[h]) for h in heads],
        figures["losses"],
        {"critic": "critic_loss", "generator": "generator_loss"},
    )

    figures["appendix"] = eval_dir / "appendix_parts_and_mitlgan.png"
    side_by_side([("Foreground WGAN", samples["wgan_foreground"]),
                  ("Background WGAN", samples["wgan_background"])]
                 + [(names[h], samples[h]) for h in heads],
                 figures["appendix"],
                 f"Last-epoch samples, {config.dataset} (cf. thesis Appendix Figure A.x.1)")
    figures["swap"] = eval_dir / "latent_swap.png"
    combination.draw_swap_grids({names[h]: generators[h] for h in heads}, figures["swap"],
                                config.seed)
    return figures


def evaluate_and_report(context, config, run_dir, parts, weights_path, environment,
                        judge=None) -> dict:
    """Score every trained generator, draw the figures, write fid.csv, curves.csv and
    report.md.

    Args:
        judge: the :class:`~mitlgan.metrics.scene_judge.SceneJudge` of the synthetic
            scenes (scene FID and part attribution), or None for a real dataset.

    Returns:
        The stage's ``done.json`` payload (the runner writes it).
    """
    import keras

    eval_dir = run_dir / "evaluation"
    eval_dir.mkdir(parents=True, exist_ok=True)
    backbones = _backbones(config, weights_path, judge)
    results = _score_models(config, run_dir, parts, backbones, eval_dir)
    for row in results:
        if not all(math.isfinite(float(row[k])) for k in ("fid", "kid", "kid_std")):
            say(f"  WARNING: {row['model']} has a non-finite score: {row}")
    _write_fid_csv(run_dir / "fid.csv", results)

    curve_label = dict(backbones)["judge" if judge is not None else "inception"].label
    leads, curve_figure = _curves(config, run_dir, eval_dir, curve_label)
    generators = {stage: keras.saving.load_model(run_dir / stage / GENERATOR_FILE)
                  for _, stage, _ in trained_models(config)}
    samples = {stage: _samples(g, config.seed) for stage, g in generators.items()}
    figures = _figures(config, run_dir, eval_dir, generators, samples)
    figures["curves"] = curve_figure
    attribution = {}
    if judge is not None:
        for name, stage, _ in trained_models(config):
            if stage.startswith("mitlgan"):
                attribution[name] = combination.attribution(
                    generators[stage], judge, config.seed, batch_size=config.batch_size)
                say(f"  part attribution, {name}: {attribution[name]['score']:.3f}")
        write_json_atomic(eval_dir / ATTRIBUTION_FILE, attribution)
    decide_claims(context)  # from fid.csv, the leads and the attribution records
    report = context.write_report(report_lines(
        context, results, figures, environment, leads=leads, curve_label=curve_label,
        attribution=attribution, judge=judge))
    say(f"  wrote {run_dir / 'fid.csv'}, {run_dir / 'curves.csv'} and {report}")
    return {"models": [r["model"] for r in results], "part_attribution": attribution,
            "environment": environment,
            "figures": sorted(str(Path(f).relative_to(run_dir)) for f in figures.values() if f)}
