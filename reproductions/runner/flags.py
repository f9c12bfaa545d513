"""The runner's table of command-line flags: one declaration, two front ends.

A reproduction declares its flags into a :class:`FlagTable` with the very calls it
would make on argparse (``table.add_argument(...)``, ``table.add_argument_group(title)``),
and the runner declares its own (:data:`RUNNER_FLAGS`). From the table the runner
builds the ``argparse`` parser of ``python -m reproductions.NAME`` and the Python API
maps keywords to flags (:func:`FlagTable.argv_for`), so neither reads argparse's
private internals and the two can never disagree.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field

from reproductions.runner.errors import UsageError

RUN_GROUP = "run"
SWITCH_ACTIONS = ("store_true", "store_false")


@dataclass(frozen=True)
class Flag:
    """One flag: its option strings, argparse keyword arguments and help group.

    Attributes:
        names: option strings, e.g. ``("--image-size",)``; the last is the one the API
            writes.
        options: what ``argparse.add_argument`` takes (``type``, ``default``,
            ``choices``, ``action``, ``help``, ``metavar``, ``dest``).
        group: the ``--help`` section.
    """

    names: tuple[str, ...]
    options: dict = field(default_factory=dict)
    group: str = RUN_GROUP

    @property
    def dest(self) -> str:
        """The Python name (``--image-size`` -> ``image_size``)."""
        return self.options.get("dest") or self.names[-1].lstrip("-").replace("-", "_")

    @property
    def is_switch(self) -> bool:
        """An on/off flag (``store_true`` / ``store_false``)."""
        return self.options.get("action") in SWITCH_ACTIONS

    @property
    def default(self):
        if self.is_switch:
            return self.options.get("default", self.options["action"] == "store_false")
        return self.options.get("default")


class _Group:
    """What ``add_argument_group`` returns: records flags under its title."""

    def __init__(self, table: FlagTable, title: str):
        self._table, self.title = table, title

    def add_argument(self, *names: str, **options) -> Flag:
        flag = Flag(tuple(names), dict(options), self.title)
        self._table.flags.append(flag)
        return flag


class FlagTable:
    """An ordered table of :class:`Flag` rows, declared with argparse's calls."""

    def __init__(self, flags=()):
        self.flags: list[Flag] = list(flags)

    def add_argument(self, *names: str, **options) -> Flag:
        """Declare a flag in the ``run`` group."""
        return _Group(self, RUN_GROUP).add_argument(*names, **options)

    def add_argument_group(self, title: str) -> _Group:
        """A help section; flags added to it are declared in this table."""
        return _Group(self, title)

    def by_dest(self) -> dict[str, Flag]:
        """{Python name: flag}."""
        return {flag.dest: flag for flag in self.flags}

    def parser(self, prog: str, description: str) -> argparse.ArgumentParser:
        """The argparse parser of these flags, grouped as declared."""
        parser = argparse.ArgumentParser(prog=prog, description=description)
        groups = {}
        for flag in self.flags:
            if flag.group not in groups:
                groups[flag.group] = parser.add_argument_group(flag.group)
            groups[flag.group].add_argument(*flag.names, **flag.options)
        return parser

    def argv_for(self, keywords: dict) -> list[str]:
        """The command-line flags equivalent to ``keywords``.

        ``name=value`` becomes ``--name value`` for the flag whose Python name is
        ``name``; ``True`` / ``False`` switch an on/off flag; a list or tuple is joined
        with commas (``lengths=[5, 20]`` -> ``--lengths 5,20``); ``None`` leaves the flag
        at its default.

        Raises:
            UsageError: an unknown name (the message lists the known ones) or a non-bool
                value for an on/off flag.
        """
        flags = self.by_dest()
        argv: list[str] = []
        for name, value in keywords.items():
            flag = flags.get(name)
            if flag is None:
                raise UsageError(f"unknown setting {name!r}; the known ones are: "
                                 + ", ".join(sorted(flags)))
            if value is None:
                continue
            if flag.is_switch:
                if not isinstance(value, bool):
                    raise UsageError(f"{name} is on/off: give True or False, not {value!r}")
                if value != flag.default:
                    argv.append(flag.names[-1])
                continue
            if isinstance(value, (list, tuple)):
                value = ",".join(str(v) for v in value)
            argv += [flag.names[-1], str(value)]
        return argv


def runner_flags(presets: tuple[str, ...], preset_help: str, stage_names: tuple[str, ...],
                 strategies: tuple[str, ...], strategy_help: str) -> list[Flag]:
    """The flags every reproduction has: ``--preset``, ``--output``, ``--seed``,
    ``--restart``, ``--until``, ``--strategy``, ``--collective-timeout``, ``--debug``,
    ``--max-steps`` and ``--no-tensorboard``."""
    return [
        Flag(("--preset",), dict(default="auto", choices=("auto", *presets), help=preset_help)),
        Flag(("--output",), dict(default="runs", help="output folder (default: runs)")),
        Flag(("--seed",), dict(type=int, default=0, help="random seed (default: 0)")),
        Flag(("--restart",), dict(action="store_true",
                                  help="delete an existing run in the run folder and start over")),
        Flag(("--until",), dict(choices=stage_names, default=None,
                                help="stop after this stage (a later run without it resumes)")),
        Flag(("--strategy",), dict(choices=strategies, default="auto", help=strategy_help)),
        Flag(("--collective-timeout",), dict(type=float, default=600.0, metavar="SECONDS", help=(
            "multi-worker: seconds a step may wait for the other workers before this one "
            "stops, naming them, with exit code 3 (a dead worker is found in about 20 s "
            "anyway; this is for a hung one); 0: wait forever (default: 600)"))),
        Flag(("--debug",), dict(action="store_true", help=(
            "show the traceback of a bad-input error too (always kept in run.log); "
            "also MITLGAN_DEBUG=1"))),
        Flag(("--max-steps",), dict(type=int, default=None, metavar="N", help=(
            "a size check, not an experiment: every training stage runs one epoch of at "
            "most N steps (recorded in config.json; the claims board leaves such runs out)"))),
        Flag(("--no-tensorboard",), dict(action="store_true", help=(
            "write no TensorBoard event files (default: every training stage writes "
            "STAGE/tensorboard/; view with tensorboard --logdir RUN_FOLDER)"))),
    ]


def preparsed_option(argv, flag: str, choices, default):
    """The value ``flag`` has in ``argv``, read before the full parse: for a flag that
    decides a reproduction's stages (and so the ``--until`` choices). A missing or
    unknown value gives ``default``; the full parser then reports an unknown one."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(flag, default=default)
    known, _ = parser.parse_known_args(argv)
    value = getattr(known, flag.lstrip("-").replace("-", "_"))
    return value if value in choices else default


#: ``(table, run_group) -> None``: how a reproduction declares its own flags
DeclareFlags = Callable[[FlagTable, _Group], None]
