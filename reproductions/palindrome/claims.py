"""The palindrome report's claims (document 002, Part 1), decided from the runs' records."""

from __future__ import annotations

import numpy as np

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
    directional,
    verdict,
)

TARGET_ACCURACY = 0.9


def epochs_to(accuracies, target: float = TARGET_ACCURACY):
    """First epoch (1-based) whose test accuracy reaches ``target``, or None."""
    hits = [i + 1 for i, a in enumerate(accuracies) if a >= target]
    return hits[0] if hits else None


def find_run(results, model, length, rate):
    for run in results.values():
        if (run["model"], run["length"]) == (model, length) and np.isclose(run["learning_rate"],
                                                                           rate):
            return run
    return None


CHANCE = 0.1  # ten digits
#: the length the document compares the LSTM with the RNN and the learning rates at
#: (its Figures 2, 7 and 9); T = 5 for the short-input claims (Figure 6)
LONG_T, SHORT_T = 20, 5
ACCURACY_MARGIN = "one point of test accuracy (a convention; one seed, no measured spread)"
EPOCH_MARGIN = "one epoch (a convention; one seed)"
DEGRADE = 0.05  # a fall from the best test accuracy larger than this is a degradation
DOCUMENT_EPOCHS = 100  # the document's runs (its Figures 6-8)


def _epochs_label(value) -> str:
    return "never" if value is None else str(value)


def _faster(fast, slow, epochs_run: int) -> str:
    """Whether the run ``fast`` reaches :data:`TARGET_ACCURACY` at least one epoch before
    ``slow`` (accuracy lists); a run that never reaches it counts as needing more than
    it trained."""
    e_fast, e_slow = epochs_to(fast), epochs_to(slow)
    if e_fast is None and e_slow is None:
        return verdict(NOT_REACHED, f"{PRECONDITION_KINDS[TIME_SCALE]} (neither run reached "
                                    f"{TARGET_ACCURACY:.0%} in {epochs_run} epochs)")
    effect = (e_slow if e_slow is not None else len(slow) + 1) - (
        e_fast if e_fast is not None else len(fast) + 1)
    return directional(effect, 0.5, margin_source=EPOCH_MARGIN)


def claims(results, config) -> list[tuple[str, str, str]]:
    """The document's claims, each (claim, "VERDICT: reason", measured), decided from the
    runs' accuracy records.

    Args:
        results: {run name: record} with ``model``, ``length``, ``learning_rate``,
            ``test_accuracy`` (per epoch) and ``stopped_early_at`` (None: trained
            every epoch).
        config: the study's settings (``default_learning_rate``, ``lengths``,
            ``learning_rates``, ``epochs``).
    """
    default, out = config.default_learning_rate, []
    rnn, lstm = find_run(results, "rnn", LONG_T, default), find_run(results, "lstm", LONG_T, default)
    accuracy = f"The LSTM reaches a higher accuracy than the RNN on long inputs (T = {LONG_T})"
    faster = f"The LSTM converges faster than the RNN (T = {LONG_T})"
    if rnn and lstm:
        best_r, best_l = max(rnn["test_accuracy"]), max(lstm["test_accuracy"])
        trained = Precondition(TRAINED, best_l > CHANCE + 0.01,
                               f"the LSTM's best {best_l:.3f} against chance {CHANCE:.1f}")
        out.append((accuracy, decide([trained], lambda: directional(
            best_l - best_r, 0.01, margin_source=ACCURACY_MARGIN)),
            f"best test accuracy LSTM {best_l:.3f}, RNN {best_r:.3f}"))
        out.append((faster, _faster(lstm["test_accuracy"], rnn["test_accuracy"],
                                    len(lstm["test_accuracy"])),
                    f"epochs to {TARGET_ACCURACY:.0%}: LSTM "
                    f"{_epochs_label(epochs_to(lstm['test_accuracy']))}, RNN "
                    f"{_epochs_label(epochs_to(rnn['test_accuracy']))}"))
    else:
        why = f"this run has no T = {LONG_T} (--lengths): the document compares them there"
        out += [(accuracy, verdict(UNTESTED, why), ""), (faster, verdict(UNTESTED, why), "")]
    rates = sorted(config.learning_rates)
    if rates[0] != rates[-1] and LONG_T in config.lengths:
        low, high = (find_run(results, "lstm", LONG_T, rates[0]),
                     find_run(results, "lstm", LONG_T, rates[-1]))
        if low and high:
            out += _long_input_rate_claims(low, high, rates)
    if rates[0] != rates[-1] and SHORT_T in config.lengths:
        low, high = (find_run(results, "lstm", SHORT_T, rates[0]),
                     find_run(results, "lstm", SHORT_T, rates[-1]))
        if low and high:
            out.append((f"On short inputs (T = {SHORT_T}) a higher learning rate converges faster",
                        _faster(high["test_accuracy"], low["test_accuracy"],
                                len(high["test_accuracy"])),
                        f"epochs to {TARGET_ACCURACY:.0%}: lr {rates[-1]:g} "
                        f"{_epochs_label(epochs_to(high['test_accuracy']))}, lr {rates[0]:g} "
                        f"{_epochs_label(epochs_to(low['test_accuracy']))}"))
    return out


def _long_input_rate_claims(low, high, rates) -> list[tuple[str, str, str]]:
    """The two claims on the learning rate at T = 20: both need the runs to have trained
    every one of the document's 100 epochs (a run stopped at 100%, or a shorter run,
    cannot show what happens "eventually")."""
    final_low, final_high = low["test_accuracy"][-1], high["test_accuracy"][-1]
    best_high = max(high["test_accuracy"])
    every_epoch = Precondition(
        TIME_SCALE, not high.get("stopped_early_at") and not low.get("stopped_early_at"),
        f"a run stopped early at 100% test accuracy (lr {rates[-1]:g} at epoch "
        f"{high.get('stopped_early_at') or '-'}, lr {rates[0]:g} at epoch "
        f"{low.get('stopped_early_at') or '-'}), so a later degradation could not appear")
    epochs_run = min(len(high["test_accuracy"]), len(low["test_accuracy"]))
    long_enough = Precondition(TIME_SCALE, epochs_run >= DOCUMENT_EPOCHS,
                               f"the runs trained {epochs_run} of the document's "
                               f"{DOCUMENT_EPOCHS} epochs: \"eventually\" is at its end")
    drop = best_high - final_high
    high_trained = Precondition(TRAINED, best_high > CHANCE + 0.01,
                                f"lr {rates[-1]:g}'s best {best_high:.3f} against chance "
                                f"{CHANCE:.1f}")
    peaked = Precondition(TIME_SCALE, int(np.argmax(high["test_accuracy"])) + 1
                          < len(high["test_accuracy"]) or drop > 0 or best_high >= 1.0,
                          f"lr {rates[-1]:g} was still improving at its last epoch: a later "
                          "degradation could not show yet")

    def degrades():
        if drop > DEGRADE:
            return verdict(SUPPORTED, f"a fall of {drop:.3f} from the best, more than {DEGRADE} "
                                      "(a convention)")
        if drop <= 0.01:
            return verdict(CONTRADICTED, f"it ends within one point of its best ({drop:.3f})")
        return verdict(INCONCLUSIVE, f"a fall of {drop:.3f}: between one point and {DEGRADE}")

    return [
        (f"On long inputs (T = {LONG_T}) a lower learning rate ends higher",
         decide([every_epoch, long_enough], lambda: directional(final_low - final_high, 0.01,
                                                    margin_source=ACCURACY_MARGIN)),
         f"final test accuracy at lr {rates[0]:g}: {final_low:.3f}, at lr {rates[-1]:g}: "
         f"{final_high:.3f}"),
        (f"On long inputs (T = {LONG_T}) a high learning rate degrades",
         decide([every_epoch, long_enough, high_trained, peaked], degrades),
         f"lr {rates[-1]:g}: best {best_high:.3f}, final {final_high:.3f}"),
    ]
