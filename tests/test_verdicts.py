"""The five verdicts and the preconditions, on hand-made numbers and records: the
palindrome's and the DCGAN's claims (the MNIST, zi2zi and MITLGAN ones have their own
files)."""

from types import SimpleNamespace

import numpy as np
import pytest

from reproductions.dcgan.claims import DOCUMENT_EPOCH_UPDATES, collapse_claims
from reproductions.palindrome.claims import claims as palindrome_claims
from reproductions.runner.claims import claims_from_rows
from reproductions.runner.verdicts import (
    COMPARABLE,
    METRIC_DEFINED,
    TIME_SCALE,
    TRAINED,
    VERDICTS,
    Precondition,
    decide,
    directional,
    kind_of,
    no_difference,
    reason_of,
    verdict,
)


def test_directional_and_no_difference_give_each_verdict_by_hand():
    assert kind_of(directional(5.0, 2.0, margin_source="m")) == "supported"
    assert kind_of(directional(-5.0, 2.0, margin_source="m")) == "contradicted"
    within = directional(1.5, 2.0, margin_source="the seed spread")
    assert kind_of(within) == "inconclusive" and "the seed spread" in within and "2" in within
    assert kind_of(no_difference(1.0, 2.0, margin_source="m")) == "supported"
    assert kind_of(no_difference(-3.0, 2.0, margin_source="m")) == "contradicted"
    assert reason_of("inconclusive: within 2") == "within 2"


@pytest.mark.parametrize("kind, expected, words", [
    (TRAINED, "not reached", "did not train"),
    (TIME_SCALE, "not reached", "time scale"),
    (METRIC_DEFINED, "not reached", "undefined"),
    (COMPARABLE, "untested", "compare with nothing"),
])
def test_each_failed_precondition_names_itself(kind, expected, words):
    ran = []
    got = decide([Precondition(kind, False, "what was measured")], lambda: ran.append(1))
    assert kind_of(got) == expected and words in got and "what was measured" in got
    assert not ran  # the test never runs on a run that did not reach its phenomenon
    assert decide([Precondition(kind, True, "")], lambda: verdict("supported", "x")) == \
        "supported: x"


def test_not_supported_is_no_verdict():
    with pytest.raises(ValueError, match="none of the verdicts"):
        claims_from_rows("003", [("a claim", "not supported (within the spread)", "")])
    with pytest.raises(ValueError):
        verdict("partly supported")
    [claim] = claims_from_rows("003", [("a claim", "inconclusive: within 3.5 (sd)", "n")])
    assert (claim.verdict, claim.reason) == ("inconclusive", "within 3.5 (sd)")
    assert set(VERDICTS) == {"supported", "contradicted", "inconclusive", "not reached",
                             "untested"}


def _run(model, length, rate, accuracies, stopped=None):
    return {"model": model, "length": length, "learning_rate": rate,
            "test_accuracy": accuracies, "stopped_early_at": stopped}


SETTINGS = SimpleNamespace(default_learning_rate=1e-3, lengths=(5, 20),
                           learning_rates=(1e-2, 1e-3, 1e-4), epochs=25)


def _palindrome(**runs):
    return {claim: v for claim, v, _ in palindrome_claims(runs, SETTINGS)}


def _epochs(*values, total=100):
    """An accuracy curve of ``total`` epochs: ``values``, then the last one repeated."""
    return list(values) + [values[-1]] * (total - len(values))


def test_the_palindrome_lr_run_stopped_early_or_short_has_not_reached_its_time_scale():
    rising = _epochs(0.2, 0.6, 0.95, 1.0)
    runs = dict(
        high=_run("lstm", 20, 1e-2, rising[:6], stopped=6), low=_run("lstm", 20, 1e-4, rising),
        rnn=_run("rnn", 20, 1e-3, [0.1] * 6), lstm=_run("lstm", 20, 1e-3, rising[:6]))
    claims = _palindrome(**runs)
    for claim in ("On long inputs (T = 20) a lower learning rate ends higher",
                  "On long inputs (T = 20) a high learning rate degrades"):
        assert kind_of(claims[claim]) == "not reached" and "stopped early" in claims[claim]
    # the document's comparison is at T = 20 (its Figures 2 and 9)
    assert kind_of(claims["The LSTM reaches a higher accuracy than the RNN on long inputs "
                          "(T = 20)"]) == "supported"
    assert kind_of(claims["The LSTM converges faster than the RNN (T = 20)"]) == "supported"
    # every epoch of a 25-epoch preset: "eventually" is the document's 100th
    runs["high"] = _run("lstm", 20, 1e-2, rising[:25])
    short = _palindrome(**runs)["On long inputs (T = 20) a high learning rate degrades"]
    assert kind_of(short) == "not reached" and "25 of the document's 100 epochs" in short
    # 100 epochs: a fall from 1.0 to 0.8 is a degradation, and the low rate ends higher
    runs["high"] = _run("lstm", 20, 1e-2, _epochs(0.2, 0.6, 1.0, 0.9, 0.8))
    claims = _palindrome(**runs)
    assert kind_of(claims["On long inputs (T = 20) a high learning rate degrades"]) == "supported"
    assert kind_of(claims["On long inputs (T = 20) a lower learning rate ends higher"]) \
        == "supported"
    runs["high"] = _run("lstm", 20, 1e-2, rising)  # ran 100 epochs and stayed at 1.0
    claims = _palindrome(**runs)
    assert kind_of(claims["On long inputs (T = 20) a high learning rate degrades"]) \
        == "contradicted"
    assert kind_of(claims["On long inputs (T = 20) a lower learning rate ends higher"]) \
        == "inconclusive"


def test_an_lstm_that_never_trained_decides_nothing_about_the_rnn():
    claims = _palindrome(rnn=_run("rnn", 20, 1e-3, [0.1] * 4), lstm=_run("lstm", 20, 1e-3, [0.1] * 4))
    verdict_ = claims["The LSTM reaches a higher accuracy than the RNN on long inputs (T = 20)"]
    assert kind_of(verdict_) == "not reached" and "did not train" in verdict_
    assert kind_of(claims["The LSTM converges faster than the RNN (T = 20)"]) == "not reached"


def _history(epochs, collapsed_at=None, metrics=0.3, jump_at=None):
    e = np.arange(1, epochs + 1, dtype=float)
    loss = np.ones(epochs)
    if jump_at:
        loss[jump_at - 1:] += 5.0
    return {"epoch": e, "collapsed": (e >= collapsed_at).astype(float) if collapsed_at
            else np.zeros(epochs), "generator_loss": loss,
            **{m: np.full(epochs, metrics) for m in ("precision", "recall", "coverage")}}


def test_the_dcgan_collapse_needs_a_run_that_trained_and_reached_the_documents_epochs():
    # the hour run: 50 epochs of 64 updates = 3,200 updates, the document's epoch 6
    flat = _history(50, metrics=0.0)
    [onset, loss] = [v for _, v, _ in collapse_claims(flat, 0.5, 64)]
    assert kind_of(onset) == "not reached" and "did not train" in onset
    assert kind_of(loss) == "not reached"
    short = _history(50)
    onset = collapse_claims(short, 0.5, 64)[0][1]
    assert kind_of(onset) == "not reached" and "time scale" in onset
    # the template-discriminator hour run: flagged at its epoch 24 (the document's 2.9), the
    # loss's largest rise in the warm-up: the document's collapse window was never reached
    template = _history(50, collapsed_at=24, jump_at=2)
    loss = collapse_claims(template, 0.5, 64)[1][1]
    assert kind_of(loss) == "not reached" and "time scale" in loss
    # on the document's axis, a warm-up swing in its first epoch is not the soaring loss
    # (a quarter of the document's epoch per run epoch: 160 epochs reach its epoch 40)
    warm_up = _history(160, collapsed_at=128, jump_at=128)
    warm_up["generator_loss"][1] = 100.0  # the largest raw rise: into epoch 2, doc epoch 0.5
    loss = collapse_claims(warm_up, 0.5, DOCUMENT_EPOCH_UPDATES / 4)[1][1]
    assert kind_of(loss) == "supported"
    # a run on the document's axis: its epoch 32 in updates, the loss jumping with it
    at_32 = _history(40, collapsed_at=32, jump_at=32)
    [onset, loss] = [v for _, v, _ in collapse_claims(at_32, 0.5, DOCUMENT_EPOCH_UPDATES)]
    assert kind_of(onset) == "supported" and kind_of(loss) == "supported"
    early = _history(40, collapsed_at=10, jump_at=30)
    [onset, loss] = [v for _, v, _ in collapse_claims(early, 0.5, DOCUMENT_EPOCH_UPDATES)]
    assert kind_of(onset) == "contradicted" and kind_of(loss) == "contradicted"
    never = _history(60)
    assert kind_of(collapse_claims(never, 0.5, DOCUMENT_EPOCH_UPDATES)[0][1]) == "contradicted"


def test_a_high_rate_that_never_trained_or_is_still_improving_cannot_show_a_degradation():
    rising = _epochs(0.2, 0.6, 0.95, 1.0)
    runs = dict(low=_run("lstm", 20, 1e-4, rising), rnn=_run("rnn", 20, 1e-3, [0.1] * 6),
                lstm=_run("lstm", 20, 1e-3, rising))
    claim = "On long inputs (T = 20) a high learning rate degrades"
    stuck = _palindrome(high=_run("lstm", 20, 1e-2, _epochs(0.1, 0.1, 0.105, 0.1)), **runs)[claim]
    assert kind_of(stuck) == "not reached" and "did not train" in stuck
    improving = _palindrome(high=_run("lstm", 20, 1e-2,
                                      [0.2 + 0.006 * k for k in range(100)]), **runs)[claim]
    assert kind_of(improving) == "not reached" and "still improving" in improving
