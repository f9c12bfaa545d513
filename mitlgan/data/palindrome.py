"""Palindromes of digits for document 002's Part 1: predict the last digit from the ones before.

Follows the CS324 2024 assignment template (``PalindromeDataset(input_length,
total_len)``) that the report uses: a palindrome of length T = input_length + 1 is the
zero-padded decimal digits of a number drawn *without replacement* from
``[0, 10 ** ceil(T / 2))`` as its left half, mirrored (the middle digit not repeated
when T is odd). The input is its first T - 1 digits, one feature each; the target is
its last digit, which equals its first: the network must carry the first digit to the
end. As in the template, the set is capped at the number of distinct palindromes
(1,000 for T = 5), so short lengths have fewer than the requested sequences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["PalindromeData", "make_palindrome", "palindrome_data"]


def make_palindrome(left_half: int, length: int) -> np.ndarray:
    """int64 (length,) palindrome whose left half is ``left_half``'s digits, zero-padded."""
    half = math.ceil(length / 2)
    digits = np.array([int(d) for d in str(left_half).zfill(half)], np.int64)
    if len(digits) != half:
        raise ValueError(f"{left_half} has more than {half} digits")
    right = digits[::-1] if length % 2 == 0 else digits[-2::-1]
    return np.concatenate([digits, right])


@dataclass
class PalindromeData:
    """Inputs float32 (N, T - 1, 1) digits 0-9 and int64 (N,) targets, train and test."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    length: int
    capped: bool  # fewer distinct palindromes than asked for

    @property
    def description(self) -> str:
        note = " (every distinct palindrome of this length)" if self.capped else ""
        return (f"T = {self.length}: {len(self.x_train)} train / {len(self.x_test)} test "
                f"palindromes{note}")


def palindrome_data(length: int, total: int = 100_000, train_fraction: float = 0.8,
                    seed: int = 42) -> PalindromeData:
    """Distinct palindromes of ``length`` T (>= 2), split into train and test.

    Args:
        length: T, the palindrome's length (the input has T - 1 digits).
        total: sequences wanted (the report: 100,000); capped at ``10 ** ceil(T / 2)``.
        train_fraction: the training share (the report: 0.8); the rest is the test set.
        seed: seeds the draw (the template's is 42).
    """
    if length < 2:
        raise ValueError(f"length T={length} must be at least 2 (one input digit)")
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction={train_fraction} must be in (0, 1)")
    half = math.ceil(length / 2)
    distinct = 10 ** half
    count = min(total, distinct)
    lefts = np.random.default_rng(seed).choice(distinct, count, replace=False)
    # digits of every left half at once: (count, half), most significant first
    digits = (lefts[:, None] // 10 ** np.arange(half - 1, -1, -1)[None, :]) % 10
    right = digits[:, ::-1] if length % 2 == 0 else digits[:, -2::-1]
    sequences = np.concatenate([digits, right], axis=1)
    split = int(round(train_fraction * count))
    x = sequences[:, :-1, None].astype(np.float32)
    y = sequences[:, -1].astype(np.int64)
    return PalindromeData(x[:split], y[:split], x[split:], y[split:], length, count < total)
