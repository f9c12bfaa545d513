"""The judge's verdict on fixed generated digits after every epoch, in the epoch logs."""

from __future__ import annotations

import keras
import numpy as np

from mitlgan.metrics.judge import Judge

__all__ = ["JudgeCallback", "judge_log_keys"]


def judge_log_keys(num_classes: int = 10) -> list[str]:
    """The log keys :class:`JudgeCallback` adds, in order."""
    return (["judge_classes_covered", "judge_kl_to_uniform", "judge_confidence", "judge_feature_fd"]
            + [f"judge_class_{k}" for k in range(num_classes)])


class JudgeCallback(keras.callbacks.Callback):
    """Score ``n`` digits from fixed latents with a :class:`Judge` after each epoch.

    The keys of :func:`judge_log_keys` go into the epoch logs, so ``HistoryCSV`` keeps one
    row per epoch: the class histogram over training shows a collapse as it happens.

    Args:
        judge: a trained :class:`Judge`.
        n: generated digits per evaluation.
        seed: seed of the fixed latents (the model's ``sample_latents``).
        data_range: (low, high) the generator was trained to produce; mapped to the
            judge's [-1, 1] (``(0, 1)`` for the ablation trained on unscaled data).
    """

    def __init__(self, judge: Judge, n: int = 1000, *, seed: int = 0, data_range=(-1.0, 1.0)):
        super().__init__()
        self.judge, self.n, self.seed = judge, int(n), seed
        self.data_range = tuple(float(v) for v in data_range)
        self.last = None

    def to_judge_range(self, images):
        low, high = self.data_range
        return (np.asarray(images, np.float32) - low) * (2.0 / (high - low)) - 1.0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        latents = self.model.sample_latents(self.n, seed=self.seed)
        images = keras.ops.convert_to_numpy(self.model.generator(latents, training=False))
        self.last = scores = self.judge.score(self.to_judge_range(images))
        values = [scores.classes_covered, scores.kl_to_uniform, scores.mean_confidence,
                  scores.feature_fd, *scores.histogram]
        logs.update(zip(judge_log_keys(len(scores.histogram)), (float(v) for v in values)))
