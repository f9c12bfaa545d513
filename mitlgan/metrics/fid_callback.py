"""FID during training: a Keras callback that evaluates every few epochs."""

from __future__ import annotations

import keras

from mitlgan.metrics.fid import FrechetInceptionDistance
from mitlgan.metrics.fid_result import FIDResult
from mitlgan.metrics.manifold import manifold_metrics

__all__ = ["FIDCallback", "MANIFOLD_LOG_KEYS"]

MANIFOLD_LOG_KEYS = ("precision", "recall", "density", "coverage")


class FIDCallback(keras.callbacks.Callback):
    """Compute FID every ``every`` epochs and log it with the other metrics.

    Adds ``fid``, ``kid`` and ``kid_std`` (with ``prefix``) to the epoch logs, so they
    appear in the progress bar, ``History`` and ``CSVLogger``. On epochs without an
    evaluation the keys get ``fill_value`` (NaN by default, which keeps one column per
    epoch; None leaves them out). Each evaluation uses the same latent seed.
    ``results`` keeps ``(epoch, FIDResult)`` pairs, which carry backbone and N.

    With ``manifold=True`` the same generated features also give precision, recall
    (k=3), density and coverage (k=5) against the real features kept for KID
    (:func:`~mitlgan.metrics.manifold_metrics`), logged under their names.

    Args:
        fid: a :class:`FrechetInceptionDistance`.
        every: evaluate after epochs every, 2·every, ... (1-based).
        generator: the model to sample; default ``self.model.generator`` (the GAN's).
        n: images per evaluation (default ``fid.n``).
        seed: latent seed (default ``fid.seed``).
        prefix: prefix of the log keys, e.g. ``"val_"``.
        fill_value: value logged on epochs without an evaluation.
        verbose: 1 prints each result line.
        manifold: also log precision, recall, density and coverage (needs ``fid.kid``).
    """

    def __init__(
        self,
        fid: FrechetInceptionDistance,
        every: int = 1,
        *,
        generator=None,
        n: int | None = None,
        seed: int | None = None,
        prefix: str = "",
        fill_value: float | None = float("nan"),
        verbose: int = 1,
        manifold: bool = False,
    ):
        super().__init__()
        if manifold and not fid.kid:
            raise ValueError("manifold=True needs the real features: build the "
                             "FrechetInceptionDistance with kid=True")
        self.manifold = bool(manifold)
        if every < 1:
            raise ValueError("every must be >= 1")
        self.fid = fid
        self.every = int(every)
        self.generator = generator
        self.n = n
        self.seed = seed
        self.prefix = prefix
        self.fill_value = fill_value
        self.verbose = int(verbose)
        self.results: list[tuple[int, FIDResult]] = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        names = ("fid", "kid", "kid_std") + (MANIFOLD_LOG_KEYS if self.manifold else ())
        keys = [self.prefix + k for k in names]
        if (epoch + 1) % self.every:
            if self.fill_value is not None:
                for key in keys:
                    logs[key] = self.fill_value
            return
        generator = (
            self.generator if self.generator is not None else getattr(self.model, "generator", None)
        )
        if generator is None:
            raise ValueError("FIDCallback needs generator= or a model with a .generator attribute")
        stats, features = self.fid.generated_features(generator, n=self.n, seed=self.seed)
        result = self.fid.compare(stats, features)
        self.results.append((epoch + 1, result))
        values = [result.fid, result.kid, result.kid_std]
        if self.manifold:
            scores = manifold_metrics(self.fid.real_features, features)
            values += [scores[key] for key in MANIFOLD_LOG_KEYS]
        logs.update(dict(zip(keys, values)))
        if self.verbose:
            print(f"epoch {epoch + 1}: {result}")
