"""Mode collapse measured while training: fidelity and diversity of fixed samples per epoch.

After every epoch :class:`CollapseCallback` generates ``n`` images from fixed latents,
turns them into features with the given ``featurize`` function (any backbone: the
InceptionFeatures networks, the MNIST judge, a random network) and compares them with
fixed real features (:func:`mitlgan.metrics.manifold.manifold_metrics`). The numbers go
into the epoch logs, so ``history.csv`` keeps them.

An epoch is flagged ``collapsed`` when its coverage or its diversity falls below
``fraction`` (default 0.5) of the best value seen so far in the run, by at least
``min_drop`` (default 0.05) in absolute terms: a generator that loses half of the real
modes it had covered, or half of its sample spread, has collapsed in the sense of seed
001 ("the output does not change" with the input). The absolute floor keeps noise in
small values (a coverage of 0.01-0.05) from being read as a collapse.

Given the run's ``history_csv``, a resumed run takes its best-so-far from the rows of
the epochs before the resume point, so the flags match those of an uninterrupted run.
"""

from __future__ import annotations

import csv
from pathlib import Path

import keras
import numpy as np

from mitlgan.metrics.manifold import manifold_metrics

__all__ = ["COLLAPSE_LOG_KEYS", "CollapseCallback"]

COLLAPSE_LOG_KEYS = ("precision", "recall", "density", "coverage", "diversity", "collapsed")


class CollapseCallback(keras.callbacks.Callback):
    """Log precision, recall, density, coverage, diversity and a collapse flag per epoch.

    Args:
        featurize: images (n, ...) in the generator's range -> (n, D) features.
        real_features: (N, D) features of a fixed real sample.
        n: generated samples per epoch (fixed latents, ``sample_latents(n, seed)``).
        seed: seed of the fixed latents.
        fraction: collapse threshold relative to the best coverage / diversity so far.
        min_drop: the least absolute fall from the best that can count as a collapse.
        backbone: names the features in ``self.results``.
        prefix: prefix of the log keys.
        history_csv: the run's history file (:class:`mitlgan.callbacks.HistoryCSV`); on
            resume the best values of its earlier epochs are restored.
    """

    def __init__(self, featurize, real_features, n: int = 500, *, seed: int = 0,
                 fraction: float = 0.5, min_drop: float = 0.05,
                 backbone: str = "unnamed features", prefix: str = "", history_csv=None):
        super().__init__()
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"fraction={fraction!r} must be in (0, 1)")
        self.featurize, self.n, self.seed = featurize, int(n), seed
        self.real_features = np.asarray(real_features, np.float64)
        self.fraction, self.min_drop = fraction, min_drop
        self.backbone, self.prefix = backbone, prefix
        self.best = {"coverage": 0.0, "diversity": 0.0}
        self.results: list[dict] = []
        self.history_csv = None if history_csv is None else Path(history_csv)
        self._restored = False

    def _restore_best(self, first_epoch: int) -> None:
        """Best values of the history rows of epochs 1..first_epoch (0-based start index)."""
        if self.history_csv is None or not self.history_csv.is_file():
            return
        with open(self.history_csv, newline="") as handle:
            for row in csv.DictReader(handle):
                if int(float(row["epoch"])) > first_epoch:
                    continue
                for key in self.best:
                    value = row.get(self.prefix + key)
                    if value not in (None, ""):
                        self.best[key] = max(self.best[key], float(value))

    def on_train_begin(self, logs=None):
        self._restored = False

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        if not self._restored:
            self._restored = True
            self._restore_best(epoch)
        latents = self.model.sample_latents(self.n, seed=self.seed)
        images = keras.ops.convert_to_numpy(self.model.generator(latents, training=False))
        metrics = manifold_metrics(self.real_features, self.featurize(images),
                                   backbone=self.backbone)
        collapsed = any(metrics[key] < self.fraction * self.best[key]
                        and self.best[key] - metrics[key] >= self.min_drop for key in self.best)
        for key in self.best:
            self.best[key] = max(self.best[key], metrics[key])
        metrics.update(epoch=epoch + 1, collapsed=bool(collapsed))
        self.results.append(metrics)
        logs.update({self.prefix + key: float(metrics[key]) for key in COLLAPSE_LOG_KEYS})
