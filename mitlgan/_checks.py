"""Argument checks shared by the library (model builders, GANs, callbacks), with
messages that name the argument and say what is allowed."""


def is_power_of_two(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0 and (
        value & (value - 1)) == 0


def require_positive_int(name: str, value) -> int:
    """``value`` if it is an int >= 1 (a bool is not), else ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}={value!r} is not supported: it must be a positive integer.")
    return value


def require_non_negative_int(name: str, value) -> int:
    """``value`` if it is an int >= 0 (a bool is not), else ``ValueError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name}={value!r} is not supported: it must be a non-negative integer.")
    return value
