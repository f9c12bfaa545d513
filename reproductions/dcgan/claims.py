"""Document 001's claims on its DCGAN's collapse, decided from the per-epoch history."""

from __future__ import annotations

import numpy as np

from reproductions.dcgan.config import TRAIN_STAGE
from reproductions.runner import claims_from_rows, write_claims


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


def decide_claims(context) -> list[tuple[str, str, str]]:
    """Decide the collapse claims from the training stage's ``history.csv`` and write
    ``claims.json`` with the run's budget; returns the rows."""
    from mitlgan.artifacts import HISTORY_FILE
    from mitlgan.plots import read_history_csv

    settings = context.settings
    history = read_history_csv(context.stage_dir(TRAIN_STAGE) / HISTORY_FILE)
    done = context.done_payload(TRAIN_STAGE)
    claims = collapse_claims(history, settings.collapse_fraction)
    write_claims(context, claims_from_rows("001", claims), {
        "epochs": int(done["epochs"]), "updates": done.get("train_steps"),
        "images": int(done.get("images", 0)) or None,
        "widths": [settings.generator_channels, settings.discriminator_channels],
        "seeds": 1, "data": settings.images or "built-in sprites",
        "report": "anime faces, widths 512/64, 50 epochs"})
    return claims
