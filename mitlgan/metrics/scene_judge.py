"""An in-domain judge for the synthetic scenes: a factor classifier and a foreground segmenter.

An untrained InceptionV3 measures colour statistics; on the synthetic scenes, which are
drawn from known factors, a small classifier of those factors measures content (the
idea of document 000's MNIST judge). :class:`SceneJudge` trains, once per cache folder:

- a classifier of the drawn factors whose penultimate 128 features are the backbone of
  a *scene FID* (:meth:`SceneJudge.features`, usable wherever an
  :class:`~mitlgan.metrics.InceptionFeatures` is);
- a foreground segmenter trained on the sprites' alpha masks
  (:meth:`SceneJudge.foreground_probability`), which part attribution needs.

It learns from all three parts of the scene set, so that it also judges the part
generators: combined scenes (every factor), sprites on black (the sprite factors) and
landscapes (the landscape factors). Two extra heads say whether a creature and whether
a landscape are present; a factor that is absent in an image does not enter the loss.

Judged factors: ``JUDGED_FACTORS``. The ears, feet, tail and number of eyes are drawn
but not judged: at 32x32 they span one or two pixels, and a classifier trained on
4,800 scenes for 10 epochs stayed at the majority-class rate on all four. The sun is
not judged either: it is a faint glow that ridges and clouds often hide, and the judge
stayed at its majority rate (0.52 against 0.51 at 32x32).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mitlgan.data.scene_backgrounds import BACKGROUND_FACTORS
from mitlgan.data.scene_drawing import SPRITE_FACTORS

__all__ = ["JUDGED_FACTORS", "SceneJudge", "SceneJudgeFeatures", "judge_training_set"]

#: factor name -> (classes, where it is read from): "sprite" / "background" columns of
#: the synthetic scenes' factors, or "presence" for the two present/absent heads.
JUDGED_FACTORS = {
    "creature": (2, "presence"),
    "landscape": (2, "presence"),
    "colour": (SPRITE_FACTORS["colour"], "sprite"),
    "size": (SPRITE_FACTORS["size"], "sprite"),
    "sky": (BACKGROUND_FACTORS["sky"], "background"),
    "land": (BACKGROUND_FACTORS["land"], "background"),
    "ridges": (BACKGROUND_FACTORS["ridges"], "background"),
    "clouds": (BACKGROUND_FACTORS["clouds"], "background"),
}
FEATURES_LAYER = "judge_features"
FEATURE_DIM = 128
ABSENT = -1  # label of a factor the image does not show


def _labels(sprite_factors, background_factors, n, creature: bool, landscape: bool):
    """(n, len(JUDGED_FACTORS)) int labels, ABSENT where a part is missing."""
    sprite_columns = {name: i for i, name in enumerate(SPRITE_FACTORS)}
    background_columns = {name: i for i, name in enumerate(BACKGROUND_FACTORS)}
    columns = []
    for name, (_, source) in JUDGED_FACTORS.items():
        if source == "presence":
            present = creature if name == "creature" else landscape
            columns.append(np.full(n, int(present)))
        elif source == "sprite":
            columns.append(sprite_factors[:, sprite_columns[name]] if creature
                           else np.full(n, ABSENT))
        else:
            columns.append(background_factors[:, background_columns[name]] if landscape
                           else np.full(n, ABSENT))
    return np.stack(columns, axis=1).astype(np.int64)


def judge_training_set(n_per_part: int, image_size: int, seed):
    """Synthetic scenes with their judged factors and foreground masks.

    Args:
        n_per_part: images of each part (combined, sprites on black, landscapes).
        image_size: side S.
        seed: non-negative int or tuple; use one the evaluated data does not use.

    Returns:
        (images float32 (3n, S, S, 3) in [-1, 1], labels int64 (3n, F) with -1 for an
        absent factor, masks float32 (3n, S, S, 1) in [0, 1]), in the order combined,
        sprites, landscapes.
    """
    from mitlgan.data.synthetic import synthetic_scenes

    scenes = synthetic_scenes(n_per_part, image_size, seed, return_factors=True,
                              return_layers=True)
    n = n_per_part
    images = np.concatenate([scenes["combined"], scenes["foreground"], scenes["background"]])
    labels = np.concatenate([
        _labels(scenes["combined_sprite_factors"], scenes["combined_background_factors"], n,
                True, True),
        _labels(scenes["foreground_factors"], None, n, True, False),
        _labels(None, scenes["background_factors"], n, False, True),
    ])
    masks = np.concatenate([scenes["combined_mask"], scenes["mask"],
                            np.zeros_like(scenes["mask"])])
    return images, labels, masks


def _masked_factor_loss(y_true, logits):
    """Sum over factors of the softmax cross-entropy, ignoring ABSENT labels."""
    import keras
    from keras import ops

    total, start = 0.0, 0
    for index, (classes, _) in enumerate(JUDGED_FACTORS.values()):
        label = ops.cast(y_true[:, index], "int32")
        present = ops.cast(label >= 0, "float32")
        loss = keras.losses.sparse_categorical_crossentropy(
            ops.maximum(label, 0), logits[:, start:start + classes], from_logits=True)
        total = total + ops.sum(loss * present) / ops.maximum(ops.sum(present), 1.0)
        start += classes
    return total


def build_scene_classifier(image_size: int):
    """(B, S, S, 3) in [-1, 1] -> (B, sum of classes) logits of ``JUDGED_FACTORS``, with
    the 128 features in the layer ``judge_features``. 3x3 convolutions 32, 32/2, 64,
    64/2, 128/2 (ReLU), global average, Dense 128 ReLU."""
    import keras
    from keras import layers

    inputs = keras.Input((image_size, image_size, 3))
    x = inputs
    for index, (width, stride) in enumerate(((32, 1), (32, 2), (64, 1), (64, 2), (128, 2))):
        x = layers.Conv2D(width, 3, strides=stride, padding="same", activation="relu",
                          name=f"conv{index}")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(FEATURE_DIM, activation="relu", name=FEATURES_LAYER)(x)
    total = sum(classes for classes, _ in JUDGED_FACTORS.values())
    return keras.Model(inputs, layers.Dense(total, name="factor_logits")(x),
                       name="scene_classifier")


def build_scene_segmenter(image_size: int):
    """(B, S, S, 3) in [-1, 1] -> (B, S, S, 1) foreground probability: two stride-2
    3x3 convolutions down (32, 64), two upsamplings back (32, 16), sigmoid."""
    import keras
    from keras import layers

    inputs = keras.Input((image_size, image_size, 3))
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(inputs)
    x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    for width in (32, 16):
        x = layers.UpSampling2D(2)(x)
        x = layers.Conv2D(width, 3, padding="same", activation="relu")(x)
    outputs = layers.Conv2D(1, 3, padding="same", activation="sigmoid")(x)
    return keras.Model(inputs, outputs, name="scene_segmenter")


def _in_batches(model, images, batch_size: int = 256) -> np.ndarray:
    """``model`` on (N, S, S, 3) images clipped to [-1, 1], in eager batches: ``predict``
    would retrace for every new array length."""
    images = np.clip(np.asarray(images, np.float32), -1.0, 1.0)
    outputs = [np.asarray(model(images[i:i + batch_size], training=False))
               for i in range(0, len(images), batch_size)]
    return np.concatenate(outputs) if outputs else np.zeros((0, *model.output_shape[1:]),
                                                            np.float32)


class SceneJudgeFeatures:
    """The judge's 128 penultimate features, with the interface of
    :class:`~mitlgan.metrics.InceptionFeatures` that :class:`FrechetInceptionDistance`
    uses (``features=``): ``metadata``, ``batch_size``, ``__call__``, ``iter_features``."""

    def __init__(self, judge: SceneJudge, batch_size: int = 256):
        import keras

        classifier = judge.classifier
        self._model = keras.Model(classifier.input, classifier.get_layer(FEATURES_LAYER).output)
        self.batch_size = int(batch_size)
        self.input_size = judge.image_size
        self.label = f"{judge.backbone_id}@{judge.image_size}"
        self.metadata = {
            "backbone": judge.backbone_id, "input_size": judge.image_size,
            "feature_dim": FEATURE_DIM, "comparable": False,
            "note": ("scene judge: a factor classifier trained on the synthetic scenes; "
                     "its FIDs compare only with other runs of the same judge"),
        }

    def __call__(self, images) -> np.ndarray:
        """(B, S, S, 3) in [-1, 1] (clipped) -> float32 (B, 128)."""
        return _in_batches(self._model, images, self.batch_size)

    def iter_features(self, data, *, limit=None, verbose=None):
        from mitlgan.metrics.features import iter_image_batches

        for batch in iter_image_batches(data, self.batch_size, limit):
            yield self(batch)


class SceneJudge:
    """A trained factor classifier and foreground segmenter for the synthetic scenes.

    Use :meth:`trained`; ``accuracy`` maps each judged factor to its held-out accuracy
    and majority-class rate, ``mask_iou`` is the segmenter's held-out IoU at 0.5.
    """

    def __init__(self, classifier, segmenter, info: dict):
        self.classifier, self.segmenter, self.info = classifier, segmenter, info
        self.image_size = int(info["image_size"])
        self.accuracy = info["accuracy"]
        self.mask_iou = info["mask_iou"]
        self.backbone_id = f"scene-judge-{info['n_per_part']}x3-{info['epochs']}ep-seed{info['seed']}"

    @property
    def description(self) -> str:
        worst = min(self.accuracy.items(), key=lambda kv: kv[1]["accuracy"] - kv[1]["majority"])
        return (f"{self.backbone_id} (held-out accuracy per factor "
                + ", ".join(f"{k} {v['accuracy']:.2f}" for k, v in self.accuracy.items())
                + f"; weakest over its majority rate: {worst[0]}; mask IoU {self.mask_iou:.2f})")

    def features(self, batch_size: int = 256) -> SceneJudgeFeatures:
        """The scene-FID backbone (see :class:`SceneJudgeFeatures`)."""
        return SceneJudgeFeatures(self, batch_size)

    def predict_factors(self, images) -> dict[str, np.ndarray]:
        """Argmax class per judged factor: {name: int (N,)} for (N, S, S, 3) in [-1, 1]."""
        logits = _in_batches(self.classifier, images)
        out, start = {}, 0
        for name, (classes, _) in JUDGED_FACTORS.items():
            out[name] = np.argmax(logits[:, start:start + classes], axis=1)
            start += classes
        return out

    def foreground_probability(self, images) -> np.ndarray:
        """float32 (N, S, S) in [0, 1]: the segmenter's foreground probability."""
        return _in_batches(self.segmenter, images)[..., 0]

    @classmethod
    def trained(cls, cache_dir, image_size: int, *, n_per_part: int = 1600, epochs: int = 12,
                seed: int = 0, verbose: int = 0) -> SceneJudge:
        """Train both networks once per ``cache_dir``; later calls load them from there.

        The training scenes use the seed tuple ``(seed, 7919)``, a stream the
        reproductions' data (plain integer seeds) never draw; a fifth of them is held out
        for the accuracies and the IoU.

        Args:
            cache_dir: folder for ``classifier.keras``, ``segmenter.keras`` and
                ``judge.json`` (written last: its presence means complete).
            image_size: side S of the judged images.
            n_per_part: scenes of each part (combined, sprites, landscapes).
            epochs: epochs of each network.
            seed: seed of the scenes and of the weights.
            verbose: passed to ``fit``.
        """
        import keras

        cache_dir = Path(cache_dir)
        paths = [cache_dir / n for n in ("classifier.keras", "segmenter.keras", "judge.json")]
        if all(p.is_file() for p in paths):
            info = json.loads(paths[2].read_text())
            if info["image_size"] == image_size:
                return cls(keras.saving.load_model(paths[0], compile=False),
                           keras.saving.load_model(paths[1], compile=False), info)
        images, labels, masks = judge_training_set(n_per_part, image_size, (seed, 7919))
        order = np.random.default_rng(seed).permutation(len(images))
        images, labels, masks = images[order], labels[order], masks[order]
        n_train = int(0.8 * len(images))
        keras.utils.set_random_seed(seed)
        classifier = build_scene_classifier(image_size)
        classifier.compile(optimizer=keras.optimizers.Adam(1e-3), loss=_masked_factor_loss)
        classifier.fit(images[:n_train], labels[:n_train], batch_size=64, epochs=epochs,
                       verbose=verbose)
        segmenter = build_scene_segmenter(image_size)
        segmenter.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
        segmenter.fit(images[:n_train], masks[:n_train], batch_size=64,
                      epochs=max(1, epochs // 2), verbose=verbose)
        info = {"image_size": image_size, "n_per_part": n_per_part, "epochs": epochs,
                "seed": seed, "held_out": int(len(images) - n_train)}
        judge = cls(classifier, segmenter, {**info, "accuracy": {}, "mask_iou": 0.0})
        info["accuracy"] = held_out_accuracy(judge, images[n_train:], labels[n_train:])
        predicted = judge.foreground_probability(images[n_train:]) > 0.5
        truth = masks[n_train:, ..., 0] > 0.5
        info["mask_iou"] = float(np.sum(predicted & truth) / max(np.sum(predicted | truth), 1))
        cache_dir.mkdir(parents=True, exist_ok=True)
        classifier.save(paths[0])
        segmenter.save(paths[1])
        paths[2].write_text(json.dumps(info, indent=2) + "\n")
        return cls(classifier, segmenter, info)


def held_out_accuracy(judge: SceneJudge, images, labels) -> dict[str, dict[str, float]]:
    """{factor: {"accuracy", "majority", "n"}} on the images where the factor is present;
    ``majority`` is the rate of always answering the most frequent class (chance)."""
    predicted = judge.predict_factors(images)
    result = {}
    for index, name in enumerate(JUDGED_FACTORS):
        present = labels[:, index] >= 0
        truth = labels[present, index]
        result[name] = {
            "accuracy": float(np.mean(predicted[name][present] == truth)),
            "majority": float(np.bincount(truth).max() / len(truth)),
            "n": int(present.sum()),
        }
    return result
