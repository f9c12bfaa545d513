"""zi2zi's claims over seeds: a difference counts past its threshold and the seed spread;
a variant that never trained decides nothing; the style test that blur cannot win."""

import numpy as np
import pytest

from mitlgan.metrics.glyphs import nearest_style_rate
from reproductions.runner.board_cells import is_stand_in
from reproductions.runner.verdicts import kind_of
from reproductions.zi2zi.claims import data_wording, judge_claim, style_claim


def _summary(l1, ssim, accuracy=(0.5, 0.0), spread=(0.05, 0.0)):
    return {"overall": {"l1": l1, "ssim": ssim, "accuracy": accuracy, "style_spread": spread}}


def _pair(base, changed):
    return {"chars_third": _summary(*base), "chars_all": _summary(*changed)}


@pytest.mark.parametrize("base, changed, seeds, verdict", [
    # one seed (sd 0): no spread measured, whatever the difference
    (((0.060, 0.0), (0.783, 0.0)), ((0.026, 0.0), (0.918, 0.0)), 1, "inconclusive"),
    # L1 -2%, SSIM +0.005: within both margins
    (((0.050, 0.001), (0.900, 0.0)), ((0.049, 0.001), (0.905, 0.0)), 3, "supported"),
    # three seeds: L1 -6.7% passes 5%, but 0.004 < 0.004 + 0.003 and SSIM moves 0.01
    (((0.060, 0.004), (0.900, 0.01)), ((0.056, 0.003), (0.910, 0.01)), 3, "supported"),
    # three seeds, far apart: 0.053 > 0.002 + 0.001
    (((0.060, 0.002), (0.783, 0.01)), ((0.026, 0.001), (0.918, 0.01)), 3, "contradicted"),
    # SSIM alone: +0.05 passes 0.02 and the spread 0.02
    (((0.050, 0.001), (0.850, 0.01)), ((0.049, 0.001), (0.900, 0.01)), 3, "contradicted"),
])
def test_adds_little_needs_a_difference_past_threshold_and_spread(base, changed, seeds, verdict):
    got, measured = judge_claim("samples", _pair(base, changed), identity_l1=0.067, seeds=seeds)
    assert kind_of(got) == verdict
    assert measured.startswith("chars_all vs chars_third: held-out L1")
    if base[0][1]:
        assert f"{base[0][0]:.3f} ± {base[0][1]:.3f}" in measured  # the spread is printed


def test_a_higher_l1_weight_helps_only_beyond_the_spread():
    helps = _pair(((0.080, 0.002), (0.80, 0.01)), ((0.060, 0.002), (0.85, 0.01)))
    assert kind_of(judge_claim("l1", helps, seeds=3)[0]) == "supported"  # 0.020 > 0.004
    noisy = _pair(((0.080, 0.015), (0.80, 0.01)), ((0.060, 0.015), (0.85, 0.01)))
    assert kind_of(judge_claim("l1", noisy, seeds=3)[0]) == "inconclusive"  # 0.020 < 0.030
    worse = _pair(((0.060, 0.001), (0.85, 0.0)), ((0.080, 0.001), (0.80, 0.0)))
    assert kind_of(judge_claim("l1", worse, seeds=3)[0]) == "contradicted"


def test_an_unavailable_glyph_accuracy_is_no_number():
    pair = _pair(((0.060, 0.002), (0.783, 0.01)), ((0.058, 0.001), (0.790, 0.01)))
    _, measured = judge_claim("samples", pair, seeds=3, accuracy_works=False)
    assert "glyph accuracy unavailable" in measured and "0.50 -> 0.50" not in measured
    assert "0.50 -> 0.50" in judge_claim("samples", pair, seeds=3)[1]


def test_a_variant_that_never_beat_the_identity_baseline_decides_nothing():
    # the hour run's chars_third: style spread 0.00007, held-out L1 0.079 against the
    # identity baseline's 0.067 (output = source): it never trained
    pair = _pair(((0.079, 0.002), (0.783, 0.01)), ((0.026, 0.001), (0.918, 0.01)))
    got, _ = judge_claim("samples", pair, identity_l1=0.067, seeds=3)
    assert kind_of(got) == "not reached" and "chars_third" in got and "0.067" in got


def _strokes(kind, shift=0):
    """A 12x12 glyph: a horizontal, vertical or diagonal bar, moved ``shift`` pixels."""
    image = -np.ones((12, 12))
    if kind == "h":
        image[5 + shift:7 + shift, 2:10] = 1.0
    elif kind == "v":
        image[2:10, 5 + shift:7 + shift] = 1.0
    else:
        for k in range(2, 10):
            image[k, min(11, k + shift)] = 1.0
    return image


def test_sharp_outputs_a_pixel_off_pass_the_style_test_and_a_blurry_median_fails_it():
    styles, chars = ("h", "v", "d"), 4
    targets = np.array([[_strokes(s) for _ in range(chars)] for s in styles])
    sharp = np.array([[_strokes(s, shift=1) for _ in range(chars)] for s in styles])
    median = np.broadcast_to(np.median(targets, axis=0), targets.shape)
    assert nearest_style_rate(sharp, targets) == 1.0
    # the style-blind median is nearest one style for every output: exactly 1/K
    assert abs(nearest_style_rate(median, targets) - 1 / 3) < 1e-12
    blind = np.broadcast_to(targets[0], targets.shape)  # one style's glyphs for every id
    assert abs(nearest_style_rate(blind, targets) - 1 / 3) < 1e-12
    # and the L1 that the old test used prefers the blur: a pixel off costs more
    l1_sharp = np.abs(sharp - targets).mean()
    l1_median = np.abs(median - targets).mean()
    assert l1_median < l1_sharp
    pairs = len(styles) * chars
    passed, _ = style_claim({"rate": 1.0, "chance": 1 / 3, "pairs": pairs}, 0.05, (0.09, 0.0))
    failed, _ = style_claim({"rate": 1 / 3, "chance": 1 / 3, "pairs": pairs}, 0.05, (0.04, 0.0))
    assert kind_of(passed) == "supported" and kind_of(failed) == "inconclusive"
    assert kind_of(style_claim(None, None, (0.1, 0.0))[0]) == "untested"




def test_a_chinese_run_names_its_characters_and_fonts_and_is_no_stand_in():
    """Document 000 names no font: Chinese characters in Debian's fonts are its kind of
    data; the bundled Latin glyphs stand in for them."""
    data = {"charset_size": 1000, "source_fonts": ["WenQuanYi Micro Hei"],
            "target_fonts": ["AR PL UKai CN", "AR PL UMing CN"]}
    chinese = data_wording("cjk", data)
    assert chinese.startswith("1,000 Chinese characters, WenQuanYi Micro Hei to AR PL UKai CN")
    assert not is_stand_in(chinese)
    assert is_stand_in(data_wording("default", data))
