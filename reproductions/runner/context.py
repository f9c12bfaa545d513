"""What a reproduction declares (:class:`Reproduction`, its :class:`Stage` s), what a
stage function gets (:class:`RunContext`), the run folder's file names, and the
progress line every stage prints (:func:`say`, copied to ``run.log``)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from reproductions.runner import workers as _workers
from reproductions.runner.environment import environment
from reproductions.runner.flags import DeclareFlags
from reproductions.runner.records import TableRecords, write_figures
from reproductions.runner.settings import Settings
from reproductions.runner.stage_notes import StageNotes, damaged_section, size_check_banner

CONFIG_FILE = "config.json"
DONE_FILE = "done.json"
LOG_FILE = "run.log"
REPORT_FILE = "report.md"


#: the logger behind ``run.log``: a run's :class:`RunLog` attaches its file while it runs
RUN_LOGGER = "reproductions.run"
LOST_WORKER_EXIT = 3  # another worker of a multi-worker run is gone: rerun them all


def say(message: str) -> None:
    """Print a progress line (flushed at once); the run in progress copies it to its
    ``run.log`` (:class:`RunLog`), first, so a line seen on the console is in the log."""
    logging.getLogger(RUN_LOGGER).info(message)
    print(message, flush=True)


class RunLog:
    """A run's ``run.log``, appended to: a header naming the command, then every
    :func:`say` line with its time, while the log is open (a context manager)."""

    def __init__(self, run_dir: Path, prog: str, argv):
        self.path = Path(run_dir) / LOG_FILE
        self.command = " ".join([prog, *(sys.argv[1:] if argv is None else argv)])
        self._handler = None

    def __enter__(self) -> RunLog:
        started = datetime.now().astimezone().isoformat(timespec="seconds")
        with self.path.open("a", encoding="utf-8") as log:
            log.write(f"\n=== {started} {self.command}\n")
        self._handler = logging.FileHandler(self.path, encoding="utf-8")
        self._handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        logger = logging.getLogger(RUN_LOGGER)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # the console already has the line (print above)
        logger.addHandler(self._handler)
        return self

    def __exit__(self, *exc_info) -> None:
        logging.getLogger(RUN_LOGGER).removeHandler(self._handler)
        self._handler.close()


def keras_verbosity(interactive: int = 1) -> int:
    """``fit``'s ``verbose``: ``interactive`` (1: a progress bar, 0: silent) on a
    terminal, else 2, one line per epoch (logs and CI get readable lines instead of
    redrawn bars)."""
    return interactive if sys.stdout.isatty() and not os.environ.get("CI") else 2



@dataclass
class RunContext:
    """What a stage function gets: the parsed flags, the configuration and the folders.

    ``shared`` holds things several stages load once per process (a data set, say):
    use :meth:`load_once`.
    """

    reproduction: Reproduction
    args: argparse.Namespace
    config: dict
    run_dir: Path
    log: RunLog | None = None
    shared: dict = field(default_factory=dict)
    #: what the current stage's training calls learnt about themselves (size-check
    #: records, damaged checkpoints skipped); the runner puts it in the stage's done.json
    stage_notes: StageNotes = field(default_factory=lambda: StageNotes())
    _tables: TableRecords | None = field(default=None, repr=False)
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        """The configuration as the reproduction's typed, frozen settings."""
        if self._settings is None:
            kind = self.reproduction.settings
            if kind is None:
                raise TypeError(f"{self.reproduction.prog} declares no settings type "
                                "(Reproduction(settings=...)).")
            self._settings = kind.from_config(self.config)
        return self._settings

    def train(self, gan, images, **settings):
        """:func:`mitlgan.training.train` with this run's ``--max-steps``; what the
        call returns about itself (size check, damaged checkpoints) goes into the
        stage's ``done.json``. Returns the ``TrainResult``."""
        from mitlgan.training import train

        settings.setdefault("max_steps", self.max_steps)
        result = train(gan, images, **settings)
        self.stage_notes.add_training(result)
        return result

    def note_size_check(self, record: dict) -> None:
        """Keep a size-check record of a training call made without :meth:`train`
        (a plain ``fit``; see :func:`mitlgan.size_check.record_training_call`)."""
        self.stage_notes.size_check.append(record)

    def stage_dir(self, stage: str) -> Path:
        """``RUN_DIR/STAGE`` (not created)."""
        return self.run_dir / stage

    def done_payload(self, stage: str) -> dict:
        """What ``stage`` returned when it finished (its ``done.json``)."""
        return json.loads((self.stage_dir(stage) / DONE_FILE).read_text())

    def write_report(self, lines: list[str]) -> Path:
        """Write ``report.md`` from a renderer's ``lines``, whole or not at all, with
        what the runner knows of the run around them: a size-check banner first in a
        ``--max-steps`` run, the damaged checkpoints any finished stage skipped last.
        Nothing edits the report afterwards. Returns its path."""
        from mitlgan.files import write_atomic

        damaged = [line for name in self.reproduction.stage_names
                   if is_done(self.run_dir, name)
                   for line in self.done_payload(name).get("damaged_checkpoints", [])]
        damaged += self.stage_notes.damaged_checkpoints
        text = "\n".join([*size_check_banner(self.max_steps), *lines,
                          *damaged_section(damaged)]).rstrip("\n") + "\n"
        write_figures(self.run_dir, lines)
        path = self.run_dir / REPORT_FILE
        write_atomic(path, text)
        return path

    @property
    def tables(self) -> TableRecords:
        """Where the report stage's renderer writes its tables (``table(name, header,
        rows)`` writes ``RUN/tables/NAME.csv`` and returns its Markdown)."""
        if self._tables is None:
            self._tables = TableRecords(self.run_dir)
        return self._tables

    def load_once(self, key: str, load: Callable[[], object]):
        """``load()`` the first time ``key`` is asked for in this process, then the same object."""
        if key not in self.shared:
            self.shared[key] = load()
        return self.shared[key]

    def tensorboard_dir(self, folder) -> Path | None:
        """``FOLDER/tensorboard`` for a training stage's event files; None with
        ``--no-tensorboard``."""
        from mitlgan.artifacts import TENSORBOARD_DIR

        return None if getattr(self.args, "no_tensorboard", False) else Path(folder) / TENSORBOARD_DIR

    @property
    def max_steps(self) -> int | None:
        """``--max-steps``: the steps each training stage stops after (None: all)."""
        return self.config.get("max_steps")

    def strategy_scope(self):
        """The ``--strategy`` scope to build and compile a GAN in (``train`` then
        distributes its steps). Helper networks (judges, classifiers) are built outside
        it: each worker trains its own copy, identically."""
        return _workers.make_strategy(self.args.strategy,
                                      getattr(self.args, "collective_timeout", None)).scope()

    def environment(self) -> dict:
        """The environment block (computed once)."""
        return self.load_once("__environment__", lambda: environment(
            self.reproduction.environment_packages))


def is_done(run_dir: Path, stage: str) -> bool:
    """Whether ``stage`` finished in an earlier run (its ``done.json`` exists)."""
    return (Path(run_dir) / stage / DONE_FILE).is_file()


@dataclass(frozen=True)
class Stage:
    """One step of an experiment.

    ``run(context)`` does the work in ``context.stage_dir(name)`` (already created) and
    returns a JSON-able dict for its ``done.json`` (or None). It must tolerate being
    run again after a crash: the runner reruns a stage that has no ``done.json``.
    """

    name: str
    title: str
    run: Callable[[RunContext], dict | None]


@dataclass(frozen=True)
class Reproduction:
    """A reproduction as the runner sees it.

    Attributes:
        prog: the command, e.g. ``"python -m reproductions.mitlgan"``.
        description: ``--help`` text.
        stages: the ordered stages; names are folder names and ``--until`` choices.
        configure: ``(args, preset) -> config``, a flat JSON-able dict. Validates the
            flags (raise :class:`UsageError`) and touches no file. The runner adds ``seed``.
        add_arguments: ``(table, run_group)`` declares the reproduction's own flags with
            argparse's calls into a :class:`reproductions.runner.flags.FlagTable`.
        presets: preset names for ``--preset`` (``auto`` is added in front).
        gpu_preset, cpu_preset: what ``--preset auto`` picks with and without a GPU.
        preset_help: help text of ``--preset``.
        run_folder: ``args -> Path``; by default ``OUTPUT/<last word of prog>``.
        on_start: ``context -> None``, called once before the stages (messages, warnings).
        finished: ``context -> str``, the last line of a complete run (default: the
            path of ``report.md`` when the run wrote one, else of the run folder).
        environment_packages: distributions named in the environment block.
        settings: the :class:`reproductions.runner.settings.Settings` subclass stages
            read the configuration as (``context.settings``).
        config_wording: configuration keys that explain a setting in words (e.g. why a
            fallback backbone was taken); a resume compares only whether they are set.
    """

    prog: str
    description: str
    stages: tuple[Stage, ...]
    configure: Callable[[argparse.Namespace, str], dict]
    add_arguments: DeclareFlags = lambda table, run_group: None
    presets: tuple[str, ...] = ("full", "quick")
    gpu_preset: str = "full"
    cpu_preset: str = "quick"
    preset_help: str = "auto (default): the full setting on a GPU, quick otherwise"
    run_folder: Callable[[argparse.Namespace], Path] | None = None
    on_start: Callable[[RunContext], None] | None = None
    finished: Callable[[RunContext], str] | None = None
    environment_packages: tuple[str, ...] = ("tensorflow", "keras")
    settings: type[Settings] | None = None
    config_wording: tuple[str, ...] = ()

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(stage.name for stage in self.stages)

    def folder(self, args) -> Path:
        if self.run_folder is not None:
            return Path(self.run_folder(args))
        return Path(args.output) / self.prog.split()[-1].rsplit(".", 1)[-1]
