"""The record of one FID/KID evaluation, and the small-N warning every FID path shares.

A :class:`FIDResult` carries the backbone and N of its numbers, so a CSV row or a
printed line never shows a FID without saying what made it.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["DEFAULT_N", "MIN_RECOMMENDED_N", "FIDResult", "SmallSampleWarning", "warn_small_sample"]

DEFAULT_N = 10_000
MIN_RECOMMENDED_N = 2048


class SmallSampleWarning(UserWarning):
    """N is below :data:`MIN_RECOMMENDED_N`: the FID is strongly biased and noisy."""


def warn_small_sample(n: int, what: str, feature_dim: int | None = None) -> None:
    """Warn (:class:`SmallSampleWarning`) when ``n`` is below :data:`MIN_RECOMMENDED_N`,
    or below ``feature_dim`` for features of another width (a 128-d judge's covariance
    is full-rank from 129 samples on)."""
    threshold = MIN_RECOMMENDED_N if feature_dim is None else int(feature_dim)
    if n < threshold:
        warnings.warn(
            f"FID from only {n} {what} (< {threshold}): the covariance is rank-deficient "
            "and FID is biased upwards by an N-dependent amount. Compare FIDs only at equal N "
            "and equal backbone.",
            SmallSampleWarning,
            stacklevel=3,
        )


@dataclass(frozen=True)
class FIDResult:
    """One evaluation. ``as_row(model)`` gives the CSV row ``model,backbone,n,fid,kid,kid_std``.

    Attributes:
        fid: Fréchet Inception Distance (float64 arithmetic).
        kid: Kernel Inception Distance (raw, not ×1000); NaN if not computed.
        kid_std: standard deviation of KID over its subsets; NaN if not computed.
        backbone: ``"<backbone id>@<input size>"``, e.g. ``"keras-imagenet@299"``.
        n: number of generated (or evaluated) images.
        n_real: number of real images behind the reference statistics.
        comparable: False when the backbone is the untrained ``"random"`` network.
        note: what the backbone's numbers can be compared with.
    """

    fid: float
    kid: float
    kid_std: float
    backbone: str
    n: int
    n_real: int
    comparable: bool
    note: str = ""

    ROW_FIELDS = ("model", "backbone", "n", "fid", "kid", "kid_std")

    def as_row(self, model: str) -> dict[str, Any]:
        """``{"model", "backbone", "n", "fid", "kid", "kid_std"}`` for ``csv.DictWriter``."""
        return {
            "model": model,
            "backbone": self.backbone,
            "n": self.n,
            "fid": self.fid,
            "kid": self.kid,
            "kid_std": self.kid_std,
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        text = f"FID {self.fid:.4f}"
        if not math.isnan(self.kid):
            text += f", KID {self.kid:.5f} ± {self.kid_std:.5f}"
        text += f" [{self.backbone}, N={self.n} vs {self.n_real} real]"
        if not self.comparable:
            text += (" UNTRAINED BACKBONE: NOT COMPARABLE" if self.backbone.startswith("random")
                     else " (compares only with this backbone)")
        return text
