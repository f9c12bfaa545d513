"""The five verdicts a claim can get, each with its reason, decided by code.

| verdict | when |
| --- | --- |
| supported | the effect is in the claim's direction beyond the stated margin (for "no difference": within it) |
| contradicted | beyond the margin in the other direction |
| inconclusive | within the seed spread or the margin (the reason says which, with the numbers) |
| not reached | a precondition of the claim failed in the run: the variant did not train, the phenomenon's time scale was not reached, the metric is undefined |
| untested | the data or budget is not here, or the only numbers come from a network that compares with nothing |

A verdict is written ``"KIND: reason"``; :func:`kind_of` reads the kind back. Each claim
declares its preconditions (:class:`Precondition`) next to its test; :func:`decide`
checks them first, so a run that never reached the phenomenon is never read as evidence
about it. Every margin says where it comes from (the document, a convention, the seed
spread, a sampling error).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

SUPPORTED = "supported"
CONTRADICTED = "contradicted"
INCONCLUSIVE = "inconclusive"
NOT_REACHED = "not reached"
UNTESTED = "untested"
VERDICTS = (SUPPORTED, CONTRADICTED, INCONCLUSIVE, NOT_REACHED, UNTESTED)

#: the kinds of precondition, and what their failure means
TRAINED = "trained"  # the variant beat a floor (identity baseline, chance)
TIME_SCALE = "time scale"  # the run reached the phenomenon's time (updates, epochs)
METRIC_DEFINED = "metric defined"  # the metric means something for this model
COMPARABLE = "comparable numbers"  # the numbers come from a network that compares
PRECONDITION_KINDS = {
    TRAINED: "the run did not train",
    TIME_SCALE: "the phenomenon's time scale was not reached",
    METRIC_DEFINED: "the metric is undefined",
    COMPARABLE: "the numbers compare with nothing",
}


def verdict(kind: str, reason: str = "") -> str:
    """``"KIND: reason"`` (or the kind alone); ``kind`` must be one of :data:`VERDICTS`."""
    if kind not in VERDICTS:
        raise ValueError(f"verdict {kind!r} is not one of {VERDICTS}")
    return f"{kind}: {reason}" if reason else kind


def kind_of(text: str) -> str:
    """The verdict's kind (one of :data:`VERDICTS`) of a ``"KIND: reason"`` string.

    Raises:
        ValueError: the text starts with no known verdict (e.g. the retired "not
            supported").
    """
    for kind in VERDICTS:
        if text == kind or text.startswith(f"{kind}:") or text.startswith(f"{kind} ("):
            return kind
    raise ValueError(f"{text!r} starts with none of the verdicts {VERDICTS}")


def reason_of(text: str) -> str:
    """The reason of a ``"KIND: reason"`` verdict ('' when there is none)."""
    kind = kind_of(text)
    return text[len(kind):].lstrip(": ").strip()


@dataclass(frozen=True)
class Precondition:
    """Something the run must have done for a claim to be decided by it.

    Attributes:
        kind: one of :data:`PRECONDITION_KINDS`.
        holds: whether it held in the run.
        detail: what was measured, e.g. "chars_third's held-out L1 0.079 is not below
            the identity baseline's 0.067".
    """

    kind: str
    holds: bool
    detail: str

    def __post_init__(self):
        if self.kind not in PRECONDITION_KINDS:
            raise ValueError(f"precondition kind {self.kind!r} is not one of "
                             f"{sorted(PRECONDITION_KINDS)}")


def failed_precondition(preconditions: Iterable[Precondition]) -> str | None:
    """The verdict of the first precondition that failed, or None when all held:
    *untested* when the numbers compare with nothing (nothing was measured here),
    *not reached* otherwise, naming what failed."""
    for condition in preconditions:
        if not condition.holds:
            kind = UNTESTED if condition.kind == COMPARABLE else NOT_REACHED
            return verdict(kind, f"{PRECONDITION_KINDS[condition.kind]} ({condition.detail})")
    return None


def decide(preconditions: Iterable[Precondition], test: Callable[[], str]) -> str:
    """The claim's verdict: the first failed precondition's, else ``test()``'s."""
    return failed_precondition(preconditions) or test()


def directional(effect: float, margin: float, *, margin_source: str,
                numbers: str = "") -> str:
    """A claim that an effect is positive ("A beats B" with ``effect`` = how much A is
    better, in the claim's units).

    Returns:
        *supported* when ``effect > margin``, *contradicted* when ``effect < -margin``,
        else *inconclusive*; the reason names the margin and its source.
    """
    detail = f"{numbers}; " if numbers else ""
    if effect > margin:
        return verdict(SUPPORTED, f"{detail}beyond the margin {margin:.3g} ({margin_source})")
    if effect < -margin:
        return verdict(CONTRADICTED, f"{detail}the other way, beyond the margin {margin:.3g} "
                                     f"({margin_source})")
    return verdict(INCONCLUSIVE, f"{detail}within the margin {margin:.3g} ({margin_source})")


def no_difference(difference: float, margin: float, *, margin_source: str,
                  numbers: str = "") -> str:
    """A claim that two things are about the same ("adds little").

    Returns:
        *supported* when ``|difference| <= margin``, else *contradicted*.
    """
    detail = f"{numbers}; " if numbers else ""
    if abs(difference) <= margin:
        return verdict(SUPPORTED, f"{detail}within the margin {margin:.3g} ({margin_source})")
    return verdict(CONTRADICTED, f"{detail}a difference beyond the margin {margin:.3g} "
                                 f"({margin_source})")
