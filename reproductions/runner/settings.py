"""A reproduction's settings as a typed, frozen object with named fields.

The runner keeps a run's configuration as ``config.json`` (a flat JSON dict: what a
resumed run is compared with); stages read it as the reproduction's :class:`Settings`
subclass, ``context.settings.epochs`` rather than ``config["epochs"]``, so a misspelt
or missing setting fails where it is read, by name. Lists become tuples (frozen all the
way down).
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, kw_only=True)
class Settings:
    """The settings every run has; a reproduction subclasses it with its own fields
    (``@dataclasses.dataclass(frozen=True, kw_only=True)``).

    Attributes:
        preset: the preset the run used (``quick``, ``hour``, ``full``...).
        seed: the run's random seed (``--seed``).
        max_steps: ``--max-steps`` (a size check: every training stage stops after one
            epoch of at most this many steps); None in a real run.
    """

    preset: str = ""
    seed: int = 0
    max_steps: int | None = None

    @classmethod
    def from_config(cls, config: dict):
        """The settings of a configuration dict (``config.json``).

        Raises:
            ValueError: the dict has a key that is not a field (a setting this
                reproduction does not know), or lacks a field without a default.
        """
        names = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(config) - names)
        if unknown:
            raise ValueError(f"{cls.__name__} has no setting(s) {unknown}; known: "
                             f"{sorted(names)}")
        try:
            return cls(**{key: _frozen(value) for key, value in config.items()})
        except TypeError as err:  # a required field is missing
            raise ValueError(f"{cls.__name__}: {err}") from err

    def as_config(self) -> dict:
        """The JSON-able dict (tuples as lists), as ``config.json`` holds it."""
        return {field.name: _thawed(getattr(self, field.name))
                for field in dataclasses.fields(self)}


def _frozen(value):
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    return value


def _thawed(value):
    if isinstance(value, tuple):
        return [_thawed(item) for item in value]
    return value
