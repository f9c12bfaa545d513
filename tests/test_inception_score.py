"""The Inception Score against hand computations and scipy's entropy."""

import numpy as np
import pytest
from scipy.special import softmax
from scipy.stats import entropy

from mitlgan.metrics.inception_score import inception_score


def test_confident_and_evenly_spread_classes_score_the_number_of_classes():
    # each split holds 4 images, each certain of its own one of 4 classes: IS = 4
    logits = np.tile(100.0 * np.eye(4), (10, 1))
    mean, std = inception_score(logits, splits=10)
    assert mean == pytest.approx(4.0, rel=1e-9) and std == pytest.approx(0.0, abs=1e-9)


def test_images_all_alike_score_one():
    mean, _ = inception_score(np.tile([[1.0, 2.0, 3.0]], (20, 1)), splits=10)
    assert mean == pytest.approx(1.0, abs=1e-12)


def test_random_logits_give_exp_of_the_mean_kl_per_split():
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3, size=(50, 7))
    scores = []
    for part in np.array_split(logits, 5):
        p = softmax(part, axis=1)
        scores.append(np.exp(np.mean([entropy(row, p.mean(0)) for row in p])))
    mean, std = inception_score(logits, splits=5)
    assert mean == pytest.approx(np.mean(scores), rel=1e-10)
    assert std == pytest.approx(np.std(scores), rel=1e-8)


def test_fewer_images_than_splits_is_an_error():
    with pytest.raises(ValueError, match="splits=10"):
        inception_score(np.zeros((5, 3)))
