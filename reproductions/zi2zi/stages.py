"""The zi2zi stages: glyph pairs, the glyph classifier, one stage per study variant."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mitlgan.artifacts import CHECKPOINT_DIR, HISTORY_FILE
from reproductions.runner import keras_verbosity, say, seed_folders, seeded_repeats
from reproductions.zi2zi.carry import carry_variant, grid_file
from reproductions.zi2zi.claims import decide_claims
from reproductions.zi2zi.config import CLASSIFIER_FILE, CLASSIFIER_STAGE, study_variants
from reproductions.zi2zi.glyphs import glyphs, held_out_arrays, select_pairs


def data_stage(context) -> dict:
    """Render the pairs; score the identity baseline (output = source) on held-out glyphs."""
    from mitlgan.metrics.glyphs import per_image_l1, per_image_ssim, style_agnostic_floor

    data, config = glyphs(context), context.settings
    targets, sources, styles, char_index = held_out_arrays(context)
    baseline = {}
    for style, name in enumerate(data["pairs"].target_fonts):
        rows = styles == style
        baseline[name] = {"l1": float(per_image_l1(sources[rows], targets[rows]).mean()),
                          "ssim": float(per_image_ssim(sources[rows], targets[rows]).mean())}
    say(f"  {len(data['charset'])} characters in the charset; {len(data['train_chars'])} "
        f"for training, {len(data['held_out_chars'])} held out; {len(data['pairs'])} pairs")
    say("  identity baseline (output = source) on held-out glyphs: " + ", ".join(
        f"{k} L1 {v['l1']:.3f}" for k, v in baseline.items()))
    fonts = list(data["pairs"].target_fonts)
    rows = _common_characters(styles, char_index, len(fonts))
    floor, floor_per_style = style_agnostic_floor([targets[r] for r in rows])
    say(f"  style-agnostic floor (the per-pixel median of the true targets over the styles): "
        f"held-out L1 {floor:.3f}")
    return {"charset_size": len(data["charset"]), "train_chars": data["train_chars"],
            "held_out_chars": data["held_out_chars"], "pairs": len(data["pairs"]),
            "skipped": data["pairs"].skipped, "target_fonts": list(data["pairs"].target_fonts),
            "source_fonts": list(data["pairs"].source_fonts), "identity": baseline,
            "style_agnostic_floor": {"l1": floor, "per_style": dict(zip(fonts, floor_per_style)),
                                     "characters": int(len(rows[0]))},
            "channels": config.channels}


def classifier_stage(context) -> dict:
    """Train the glyph classifier on the real target fonts' renders of every character."""
    from mitlgan.data.fonts import render_glyph
    from mitlgan.metrics.glyphs import train_glyph_classifier

    data, config = glyphs(context), context.settings
    chars = data["train_chars"] + data["held_out_chars"]
    images, labels = [], []
    for font in config.target_fonts:
        for char in chars:
            if char not in data["pairs"].skipped.get(str(font), ""):
                images.append(render_glyph(char, font))
                labels.append(data["classes"][char])
    model, accuracy = train_glyph_classifier(np.stack(images)[..., None], labels,
                                             epochs=config.classifier_epochs,
                                             seed=config.seed)
    model.save(context.stage_dir(CLASSIFIER_STAGE) / CLASSIFIER_FILE)
    say(f"  glyph classifier: {len(set(labels))} glyph classes ({len(chars)} characters; "
        f"homoglyphs share a class) x {len(config.target_fonts)} fonts, accuracy on the "
        f"real renders {accuracy:.3f}")
    return {"real_accuracy": accuracy, "classes": len(set(labels)), "renders": len(labels)}


def _classifier(context):
    def load():
        import keras

        return keras.saving.load_model(context.stage_dir(CLASSIFIER_STAGE) / CLASSIFIER_FILE)

    return context.load_once("classifier", load)


def _train_variant(context, out_dir: Path, changes: dict, seed: int) -> dict:
    """Train one variant with one seed (or resume) and score it on held-out glyphs."""
    import keras

    from mitlgan.gans.zi2zi import Zi2Zi, Zi2ZiLearningRate
    from mitlgan.models.zi2zi import build_zi2zi_discriminator, build_zi2zi_generator
    from mitlgan.training import export_generator

    config, data = context.settings, glyphs(context)
    pairs = data["pairs"]
    chars = data["train_chars"][:changes.get("train_chars", len(data["train_chars"]))]
    index = select_pairs(pairs, chars, max_sources=changes.get("sources", 1))
    targets, sources, styles = (a[index] for a in pairs.as_training_arrays(config.channels))
    width = changes.get("width", config.width)
    keras.utils.set_random_seed(seed)
    with context.strategy_scope():
        gan = Zi2Zi(build_zi2zi_generator(channels=config.channels, generator_dim=width,
                                          embedding_num=config.embedding_num),
                    build_zi2zi_discriminator(channels=config.channels,
                                              discriminator_dim=width,
                                              embedding_num=config.embedding_num),
                    num_styles=config.embedding_num, seed=seed,
                    loss_weights={"l1": changes.get("l1_weight", config.l1_weight)})
        gan.compile()
    epochs = changes.get("epochs", config.epochs)
    context.train(gan, (targets, sources, styles), batch_size=config.batch_size, epochs=epochs,
                  checkpoint_dir=out_dir / CHECKPOINT_DIR, every=1, keep=2,
                  history_csv=out_dir / HISTORY_FILE, seed=seed,
                  callbacks=[Zi2ZiLearningRate(every=10 * changes.get("schedule_stretch", 1)),
                                      held_out_callback(context)],
                  verbose=keras_verbosity(), tensorboard_dir=context.tensorboard_dir(out_dir))
    export_generator(gan, out_dir)  # generator.keras and generator_savedmodel/
    return {"pairs": int(len(index)), "epochs": epochs, "train_steps": gan.train_steps,
            "scores": score_generator(context, gan.generator)}


def style_spread(images_by_style) -> float:
    """Mean |image - mean over styles| of (K, N, ...) images of the same N characters in K
    styles: 0 when the style changes nothing."""
    images = np.asarray(images_by_style, np.float64)
    return float(np.abs(images - images.mean(axis=0, keepdims=True)).mean())


def _common_characters(styles, char_index, num_styles):
    """Character classes present in every style's held-out rows, and each style's rows of them."""
    common = set.intersection(*(set(char_index[styles == k]) for k in range(num_styles)))
    return [np.array([i for i in np.flatnonzero(styles == k) if char_index[i] in common])
            for k in range(num_styles)]


def held_out_callback(context):
    """A Keras callback adding the held-out L1, SSIM (means over the styles) and the
    style spread of every epoch's generator to that epoch's logs, so ``history.csv``
    keeps them (``held_out_l1``, ``held_out_ssim``, ``style_spread``)."""
    import keras

    from mitlgan.metrics.glyphs import per_image_l1, per_image_ssim

    targets, sources, styles, char_index = held_out_arrays(context)
    rows = _common_characters(styles, char_index, len(glyphs(context)["pairs"].target_fonts))

    class HeldOutScores(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            fake = np.asarray(self.model.generator.predict([sources, styles], batch_size=64,
                                                           verbose=0))
            style_ids = sorted(set(styles.tolist()))
            if logs is not None:
                logs["held_out_l1"] = float(np.mean(
                    [per_image_l1(fake[styles == k], targets[styles == k]).mean()
                     for k in style_ids]))
                logs["held_out_ssim"] = float(np.mean(
                    [per_image_ssim(fake[styles == k], targets[styles == k]).mean()
                     for k in style_ids]))
                logs["style_spread"] = style_spread([fake[r] for r in rows])

    return HeldOutScores()


def score_generator(context, generator) -> dict:
    """Held-out L1, SSIM and classifier accuracy per style: {style: {metric: value}}, and
    under "style_spread" how much the style changes the output (and the true targets)."""
    from mitlgan.metrics.glyphs import (
        character_accuracy,
        nearest_style_rate,
        per_image_l1,
        per_image_ssim,
    )

    targets, sources, styles, char_index = held_out_arrays(context)
    fake = np.asarray(generator.predict([sources, styles], batch_size=64, verbose=0))
    fonts = glyphs(context)["pairs"].target_fonts
    rows = _common_characters(styles, char_index, len(fonts))
    spread = {"generated": style_spread([fake[r] for r in rows]),
              "targets": style_spread([targets[r] for r in rows])}
    scores = {"style_spread": spread}
    if len(fonts) > 1:  # the style test: nearer its own style's true glyph than the others'
        scores["nearest_style"] = {
            "rate": nearest_style_rate([fake[r] for r in rows], [targets[r] for r in rows]),
            "chance": 1 / len(fonts), "pairs": int(sum(len(r) for r in rows))}
    for style, name in enumerate(fonts):
        rows = styles == style
        scores[name] = {
            "l1": float(per_image_l1(fake[rows], targets[rows]).mean()),
            "ssim": float(per_image_ssim(fake[rows], targets[rows]).mean()),
            "accuracy": character_accuracy(_classifier(context), fake[rows], char_index[rows]),
        }
    return scores


def variant_stage(study: str, name: str):
    """A stage training variant ``name`` of ``study`` once per seed (finished seeds are kept)."""

    def run(context) -> dict:
        config = context.settings
        changes = study_variants(study, config)[name]

        carried = carry_variant(context, name)
        if carried is not None:
            return {"settings": changes, "carried_from": carried,
                    "seeds": len(seed_folders(context.stage_dir(name)))}

        def train(folder, seed):
            folder.mkdir(parents=True, exist_ok=True)
            return _train_variant(context, folder, changes, seed)

        def progress(index, seed, result, earlier):
            if earlier:
                say(f"  seed {index}: done earlier")
                return
            scores = result["scores"]
            say(f"  seed {index}: held-out " + ", ".join(
                f"{style} L1 {s['l1']:.3f} acc {s['accuracy']:.2f}"
                for style, s in scores.items() if style not in ("style_spread", "nearest_style"))
                + f"; style spread {scores['style_spread']['generated']:.5f} (targets "
                f"{scores['style_spread']['targets']:.3f})"
                + (f"; nearest-style rate {scores['nearest_style']['rate']:.3f} (style-blind "
                   f"{scores['nearest_style']['chance']:.3f})" if "nearest_style" in scores
                   else ""))

        results = seeded_repeats(context.stage_dir(name), config.seeds, config.seed,
                                 train, progress)
        # drawn now, from the first seed's generator: a record carried to another machine
        # (reproductions.zi2zi.carry) holds no weights, only this figure
        from reproductions.zi2zi.report import grid_figure

        grid_figure(context, name, context.stage_dir(name) / grid_file(name))
        return {"settings": changes, "seeds": len(results)}

    return run


def report_stage(context) -> dict:
    """The claims (``claims.json``), then the grids and ``report.md``; returns the
    first claim and its verdict."""
    from reproductions.zi2zi.report import write_report

    claim_rows = decide_claims(context)
    write_report(context)
    return {"claim": claim_rows[0][0], "verdict": claim_rows[0][1]}
