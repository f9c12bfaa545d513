"""Document 001's claims on its DCGAN's collapse, decided from the per-epoch history."""

from __future__ import annotations

import numpy as np


def collapse_claims(history, fraction) -> list[tuple[str, str, str]]:
    """The collapse claims (claim, verdict, measured) from the history columns `epoch`,
    `collapsed` and `generator_loss`; `fraction` is the collapse threshold."""
    collapsed = [int(e) for e, c in zip(history["epoch"], history["collapsed"]) if c > 0.5]
    first = collapsed[0] if collapsed else None
    jumps = np.diff(history["generator_loss"])
    jump_epoch = int(history["epoch"][1:][np.argmax(jumps)]) if len(jumps) else None
    return [
        ("Mode collapse sets in after about 30 epochs",
         "supported" if first is not None and 28 <= first <= 40 else "not supported",
         f"first epoch flagged: {first if first else 'none'} (coverage or diversity below "
         f"{fraction:.0%} of its best so far); flagged epochs: {collapsed or 'none'}"),
        ("The generator loss soars when the collapse starts",
         "supported" if first is not None and jump_epoch is not None
         and abs(jump_epoch - first) <= 2 else "not supported",
         f"largest rise of the generator loss at epoch {jump_epoch}; first collapsed epoch "
         f"{first if first else 'none'}"),
    ]
