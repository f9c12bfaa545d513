"""Argparse value types shared by every reproduction's command line.

Each type names its flag in the error, so ``--epochs 0`` says
``--epochs must be a positive integer, got '0'`` and argparse exits with code 2.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def number(flag: str, cast: Callable, accept: Callable, what: str) -> Callable[[str], object]:
    """An argparse type: ``cast`` the text and check it with ``accept``, naming the flag.

    Args:
        flag: the flag as typed, e.g. ``"--epochs"`` (used in the error).
        cast: ``int`` or ``float`` (anything raising ValueError on bad text).
        accept: predicate on the cast value.
        what: the allowed values in words, e.g. ``"a positive integer"``.
    """

    def parse(text):
        try:
            value = cast(text)
        except ValueError:
            value = None
        if value is None or not accept(value):
            raise argparse.ArgumentTypeError(f"{flag} must be {what}, got {text!r}")
        return value

    return parse


def positive_int(flag: str) -> Callable[[str], int]:
    """Integers >= 1."""
    return number(flag, int, lambda v: v >= 1, "a positive integer")


def non_negative_float(flag: str) -> Callable[[str], float]:
    """Finite floats >= 0 (``nan`` and ``inf`` are refused)."""
    return number(flag, float, lambda v: math.isfinite(v) and v >= 0,
                  "a finite non-negative number")


def int_list(flag: str, example: str) -> Callable[[str], tuple[int, ...]]:
    """Comma-separated positive integers, e.g. ``48,96,192,384`` -> ``(48, 96, 192, 384)``."""

    def parse(text):
        try:
            values = tuple(int(v) for v in text.split(","))
        except ValueError:
            values = ()
        if not values or any(v < 1 for v in values):
            raise argparse.ArgumentTypeError(
                f"{flag} must be comma-separated positive integers like {example}, got {text!r}")
        return values

    return parse


def positive_float_list(flag: str, example: str) -> Callable[[str], tuple[float, ...]]:
    """Comma-separated positive numbers, e.g. ``1e-2,1e-3`` -> ``(0.01, 0.001)``."""

    def parse(text):
        try:
            values = tuple(float(v) for v in text.split(","))
        except ValueError:
            values = ()
        if not values or any(not v > 0 or v == float("inf") for v in values):
            raise argparse.ArgumentTypeError(
                f"{flag} must be comma-separated positive numbers like {example}, got {text!r}")
        return values

    return parse


def add_positive_int_flags(group, flags: dict) -> None:
    """Add ``--flag`` options taking positive integers; ``flags`` maps flag -> help (or None)."""
    for flag, help_text in flags.items():
        group.add_argument(flag, type=positive_int(flag), help=help_text)


def choice_list(flag: str, choices) -> Callable[[str], tuple[str, ...]]:
    """Comma-separated names from ``choices``, each once, e.g. ``thesis,corrected``."""

    def parse(text):
        values = tuple(v.strip() for v in text.split(","))
        unknown = [v for v in values if v not in choices]
        if not text.strip() or unknown or len(set(values)) != len(values):
            raise argparse.ArgumentTypeError(
                f"{flag} must be comma-separated names from {', '.join(choices)}, each once; "
                f"got {text!r}")
        return values

    return parse
