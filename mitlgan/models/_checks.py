"""Argument checks shared by the model builders, with messages that say what is allowed."""


def is_power_of_two(value) -> bool:
    return isinstance(value, int) and value > 0 and (value & (value - 1)) == 0


def require_positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}={value!r} is not supported: it must be a positive integer.")
    return value
