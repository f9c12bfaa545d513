"""Document 001's claims on its DCGAN's collapse, decided from the per-epoch history."""

from __future__ import annotations

import numpy as np

from reproductions.dcgan.config import TRAIN_STAGE
from reproductions.runner import claims_from_rows, write_claims
from reproductions.runner.verdicts import (
    CONTRADICTED,
    INCONCLUSIVE,
    NOT_REACHED,
    PRECONDITION_KINDS,
    SUPPORTED,
    TIME_SCALE,
    TRAINED,
    UNTESTED,
    Precondition,
    decide,
    verdict,
)

#: document 001's training: 33,431 anime faces at batch 64 (carpedm20's default; the
#: report names no batch), so one of its epochs is 523 generator updates
DOCUMENT_IMAGES, DOCUMENT_BATCH = 33_431, 64
DOCUMENT_EPOCH_UPDATES = -(-DOCUMENT_IMAGES // DOCUMENT_BATCH)
#: "after about 30 epochs" (its loss soars at 32, samples collapsed at 35): the window
ABOUT_30 = (28, 40)
#: the metrics that must move for a run to have trained (0 everywhere: it learnt nothing)
TRAINING_METRICS = ("precision", "recall", "coverage")


def _trained(history) -> Precondition:
    best = {m: max(history[m]) for m in TRAINING_METRICS if m in history}
    return Precondition(TRAINED, any(v > 0 for v in best.values()),
                        "precision, recall and coverage stayed at 0 in every epoch")


def collapse_claims(history, fraction, updates_per_epoch: float) -> list[tuple[str, str, str]]:
    """Document 001's collapse claims (claim, "VERDICT: reason", measured).

    Args:
        history: per-epoch columns ``epoch``, ``collapsed`` (1.0 when coverage or
            diversity fell below ``fraction`` of its best so far), ``generator_loss`` and
            the metrics of :data:`TRAINING_METRICS`.
        fraction: the collapse threshold.
        updates_per_epoch: the run's generator updates per epoch, to set its epochs on
            the document's time axis (:data:`DOCUMENT_EPOCH_UPDATES` updates an epoch).
    """
    epochs = [int(e) for e in history["epoch"]]
    collapsed = [e for e, c in zip(epochs, history["collapsed"]) if c > 0.5]
    first = collapsed[0] if collapsed else None

    def document_epoch(epoch):  # where a run's epoch falls on the document's time axis
        return epoch * updates_per_epoch / DOCUMENT_EPOCH_UPDATES

    reached = document_epoch(epochs[-1])
    window = [w * DOCUMENT_EPOCH_UPDATES for w in ABOUT_30]
    scale = (f"the run's {epochs[-1]} epochs are {epochs[-1] * updates_per_epoch:,.0f} updates, "
             f"the document's epoch {reached:.1f}; its collapse came at epochs "
             f"{ABOUT_30[0]}-{ABOUT_30[1]} ({window[0]:,.0f}-{window[1]:,.0f} updates)")
    trained = _trained(history)

    def sets_in_about_30():
        if reached < ABOUT_30[0]:  # too short to tell early from about 30
            return verdict(NOT_REACHED, f"{PRECONDITION_KINDS[TIME_SCALE]} ({scale})")
        if first is not None and document_epoch(first) < ABOUT_30[0]:
            return verdict(CONTRADICTED, f"it collapsed at the document's epoch "
                                         f"{document_epoch(first):.1f}, before {ABOUT_30[0]}")
        if first is not None and document_epoch(first) <= ABOUT_30[1]:
            return verdict(SUPPORTED, f"it collapsed at the document's epoch "
                                      f"{document_epoch(first):.1f}")
        if reached > ABOUT_30[1]:
            return verdict(CONTRADICTED, f"no collapse by the document's epoch {ABOUT_30[1]}")
        return verdict(INCONCLUSIVE, f"no collapse yet by the document's epoch "
                                     f"{reached:.1f}, inside the window ({scale})")

    # The largest rise after the document's first epoch: the first epoch's swings are
    # every GAN's warm-up, not the soaring the document saw at its collapse.
    jumps = np.diff(history["generator_loss"])
    after_warm_up = [i for i, e in enumerate(epochs[1:]) if document_epoch(e) >= 1]
    jump_epoch = (int(epochs[1:][max(after_warm_up, key=lambda i: jumps[i])])
                  if after_warm_up else None)
    flagged = Precondition(TIME_SCALE, first is not None and jump_epoch is not None,
                           "no epoch of the run was flagged collapsed, so no onset to "
                           f"align the loss with ({scale})")
    # the onset the document pairs with its soaring loss is its collapse at about 30
    window_reached = Precondition(TIME_SCALE, reached >= ABOUT_30[0], scale)
    return [
        ("Mode collapse sets in after about 30 epochs", decide([trained], sets_in_about_30),
         f"first epoch flagged: {first if first else 'none'} (coverage or diversity below "
         f"{fraction:.0%} of its best so far); flagged epochs: {collapsed or 'none'}; "
         f"{scale}"),
        ("The generator loss soars when the collapse starts",
         decide([trained, window_reached, flagged], lambda: verdict(
             SUPPORTED if abs(document_epoch(jump_epoch) - document_epoch(first)) <= 2
             else CONTRADICTED,
             f"the largest rise is {abs(document_epoch(jump_epoch) - document_epoch(first)):.1f} "
             "of the document's epochs from the onset (within 2 counts: its loss soared at "
             "32, its collapse at about 30)")),
         f"largest rise of the generator loss at epoch {jump_epoch}; first collapsed epoch "
         f"{first if first else 'none'}"),
    ]


CELEBA_CLAIM = "A DCGAN generates CelebA faces"
CELEBA_COMMAND = ("python -m reproductions.dcgan --network tutorial --dataset celeba "
                  "--images DIR --preset full")


def _celeba_claims(context, settings, done) -> list[tuple[str, str, str]]:
    """Document 000's faces, shown by eye: untested here on any data, and on anything
    but CelebA the row says which command a user with CelebA runs."""
    why = ("document 000 shows its faces by eye, with no measure; this run's grids and "
           "per-epoch metrics are in its report" if settings.dataset == "celeba" else
           f"this run trained on {settings.images or 'the built-in sprites'}, not CelebA "
           f"(which cannot be had offline); with CelebA: {CELEBA_COMMAND}")
    claims = [(CELEBA_CLAIM, verdict(UNTESTED, why), "")]
    write_claims(context, claims_from_rows("000", claims), {
        "epochs": int(done["epochs"]), "updates": done.get("train_steps"), "seeds": 1,
        "network": "the PyTorch DCGAN tutorial's"},
        data=settings.images or "built-in sprites for CelebA faces", share=None,
        share_of="document 000's CelebA run (about 24 h on a GeForce 940MX; epochs not "
                 "stated)")
    return claims


def decide_claims(context) -> list[tuple[str, str, str]]:
    """Decide the collapse claims from the training stage's ``history.csv`` and write
    ``claims.json`` with the run's budget; returns the rows."""
    from mitlgan.artifacts import HISTORY_FILE
    from mitlgan.plots import read_history_csv

    settings = context.settings
    history = read_history_csv(context.stage_dir(TRAIN_STAGE) / HISTORY_FILE)
    done = context.done_payload(TRAIN_STAGE)
    if settings.network == "tutorial":
        return _celeba_claims(context, settings, done)
    updates_per_epoch = done.get("train_steps", 0) / max(int(done["epochs"]), 1)
    claims = collapse_claims(history, settings.collapse_fraction, updates_per_epoch)
    write_claims(context, claims_from_rows("001", claims), {
        "epochs": int(done["epochs"]), "updates": done.get("train_steps"),
        "images": int(done.get("images", 0)) or None,
        "widths": [settings.generator_channels, settings.discriminator_channels],
        "seeds": 1, "report": "anime faces, widths 512/64, 50 epochs"},
        data=(f"the images of {settings.images} for anime faces" if settings.images else
              "built-in sprites (the synthetic scenes' creatures) for anime faces"),
        share=(done.get("train_steps") or 0) / (50 * DOCUMENT_EPOCH_UPDATES),
        share_of=f"the document's 50 epochs of {DOCUMENT_IMAGES:,} images at batch "
                 f"{DOCUMENT_BATCH} ({50 * DOCUMENT_EPOCH_UPDATES:,} updates)")
    return claims
