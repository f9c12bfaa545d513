"""Judge metrics against hand computations, and a judge that really reads the embedded digits."""

import math

import numpy as np
import pytest
import scipy.linalg

from mitlgan.metrics.judge import (
    Judge,
    class_histogram,
    classes_covered,
    feature_statistics,
    kl_to_uniform,
    mean_max_confidence,
)


def test_histogram_coverage_confidence_by_hand():
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6]])
    counts = class_histogram(probabilities)
    assert counts.tolist() == [2, 1, 1]
    assert class_histogram(probabilities[:2], num_classes=5).tolist() == [1, 1, 0, 0, 0]
    assert classes_covered([3, 0, 1, 0]) == 2 and classes_covered([3, 0, 1, 0], min_count=2) == 1
    assert mean_max_confidence(probabilities) == pytest.approx((0.7 + 0.8 + 0.6 + 0.6) / 4)


def test_kl_to_uniform_by_hand():
    assert kl_to_uniform([5, 5, 5, 5]) == pytest.approx(0.0)
    assert kl_to_uniform([7, 0, 0, 0]) == pytest.approx(math.log(4))  # all in one class
    # p = (1/2, 1/4, 1/4, 0): sum p log(4p) = 1/2 log 2 + 2 * 1/4 log 1 = 0.5 log 2
    assert kl_to_uniform([2, 1, 1, 0]) == pytest.approx(0.5 * math.log(2))
    # The digits collapsing onto 3, 7 and 9 (document 000): log(10/3).
    assert kl_to_uniform([0, 0, 0, 4, 0, 0, 0, 4, 0, 4]) == pytest.approx(math.log(10 / 3))


def test_feature_frechet_distance_matches_scipy(tmp_path):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((200, 6))
    b = rng.standard_normal((300, 6)) @ np.diag([1, 2, 1, 0.5, 1, 3]) + 0.3
    (mu1, s1), (mu2, s2) = feature_statistics(a), feature_statistics(b)
    np.testing.assert_allclose(s1, np.cov(a.T), rtol=1e-12)
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * scipy.linalg.sqrtm(s1 @ s2).real)

    class Fixed:  # a judge whose features are given, to test score() without training
        description = "fixed features"
        real_mean, real_covariance = mu2, s2

        def features_and_probabilities(self, images):
            probabilities = np.eye(10)[np.arange(len(a)) % 3]  # classes 0, 1, 2 only
            return a, probabilities

    scores = Judge.score(Fixed(), None)
    assert scores.feature_fd == pytest.approx(expected, rel=1e-9)
    assert scores.classes_covered == 3 and scores.n == 200 and scores.judge == "fixed features"
    assert scores.kl_to_uniform == pytest.approx(math.log(10 / 3), rel=1e-2)  # 67/67/66 samples
    assert scores.mean_confidence == 1.0


def test_the_judge_reads_real_embedded_digits(tmp_path):
    """A few epochs on 2,000 embedded digits reach >= 90% on 500 others: they are real."""
    from dataclasses import replace

    from mitlgan.data import load_mnist

    data = load_mnist("embedded", verbose=False)
    small = replace(data, train_images=data.train_images[::4], train_labels=data.train_labels[::4],
                    test_images=data.test_images[::4], test_labels=data.test_labels[::4])
    assert len(small.train_images) == 2000 and len(small.test_images) == 500
    judge = Judge.trained(small, tmp_path, epochs=3, seed=0)
    assert judge.test_accuracy >= 0.90
    assert f"{judge.test_accuracy:.4f}" in judge.description and "embedded" in judge.description
    # Cached: a second call loads the same model and accuracy instead of training.
    again = Judge.trained(small, tmp_path, epochs=99)
    assert again.test_accuracy == judge.test_accuracy
    # Real test digits are judged confidently and cover all classes.
    scores = judge.score(small.test_images.astype("float32") / 127.5 - 1)
    assert scores.classes_covered == 10 and scores.mean_confidence > 0.8
    # uniform noise is the floor a generator must get below: real digits are far below it
    floor = judge.noise_floor(500, seed=0)
    assert floor == judge.noise_floor(500, seed=0) and scores.feature_fd < floor / 5
