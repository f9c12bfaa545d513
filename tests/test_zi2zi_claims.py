"""zi2zi's claims over seeds: a difference counts past its threshold and the seed spread."""

import pytest

from reproductions.zi2zi.claims import judge_claim, style_claim_holds


def _summary(l1, ssim, accuracy=(0.5, 0.0), spread=(0.05, 0.0)):
    return {"overall": {"l1": l1, "ssim": ssim, "accuracy": accuracy, "style_spread": spread}}


def _pair(base, changed):
    return {"chars_third": _summary(*base), "chars_all": _summary(*changed)}


@pytest.mark.parametrize("base, changed, verdict", [
    # one seed (sd 0): the thresholds alone, L1 -67% by hand
    (((0.079, 0.0), (0.783, 0.0)), ((0.026, 0.0), (0.918, 0.0)), "not supported"),
    # L1 -2%, SSIM +0.005: below both thresholds
    (((0.050, 0.0), (0.900, 0.0)), ((0.049, 0.0), (0.905, 0.0)), "supported"),
    # three seeds: L1 -6.7% passes 5%, but 0.004 < 0.004 + 0.003 and SSIM moves 0.01
    (((0.060, 0.004), (0.900, 0.01)), ((0.056, 0.003), (0.910, 0.01)),
     "supported (the difference is within the spread between seeds)"),
    # three seeds, far apart: 0.053 > 0.002 + 0.001
    (((0.079, 0.002), (0.783, 0.01)), ((0.026, 0.001), (0.918, 0.01)), "not supported"),
    # SSIM alone: +0.05 passes 0.02 and the spread 0.02
    (((0.050, 0.001), (0.850, 0.01)), ((0.049, 0.001), (0.900, 0.01)), "not supported"),
])
def test_adds_little_needs_a_difference_past_threshold_and_spread(base, changed, verdict):
    got, measured = judge_claim("samples", _pair(base, changed))
    assert got == verdict
    assert measured.startswith("chars_all vs chars_third: held-out L1")
    if base[0][1]:
        assert f"{base[0][0]:.3f} ± {base[0][1]:.3f}" in measured  # the spread is printed


def test_a_higher_l1_weight_helps_only_beyond_the_spread():
    helps = _pair(((0.080, 0.002), (0.80, 0.01)), ((0.060, 0.002), (0.85, 0.01)))
    assert judge_claim("l1", helps)[0] == "supported"  # -25%, 0.020 > 0.004
    noisy = _pair(((0.080, 0.015), (0.80, 0.01)), ((0.060, 0.015), (0.85, 0.01)))
    assert judge_claim("l1", noisy)[0] == "not supported (within the spread between seeds)"
    worse = _pair(((0.060, 0.0), (0.85, 0.0)), ((0.080, 0.0), (0.80, 0.0)))
    assert judge_claim("l1", worse)[0] == "not supported"


def test_the_style_claim_keeps_one_seed_sd_from_each_bound():
    target = 0.066  # a third of it: 0.022
    assert style_claim_holds(_summary((0.040, 0.0), (0.9, 0.0), spread=(0.030, 0.0))["overall"],
                             target, 0.055)
    # 0.030 - 0.010 = 0.020 < 0.022
    assert not style_claim_holds(
        _summary((0.040, 0.0), (0.9, 0.0), spread=(0.030, 0.010))["overall"], target, 0.055)
    assert style_claim_holds(
        _summary((0.040, 0.0), (0.9, 0.0), spread=(0.030, 0.005))["overall"], target, 0.055)
    # 0.050 + 0.006 = 0.056 is not below the floor 0.055
    assert not style_claim_holds(
        _summary((0.050, 0.006), (0.9, 0.0), spread=(0.060, 0.0))["overall"], target, 0.055)
    assert style_claim_holds(
        _summary((0.050, 0.006), (0.9, 0.0), spread=(0.060, 0.0))["overall"], target, None)
