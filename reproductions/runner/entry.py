"""A reproduction's entry points, declared once: ``prepare``, ``main`` and ``reproduce``.

Every reproduction's ``run.py`` ends with one line::

    prepare, main, reproduce = entry_points(REPRODUCTION, defaults={"dataset": "sprites"})

or, when a flag chooses the stages (``--study``, ``--benchmark``)::

    prepare, main, reproduce = entry_points(
        reproduction_for, chosen_by=("--study", STUDIES, "mlp"), doc=...)

``main`` is ``python -m reproductions.NAME``; ``prepare`` parses and validates without
touching a file; ``reproduce`` is the Python API (:func:`reproductions.runner.api.reproduce`),
whose keyword arguments are the command line's flags by their Python names.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import NamedTuple

from reproductions.runner import api as _api
from reproductions.runner import engine as _runner
from reproductions.runner.engine import Reproduction
from reproductions.runner.flags import preparsed_option

API_DOC = """

``preset`` (``"auto"``: the full setting with a GPU, else quick), ``output`` (the folder
runs go under; calling again with the same settings resumes there) and ``**settings``
(every flag by its Python name, e.g. ``epochs=3``; the command's ``--help`` lists
them). Returns a :class:`reproductions.runner.api.RunResult`; raises ``UsageError`` for bad
settings (before anything is written) and ``KeyboardInterrupt`` when interrupted
(calling again resumes)."""


class EntryPoints(NamedTuple):
    prepare: Callable
    main: Callable
    reproduce: Callable


def entry_points(reproduction: Reproduction | Callable[[str | None], Reproduction], *,
                 chosen_by: tuple[str, tuple, str] | None = None, defaults: dict | None = None,
                 headline: str | None = None, doc: str = "") -> EntryPoints:
    """The three entry points of a reproduction.

    Args:
        reproduction: the :class:`Reproduction`, or with ``chosen_by`` a function
            ``value of that flag -> Reproduction``.
        chosen_by: ``(flag, choices, default)`` of the flag that chooses the stages.
        defaults: the Python API's leading keyword arguments and their defaults (e.g.
            ``{"dataset": "synthetic"}``); ``preset="auto"`` and ``output="runs"`` follow.
        headline: the CSV stem ``RunResult.table`` returns (None: the report's first table).
        doc: what ``reproduce`` runs, one or two sentences (the rest is added).
    """
    if chosen_by is None:
        def select(argv):
            return reproduction
    else:
        flag, choices, default = chosen_by

        def select(argv):
            return reproduction(preparsed_option(argv, flag, choices, default))

    def prepare(argv=None):
        """Parse and validate; touch no file. Returns (args, config, run_dir)."""
        return _runner.prepare(select(argv), argv)

    def main(argv=None) -> int:
        """``python -m reproductions.NAME``; returns the exit code (2 for bad input)."""
        return _runner.main(select(argv), argv)

    leading = {**(defaults or {}), "preset": "auto", "output": "runs"}
    parameters = [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=value)
                  for name, value in leading.items()]
    signature = inspect.Signature(
        [*parameters, inspect.Parameter("settings", inspect.Parameter.VAR_KEYWORD)],
        return_annotation=_api.RunResult)

    def reproduce(*args, **keywords) -> _api.RunResult:
        bound = signature.bind(*args, **keywords)
        bound.apply_defaults()
        settings = {**{k: bound.arguments[k] for k in leading}, **bound.arguments["settings"]}
        return _api.reproduce(select, settings, headline)

    reproduce.__signature__ = signature
    reproduce.__doc__ = (doc.strip() or "Run or resume the reproduction from Python.") + API_DOC
    return EntryPoints(prepare, main, reproduce)
