"""The documents' claims, each given one of the five verdicts by the numbers we measured.

A comparison of two ablation variants uses the judge-feature Fréchet distance (lower is
better) over seeds. A difference counts only when it is larger than the two variants'
seed spreads together (sd_a + sd_b); otherwise the claim is "inconclusive (within the
spread between seeds)".
"""

from __future__ import annotations

import json
import math

import numpy as np

from mitlgan.files import write_atomic
from reproductions.mnist_gans.config import (
    SUMMARY_FILE,
    TRAIN_STAGE,
    VARIANTS,
    ablation_stage_name,
)
from reproductions.mnist_gans.training import judge, mnist
from reproductions.runner import RESULT_FILE, claims_from_rows, seed_folder, write_claims
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
    kind_of,
    no_difference,
    verdict,
)

DOCUMENT_000_DIGITS = (3, 7, 9)  # the digits its GAN over-produced


def summarize(runs: list[dict]) -> dict:
    """Mean and sd (ddof=1 when there are 2+ runs, else 0) of each judge metric and s/epoch."""
    def stats(values):
        values = np.asarray(values, np.float64)
        return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0

    out = {key: stats([r["scores"][key] for r in runs])
           for key in ("feature_fd", "kl_to_uniform", "classes_covered", "mean_confidence")}
    out["seconds_per_epoch"] = stats([r["seconds_per_epoch"] for r in runs])
    out["seeds"] = len(runs)
    return out


SPREAD = "the two variants' seed spreads, sd_a + sd_b"


def _compare(summary, winner: str, loser: str) -> str:
    """*winner* has the lower (better) judge-feature FD than *loser* beyond the two seed
    spreads: supported; the other way beyond them: contradicted; else inconclusive."""
    (mean_w, sd_w), (mean_l, sd_l) = summary[winner]["feature_fd"], summary[loser]["feature_fd"]
    if min(summary[winner]["seeds"], summary[loser]["seeds"]) < 2:
        return verdict(INCONCLUSIVE, "one seed: the spread between seeds is not measured")
    return directional(mean_l - mean_w, sd_w + sd_l, margin_source=SPREAD)


def _same(summary, a: str, b: str) -> str:
    """A claim of no difference ("adds little"): within the two seed spreads."""
    (mean_a, sd_a), (mean_b, sd_b) = summary[a]["feature_fd"], summary[b]["feature_fd"]
    if min(summary[a]["seeds"], summary[b]["seeds"]) < 2:
        return verdict(INCONCLUSIVE, "one seed: the spread between seeds is not measured")
    return no_difference(mean_a - mean_b, sd_a + sd_b, margin_source=SPREAD)


def _fd(summary, name):
    mean, sd = summary[name]["feature_fd"]
    return f"{name} FD {mean:.1f} ± {sd:.1f}"


def trained(summary, names, floor: float | None) -> Precondition:
    """At least one of the compared variants learned something: its judge-feature FD
    is below ``floor`` (uniform noise's, :meth:`mitlgan.metrics.judge.Judge.noise_floor`)
    by more than its seed spread. Two variants that both stay at noise level compare
    nothing (both "the same", or one "better", by accident)."""
    if floor is None:
        return Precondition(TRAINED, True, "no floor measured")
    above = [name for name in names
             if sum(summary[name]["feature_fd"]) >= floor]  # mean + sd not below it
    return Precondition(TRAINED, len(above) < len(names),
                        f"{', '.join(_fd(summary, n) for n in names)}: none below uniform "
                        f"noise's judge-feature FD {floor:.1f} by its seed spread")


def ablation_claims(summary: dict, floor: float | None = None) -> list[tuple[str, str, str]]:
    """[(claim of document 003, "VERDICT: reason", the numbers)] from per-variant
    summaries (mean and sd over seeds of the judge-feature FD: lower is better); each
    comparison needs one of its variants below ``floor``, the FD of uniform noise
    (:func:`trained`; None: not checked)."""
    claims = []

    def add(claim, names, test, numbers):
        claims.append((claim, decide([trained(summary, names, floor)], test), numbers))

    def versus(claim, winner, loser):
        add(claim, (winner, loser), lambda: _compare(summary, winner, loser),
            f"{_fd(summary, winner)} vs {_fd(summary, loser)}")

    rates = [n for n in ("d_dropout_0.3", "d_dropout_0.4", "d_dropout_0.5") if n in summary]
    claim, result, numbers = _dropout_claim(summary)
    add(claim, ("base", *rates), lambda result=result: result, numbers)
    versus("Adam for both beats SGD for the discriminator", "base", "sgd_d")
    versus("Data in [-1, 1] helps a lot (vs the original data, 0-255)", "base", "data_0_255")
    add("BatchNorm in the generator adds little", ("g_batchnorm", "base"),
        lambda: _same(summary, "g_batchnorm", "base"),
        f"{_fd(summary, 'g_batchnorm')} vs {_fd(summary, 'base')}")
    versus("Gaussian noise beats uniform noise", "base", "uniform_noise")
    versus("Wider layers beat a fixed 128 units", "base", "fixed_128")
    claim, result, numbers = _conv_claim(summary)
    add(claim, ("conv_8_16_32_long", "epochs_100"), lambda result=result: result, numbers)
    claim, result, numbers = _more_epochs_claim(summary)
    add(claim, EPOCH_VARIANTS, lambda result=result: result, numbers)
    # "a little better, but almost the same": only a difference beyond the spread decides
    versus("16/32/64 filters are a little better than 8/16/32", "conv_16_32_64", "conv_8_16_32")
    if floor is not None:
        claims = [(c, v, f"{n}; uniform noise FD {floor:.1f}") for c, v, n in claims]
    return claims


def _dropout_claim(summary) -> tuple[str, str, str]:
    """The document's rate is not stated: supported when some rate beats the base beyond
    the spread and none is worse beyond it, contradicted when every rate is worse."""
    rates = [n for n in ("d_dropout_0.3", "d_dropout_0.4", "d_dropout_0.5") if n in summary]
    outcomes = {n: kind_of(_compare(summary, n, "base")) for n in rates}
    numbers = "; ".join(_fd(summary, n) for n in rates) + f"; {_fd(summary, 'base')}"
    better = [n.rsplit("_", 1)[1] for n, o in outcomes.items() if o == SUPPORTED]
    worse = [n.rsplit("_", 1)[1] for n, o in outcomes.items() if o == CONTRADICTED]
    if better and not worse:
        result = verdict(SUPPORTED, f"rate {', '.join(better)} beats the base beyond {SPREAD} "
                                    "and no rate is worse (the document's rate is not stated)")
    elif worse and len(worse) == len(rates):
        result = verdict(CONTRADICTED, f"every rate is worse than the base beyond {SPREAD}")
    else:
        result = verdict(INCONCLUSIVE, f"better beyond {SPREAD}: {better or 'none'}; worse: "
                                       f"{worse or 'none'}")
    return ("Dropout in the discriminator helps", result, numbers)


def _conv_claim(summary) -> tuple[str, str, str]:
    """Slower per epoch (timed), and better than the FC GAN at the same 100/30 epochs;
    an epoch that is not slower contradicts the claim's first half."""
    conv, base = (summary[n]["seconds_per_epoch"][0] for n in ("conv_8_16_32", "base"))
    result = (_compare(summary, "conv_8_16_32_long", "epochs_100") if conv > base else
              verdict(CONTRADICTED, f"the conv generator's epoch took {conv:.2f} s, the FC's "
                                    f"{base:.2f} s: not slower"))
    return ("The convolutional generator is slower per epoch but better given more epochs",
            result,
            f"s/epoch conv {conv:.2f} vs base {base:.2f}; at 100/30 the epochs "
            f"{_fd(summary, 'conv_8_16_32_long')} vs {_fd(summary, 'epochs_100')}")


EPOCH_VARIANTS = ("base", "epochs_50", "epochs_100", "epochs_300")  # 30/50/100/300 scaled


def _more_epochs_claim(summary) -> tuple[str, str, str]:
    """Document 003's first experiment: more epochs help up to a point, then no more.

    "Help at first": 50 or 100 (scaled) epochs beat the base beyond the seed spread.
    "Then stop": 300 epochs do not beat the better of those two beyond the spread (a
    plateau or a fall both count).
    """
    helped = [kind_of(_compare(summary, name, "base")) for name in EPOCH_VARIANTS[1:3]]
    best = min(EPOCH_VARIANTS[1:3], key=lambda name: summary[name]["feature_fd"][0])
    kept_helping = kind_of(_compare(summary, "epochs_300", best)) == SUPPORTED
    numbers = " / ".join("{:.1f} ± {:.1f}".format(*summary[name]["feature_fd"])
                         for name in EPOCH_VARIANTS)
    if kept_helping:
        result = verdict(CONTRADICTED, f"300 epochs still beat the best of 50/100 beyond {SPREAD}")
    elif SUPPORTED in helped:
        result = verdict(SUPPORTED, f"50 or 100 epochs beat 30 beyond {SPREAD}, and 300 do "
                                    "not beat them beyond it")
    elif set(helped) == {CONTRADICTED}:
        result = verdict(CONTRADICTED, f"50 and 100 epochs are worse than 30 beyond {SPREAD}")
    else:
        result = verdict(INCONCLUSIVE, f"50 and 100 epochs do not beat 30 beyond {SPREAD}")
    return ("More epochs help at first, then stop helping (training turns unstable)", result,
            f"FD at 30/50/100/300 (scaled) epochs: {numbers}")


#: a class's share of the generated digits counts as over-represented beyond this many
#: binomial standard errors of its uniform share (the judge labels N samples)
SHARE_SIGMAS = 2.0


def collapse_claims(histogram, first_histogram) -> list[tuple[str, str, str]]:
    """Document 000's claim about its GAN's digits, from the judge's final class
    histogram (the document says 3, 7 and 9 occur more often, not that the output holds
    only a few classes; how many classes hold more than 1% is reported beside it).

    "3, 7 and 9 occur significantly more often than other numbers": their share of the
    generated digits against the 30% they would hold if uniform, beyond
    :data:`SHARE_SIGMAS` binomial standard errors of that share (N digits judged).
    """
    counts = np.asarray(histogram, np.float64)
    total = counts.sum()
    share = counts / total
    top3 = tuple(int(k) for k in np.argsort(-share, kind="stable")[:3])
    seen = float(share[list(DOCUMENT_000_DIGITS)].sum())
    uniform = len(DOCUMENT_000_DIGITS) / 10
    error = SHARE_SIGMAS * math.sqrt(uniform * (1 - uniform) / total)
    covered = int(np.sum(counts > 0.01 * total))
    first_covered = int(np.sum(np.asarray(first_histogram) > 0.01 * total))
    spread = (f"; {covered} classes hold more than 1% of the digits each at the end "
              f"({first_covered} after epoch 1)")
    return [
        ("The generated digits over-represent 3, 7 and 9",
         directional(seen - uniform, error, margin_source=f"{SHARE_SIGMAS:g} binomial standard "
                                                          f"errors of a 30% share of {int(total)} "
                                                          "judged digits"),
         f"3, 7 and 9 together {seen:.1%} of the digits (30% if uniform); most frequent "
         f"classes {top3}" + spread),
    ]


#: the document each study reproduces, and its epochs (002: 180,000 iterations at batch
#: 64, about 200 epochs; 003: its base model's 30; 000: 99)
DOCUMENT_OF_STUDY = {"mlp": "002", "ablations": "003", "collapse": "000"}
DOCUMENT_EPOCHS = {"mlp": 200, "ablations": 30, "collapse": 99}


CNN_ACCURACY_CLAIMED = 0.9935  # document 000's shallow CNN on the MNIST test set


def judge_accuracy_claim(the_judge) -> tuple[str, str, str]:
    """Document 000's first claim, from the judge (a CNN of the same kind) on the test
    split: its accuracy's 95% Wilson interval against 99% (N test digits)."""
    accuracy, n = the_judge.test_accuracy, the_judge.test_count
    low, high = wilson_interval(accuracy, n)
    numbers = (f"judge test accuracy {accuracy:.4f} on {n} test digits, 95% interval "
               f"[{low:.4f}, {high:.4f}] ({the_judge.description})")
    if low > 0.99:
        result = verdict(SUPPORTED, "the whole 95% interval is above 99%")
    elif high < 0.99:
        result = verdict(CONTRADICTED, "the whole 95% interval is below 99%")
    else:
        result = verdict(INCONCLUSIVE, f"99% lies inside the 95% interval of {n} test digits")
    return ("A shallow CNN classifier passes 99% test accuracy on MNIST (document 000: 99.35%)",
            result, numbers)


def wilson_interval(p: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``p`` measured on ``n`` trials."""
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def milestones(epochs: int, study: str) -> list[int]:
    """The epochs a study's document shows: 1, 10 and 99 of 99 (document 000's
    collapse), else the start, half and end (document 002)."""
    if study == "collapse":  # document 000 shows epochs 1/99, 10/99, 99/99
        return sorted({1, max(1, round(epochs * 10 / 99)), epochs})
    return sorted({1, max(1, epochs // 2), epochs})  # document 002: start, half, end


SAMPLES_CLAIM = "The samples improve from the start over the half to the end of training"
INTERPOLATION_CLAIM = "The latent interpolation shows a transition from one digit to another"


def _single_gan_claims(context) -> list[tuple[str, str, str]]:
    from mitlgan.artifacts import HISTORY_FILE
    from mitlgan.plots import read_history_csv

    settings, stage_dir = context.settings, context.stage_dir(TRAIN_STAGE)
    history = read_history_csv(stage_dir / HISTORY_FILE)
    epochs = len(history["epoch"]) if "epoch" in history else settings.epochs  # --max-steps: 1
    scores = json.loads((stage_dir / RESULT_FILE).read_text())["scores"]
    if settings.study == "collapse":
        first = [history[f"judge_class_{k}"][0] for k in range(10)]
        return [*collapse_claims(scores["histogram"], first),
                judge_accuracy_claim(judge(context))]
    # Document 002 shows grids at the start, half and end as training progress.
    marks = milestones(epochs, "mlp")
    fds = [float(history["judge_feature_fd"][e - 1]) for e in marks]
    return [(SAMPLES_CLAIM,
             samples_improve(fds, [float(v) for v in history["judge_feature_fd"]]),
             "judge-feature FD at epochs " + "/".join(map(str, marks)) + ": "
             + " / ".join(f"{v:.1f}" for v in fds)
             + f"; final mean confidence {scores['mean_confidence']:.3f}"),
            (INTERPOLATION_CLAIM,
             verdict(UNTESTED, "judged by eye in the interpolation figure; no measure here"),
             "")]


def samples_improve(milestone_fds: list[float], every_epoch_fd: list[float]) -> str:
    """Document 002's start / half / end: each step lowers the judge-feature FD beyond
    the FD's own epoch-to-epoch spread (twice the sd of its last five epochs: one seed,
    so no seed spread), supported; a step that raises it beyond that, contradicted."""
    tail = every_epoch_fd[-5:]
    if len(tail) < 3:
        return verdict(NOT_REACHED, f"{PRECONDITION_KINDS[TIME_SCALE]} (fewer than three "
                                    "epochs: no epoch-to-epoch spread to judge steps by)")
    margin = 2 * float(np.std(tail, ddof=1))
    source = "twice the FD's epoch-to-epoch sd over the last five epochs (one seed)"
    steps = [kind_of(directional(a - b, margin, margin_source=source))
             for a, b in zip(milestone_fds, milestone_fds[1:])]
    if all(step == SUPPORTED for step in steps):
        return verdict(SUPPORTED, f"every step lowers the FD by more than {margin:.3g} ({source})")
    if CONTRADICTED in steps:
        return verdict(CONTRADICTED, f"a step raises the FD by more than {margin:.3g} ({source})")
    return verdict(INCONCLUSIVE, f"a step changes the FD by less than {margin:.3g} ({source})")


def _ablation_summary(context) -> dict:
    """Mean and sd over seeds of every variant (written as ``summary.json``)."""
    summary = {}
    for name in VARIANTS:
        stage_dir = context.stage_dir(ablation_stage_name(name))
        summary[name] = summarize([json.loads((seed_folder(stage_dir, i) / RESULT_FILE).read_text())
                                   for i in range(context.settings.seeds)])
    write_atomic(context.run_dir / SUMMARY_FILE, json.dumps(summary, indent=2) + "\n")
    return summary


def _noise_floor(context, the_judge) -> float:
    """Uniform noise's judge-feature FD at the variants' sample count."""
    base = json.loads((seed_folder(context.stage_dir(ablation_stage_name("base")), 0)
                       / RESULT_FILE).read_text())
    return the_judge.noise_floor(int(base["scores"]["n"]), seed=context.settings.seed)


def decide_claims(context) -> list[tuple[str, str, str]]:
    """Decide the study's claims from its stages' records and write ``claims.json``
    with the run's budget (the ablations also write ``summary.json``); returns the rows."""
    settings, the_judge = context.settings, judge(context)
    claims = (ablation_claims(_ablation_summary(context), _noise_floor(context, the_judge))
              if settings.study == "ablations" else _single_gan_claims(context))
    n_train = len(mnist(context).train_images[: settings.n_images])
    budget = {"updates": settings.epochs * (n_train // settings.batch_size),
              "epochs": settings.epochs, "images": n_train,
              "batch_size": settings.batch_size, "seeds": settings.seeds,
              "mnist": the_judge.description.split("trained on ")[1].split(",")[0]}
    if settings.study == "ablations":
        budget["margin"] = "a difference counts when it exceeds sd_a + sd_b over the seeds"
    document_epochs = DOCUMENT_EPOCHS[settings.study]
    write_claims(context, claims_from_rows(DOCUMENT_OF_STUDY[settings.study], claims), budget,
                 data=(f"{n_train:,} embedded MNIST digits for MNIST's 60,000"
                       if "embedded" in budget["mnist"] else f"{n_train:,} MNIST digits"),
                 share=n_train * settings.epochs / (60_000 * document_epochs),
                 share_of=f"the document's {document_epochs} epochs of MNIST's 60,000 digits")
    return claims
