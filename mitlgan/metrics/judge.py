"""Scores of generated digits by a classifier trained on real ones (the MNIST judge).

The numpy functions take the judge's outputs; :class:`Judge` wraps a trained
classifier (``mitlgan.models.build_mnist_classifier``), trains it once per cache
file and scores generated images. Every :class:`JudgeScores` says which judge and
which real data made it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from mitlgan.metrics.frechet import frechet_distance

__all__ = ["Judge", "JudgeScores", "class_histogram", "classes_covered",
           "kl_to_uniform", "mean_max_confidence", "feature_statistics"]


def class_histogram(probabilities, num_classes: int | None = None) -> np.ndarray:
    """How many samples the judge puts in each class (argmax).

    Args:
        probabilities: (N, K) class probabilities (or logits: only the argmax is used).
        num_classes: K (default: the second axis).

    Returns:
        int64 (K,) counts summing to N.
    """
    probabilities = np.asarray(probabilities)
    k = probabilities.shape[1] if num_classes is None else num_classes
    return np.bincount(np.argmax(probabilities, axis=1), minlength=k).astype(np.int64)


def classes_covered(counts, min_count: int = 1) -> int:
    """Number of classes with at least ``min_count`` samples."""
    return int(np.sum(np.asarray(counts) >= min_count))


def kl_to_uniform(counts) -> float:
    """KL(p || uniform) in nats for the class frequencies ``p = counts / sum(counts)``.

    0 when every class is equally frequent; log K when all samples fall in one class.
    Empty classes contribute 0 (0 log 0 = 0).
    """
    counts = np.asarray(counts, dtype=np.float64)
    p = counts / counts.sum()
    nonzero = p > 0
    return float(np.sum(p[nonzero] * np.log(p[nonzero] * len(p))))


def mean_max_confidence(probabilities) -> float:
    """Mean over samples of the judge's largest class probability, in [1/K, 1]."""
    return float(np.mean(np.max(np.asarray(probabilities, dtype=np.float64), axis=1)))


def feature_statistics(features) -> tuple[np.ndarray, np.ndarray]:
    """float64 mean (D,) and covariance (D, D) (N - 1 normalisation) of (N, D) features."""
    features = np.asarray(features, dtype=np.float64)
    return features.mean(axis=0), np.cov(features, rowvar=False)


@dataclass(frozen=True)
class JudgeScores:
    """The judge's verdict on N generated digits.

    Attributes:
        histogram: samples per class (argmax), K ints.
        classes_covered: classes with at least one sample.
        kl_to_uniform: KL(class frequencies || uniform), nats.
        mean_confidence: mean max-softmax probability.
        feature_fd: Fréchet distance of the judge's penultimate features to the real
            test set's (float64).
        n: generated samples scored.
        judge: what judged, e.g. ``"mnist_judge (embedded, test acc 0.987)"``.
    """

    histogram: tuple[int, ...]
    classes_covered: int
    kl_to_uniform: float
    mean_confidence: float
    feature_fd: float
    n: int
    judge: str

    def as_dict(self) -> dict:
        return asdict(self)


def _shifted_batches(data, batch_size: int, seed: int, max_shift: int):
    """A shuffled ``tf.data`` pipeline of (images in [-1, 1], labels), each image moved by
    a random whole-pixel shift in [-max_shift, max_shift] per axis (black fill)."""
    import tensorflow as tf

    images = data.train_images.astype(np.float32) / 127.5 - 1.0
    pad = max_shift

    def shift(image, label):
        if pad:
            padded = tf.pad(image, [[pad, pad], [pad, pad], [0, 0]], constant_values=-1.0)
            image = tf.image.random_crop(padded, tf.shape(image))
        return image, label

    return (tf.data.Dataset.from_tensor_slices((images, data.train_labels))
            # A sequential map: parallel calls would draw the shifts in a varying order.
            .shuffle(len(images), seed=seed).map(shift)
            .batch(batch_size).prefetch(tf.data.AUTOTUNE))


class Judge:
    """A trained MNIST classifier used as a judge of generated digits.

    Args:
        model: a trained classifier from ``build_mnist_classifier`` (inputs in [-1, 1]).
        real_test_images: (N, 28, 28, 1) images in [-1, 1] whose features are the
            Fréchet reference.
        description: names the judge and its data in every score.
    """

    def __init__(self, model, real_test_images, description: str):
        import keras

        from mitlgan.models.mnist import JUDGE_FEATURES_LAYER

        self.model = model
        self.description = description
        self._both = keras.Model(model.inputs,
                                 [model.get_layer(JUDGE_FEATURES_LAYER).output, model.outputs[0]])
        features, _ = self.features_and_probabilities(real_test_images)
        self.real_mean, self.real_covariance = feature_statistics(features)

    def features_and_probabilities(self, images, batch_size: int = 500):
        """(features (N, 128) float64, probabilities (N, 10) float64) of images in [-1, 1]."""
        features, probabilities = self._both.predict(np.asarray(images, np.float32),
                                                     batch_size=batch_size, verbose=0)
        return features.astype(np.float64), probabilities.astype(np.float64)

    def score(self, images) -> JudgeScores:
        """Judge (N, 28, 28, 1) generated images in [-1, 1] (N >= 2)."""
        features, probabilities = self.features_and_probabilities(images)
        counts = class_histogram(probabilities, 10)
        mean, covariance = feature_statistics(features)
        return JudgeScores(
            histogram=tuple(int(c) for c in counts), classes_covered=classes_covered(counts),
            kl_to_uniform=kl_to_uniform(counts),
            mean_confidence=mean_max_confidence(probabilities),
            feature_fd=frechet_distance(mean, covariance, self.real_mean, self.real_covariance),
            n=len(features), judge=self.description)

    def noise_floor(self, n: int, seed: int = 0) -> float:
        """The judge-feature FD of ``n`` images of uniform noise in [-1, 1] (seeded): what
        a generator scores without any training. A generator that does not get below it
        has not learned digits (the judge's "chance" level)."""
        noise = np.random.default_rng(seed).uniform(-1.0, 1.0, (n, 28, 28, 1))
        return self.score(noise.astype(np.float32)).feature_fd

    @classmethod
    def trained(cls, data, cache_dir, *, epochs: int = 15, batch_size: int = 128, seed: int = 0,
                max_shift: int = 1, verbose: int = 0) -> Judge:
        """Train the judge on ``data`` (a :class:`mitlgan.data.MnistData`) once per
        ``cache_dir``; later calls load ``judge.keras`` and ``judge.json`` from there.

        Training digits are shifted by up to ``max_shift`` pixels (a new shift per epoch):
        with the 8,000 embedded digits this lifts test accuracy by about half a point.

        Its test accuracy on ``data``'s test split is measured and put in the description.
        """
        import keras

        from mitlgan.models.mnist import build_mnist_classifier

        cache_dir = Path(cache_dir)
        model_path, info_path = cache_dir / "judge.keras", cache_dir / "judge.json"
        test_images = data.test_images.astype(np.float32) / 127.5 - 1.0
        if model_path.is_file() and info_path.is_file():
            model = keras.saving.load_model(model_path)
            info = json.loads(info_path.read_text())
        else:
            keras.utils.set_random_seed(seed)
            model = build_mnist_classifier()
            model.compile(optimizer=keras.optimizers.Adam(1e-3),
                          loss="sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(_shifted_batches(data, batch_size, seed, max_shift), epochs=epochs,
                      shuffle=False, verbose=verbose)  # the batches come shuffled
            accuracy = float(np.mean(np.argmax(model.predict(test_images, verbose=0), 1)
                                     == data.test_labels))
            info = {"test_accuracy": accuracy, "source": data.source,
                    "data": data.description, "epochs": epochs, "seed": seed,
                    "max_shift_pixels": max_shift}
            cache_dir.mkdir(parents=True, exist_ok=True)
            model.save(model_path)
            info_path.write_text(json.dumps(info, indent=2) + "\n")  # written last: complete
        description = (f"mnist_judge trained on {info['data']}, "
                       f"test accuracy {info['test_accuracy']:.4f}")
        judge = cls(model, test_images, description)
        judge.test_accuracy = info["test_accuracy"]
        judge.test_count = len(test_images)  # the digits behind the accuracy
        return judge
