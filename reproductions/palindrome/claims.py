"""The palindrome report's claims (document 002, Part 1), decided from the runs' records."""

from __future__ import annotations

import numpy as np

from reproductions.palindrome.config import LEARNING_RATE_LENGTHS

TARGET_ACCURACY = 0.9


MARGIN = 0.01  # differences of accuracy smaller than one point count as ties


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


def claims(results, config) -> list[tuple[str, str, str]]:
    """The report's claims, each (claim, verdict, measured)."""
    default, longest = config.default_learning_rate, max(config.lengths)
    rnn, lstm = find_run(results, "rnn", longest, default), find_run(results, "lstm", longest, default)
    out = []
    if rnn and lstm:
        best_r, best_l = max(rnn["test_accuracy"]), max(lstm["test_accuracy"])
        out.append((f"The LSTM reaches a higher accuracy than the RNN on long inputs (T = {longest})",
                    "supported" if best_l > best_r + MARGIN else "not supported",
                    f"best test accuracy LSTM {best_l:.3f}, RNN {best_r:.3f}"))
        e_r, e_l = epochs_to(rnn["test_accuracy"]), epochs_to(lstm["test_accuracy"])
        faster = e_l is not None and (e_r is None or e_l < e_r)
        out.append((f"The LSTM converges faster than the RNN (T = {longest})",
                    "supported" if faster else "not supported",
                    f"epochs to {TARGET_ACCURACY:.0%}: LSTM {e_l or 'never'}, RNN {e_r or 'never'}"))
    rates = sorted(config.learning_rates)
    long_t = max((t for t in config.lengths if t in LEARNING_RATE_LENGTHS), default=None)
    short = min((t for t in config.lengths if t in LEARNING_RATE_LENGTHS), default=None)
    has_long = long_t is not None and long_t > short  # one length cannot be both
    low, high = (find_run(results, "lstm", long_t, rates[0]) if has_long else None,
                 find_run(results, "lstm", long_t, rates[-1]) if has_long else None)
    if low and high and rates[0] != rates[-1]:
        out.append((f"On long inputs (T = {long_t}) a lower learning rate ends higher",
                    "supported" if low["test_accuracy"][-1] > high["test_accuracy"][-1] + MARGIN
                    else "not supported",
                    f"final test accuracy at lr {rates[0]:g}: {low['test_accuracy'][-1]:.3f}, at "
                    f"lr {rates[-1]:g}: {high['test_accuracy'][-1]:.3f}"))
        drop = max(high["test_accuracy"]) - high["test_accuracy"][-1]
        out.append((f"On long inputs (T = {long_t}) a high learning rate degrades",
                    "supported" if drop > 0.05 else "not supported",
                    f"lr {rates[-1]:g}: best {max(high['test_accuracy']):.3f}, final "
                    f"{high['test_accuracy'][-1]:.3f} (a fall of more than 0.05 counts)"))
    low, high = (find_run(results, "lstm", short, rates[0]) if short else None,
                 find_run(results, "lstm", short, rates[-1]) if short else None)
    if low and high and rates[0] != rates[-1]:
        e_low, e_high = epochs_to(low["test_accuracy"]), epochs_to(high["test_accuracy"])
        faster = e_high is not None and (e_low is None or e_high < e_low)
        out.append((f"On short inputs (T = {short}) a higher learning rate converges faster",
                    "supported" if faster else "not supported",
                    f"epochs to {TARGET_ACCURACY:.0%}: lr {rates[-1]:g} {e_high or 'never'}, "
                    f"lr {rates[0]:g} {e_low or 'never'}"))
    return out
