"""The experiment runner every reproduction shares.

A reproduction declares a :class:`Reproduction`: its presets, its own flags, how
flags become a configuration, and its ordered :class:`Stage` functions (the last
one usually writes the report). The runner owns everything around them:

- the run folder ``OUTPUT/NAME`` (or what ``run_folder`` says) with ``config.json``;
  a later run whose configuration differs is refused unless ``--restart`` is given;
- one folder per stage with ``done.json`` written last, so a finished stage is
  skipped on the next run and an interrupted one is simply run again (stages that
  train resume from their own checkpoints);
- ``--until STAGE``, the console headers ``[i/n] stage: title``, ``run.log``;
- the environment block (package versions, devices) for reports;
- bad input (:class:`UsageError`, or the library's ``UserInputError``) -> the message
  alone on stderr and exit code 2 (the traceback in ``run.log``; ``--debug`` shows it);
- another worker of a multi-worker run lost (died, cut off, hung past
  ``--collective-timeout``) -> a message naming it and exit code 3: rerun every worker.

The runner itself imports neither TensorFlow nor Keras: a reproduction pays for
them only in its own stages (``environment_packages`` decides what is reported).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from mitlgan.distribute import WorkerLostError
from mitlgan.files import write_json_atomic
from reproductions import _workers
from reproductions._environment import environment, has_gpu, peak_memory_mb
from reproductions._errors import UsageError, is_user_error, wants_traceback
from reproductions._flags import DeclareFlags, FlagTable, runner_flags
from reproductions._lock import LOCK_FILE, RunFolderLock, empty_except_lock
from reproductions._quiet import start_tensorflow_quietly
from reproductions._stage_notes import (
    StageNotes,
    damaged_section,
    disk_full_message,
    size_check_banner,
)

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


def config_differences(old: dict, new: dict) -> list[str]:
    """Readable ``key: old -> new`` lines for every key whose value differs."""
    keys = sorted(set(old) | set(new))
    return [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys if old.get(k) != new.get(k)]


# ---------------------------------------------------------------------- declarations


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
        path = self.run_dir / REPORT_FILE
        write_atomic(path, text)
        return path

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
            argparse's calls into a :class:`reproductions._flags.FlagTable`.
        presets: preset names for ``--preset`` (``auto`` is added in front).
        gpu_preset, cpu_preset: what ``--preset auto`` picks with and without a GPU.
        preset_help: help text of ``--preset``.
        run_folder: ``args -> Path``; by default ``OUTPUT/<last word of prog>``.
        on_start: ``context -> None``, called once before the stages (messages, warnings).
        finished: ``context -> str``, the last line of a complete run (default: the
            path of ``report.md`` when the run wrote one, else of the run folder).
        environment_packages: distributions named in the environment block.
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

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(stage.name for stage in self.stages)

    def folder(self, args) -> Path:
        if self.run_folder is not None:
            return Path(self.run_folder(args))
        return Path(args.output) / self.prog.split()[-1].rsplit(".", 1)[-1]


# ---------------------------------------------------------------------- command line


def flag_table(reproduction: Reproduction) -> FlagTable:
    """Every flag of the reproduction: the runner's (``--preset``, ``--output``,
    ``--seed``, ``--restart``, ``--until``, ``--strategy``), then its own."""
    table = FlagTable(runner_flags(reproduction.presets, reproduction.preset_help,
                                   reproduction.stage_names, _workers.STRATEGIES,
                                   _workers.STRATEGY_HELP))
    reproduction.add_arguments(table, table.add_argument_group("run"))
    return table


def build_parser(reproduction: Reproduction) -> argparse.ArgumentParser:
    """The reproduction's parser, built from :func:`flag_table`."""
    return flag_table(reproduction).parser(reproduction.prog, reproduction.description)


def resolve_preset(reproduction: Reproduction, requested: str) -> tuple[str, str]:
    """Return (preset actually used, the reason); ``auto`` looks for a GPU."""
    if requested != "auto":
        return requested, f"--preset {requested} was given"
    if has_gpu():
        return reproduction.gpu_preset, (
            f"--preset auto found a GPU, so it runs the {reproduction.gpu_preset} setting")
    return reproduction.cpu_preset, (
        f"--preset auto found no GPU, so it runs the {reproduction.cpu_preset} CPU setting "
        f"(use --preset {reproduction.gpu_preset} to force the {reproduction.gpu_preset} setting)")


def check_run_folder(run_dir: Path, config: dict, restart: bool) -> None:
    """Refuse a folder holding another configuration or something that is not a run."""
    config_path = run_dir / CONFIG_FILE
    if restart:
        return
    if config_path.exists():
        try:
            saved = json.loads(config_path.read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise UsageError(
                f"{config_path} cannot be read ({err}). Add --restart to delete that run and "
                "start over, or choose another --output.") from err
        differences = config_differences(saved, config)
        if differences:
            raise UsageError(
                f"{run_dir} holds a run with a different configuration:\n  "
                + "\n  ".join(differences)
                + "\nResuming would mix the two. Use another --output, give the same "
                "settings as before, or add --restart to delete that run and start over.")
    elif run_dir.exists() and any(p.name != LOCK_FILE for p in run_dir.iterdir()):
        raise UsageError(
            f"{run_dir} exists and is not a run of this program (no {CONFIG_FILE}). Choose "
            "another --output, or add --restart to delete its contents.")


def prepare(reproduction: Reproduction, argv=None):
    """Parse and validate everything; touch no file.

    Returns:
        (args, config, run_dir). Raises :class:`UsageError` for bad input; argparse
        exits with code 2 for malformed flags.
    """
    args = build_parser(reproduction).parse_args(argv)
    start_tensorflow_quietly()  # after parsing: --help stays fast
    if args.strategy in _workers.EARLY_STRATEGIES:
        # before anything else runs in TensorFlow
        _workers.make_strategy(args.strategy, args.collective_timeout)
    preset, reason = resolve_preset(reproduction, args.preset)
    say(f"Preset: {preset} ({reason}).")
    config = dict(reproduction.configure(args, preset))
    config["seed"] = args.seed
    if getattr(args, "max_steps", None) is not None:
        if args.max_steps < 1:
            raise UsageError(f"--max-steps must be at least 1, not {args.max_steps}")
        config["max_steps"] = args.max_steps  # such a run is never taken for a real one
        say(f"--max-steps {args.max_steps}: every training stage stops after one epoch of "
            f"at most {args.max_steps} steps; a size check whose numbers mean nothing.")
    run_dir = reproduction.folder(args)
    check_run_folder(run_dir, config, args.restart)
    return args, config, run_dir


# ---------------------------------------------------------------------- running


def is_done(run_dir: Path, stage: str) -> bool:
    """Whether ``stage`` finished in an earlier run (its ``done.json`` exists)."""
    return (Path(run_dir) / stage / DONE_FILE).is_file()


def run(reproduction: Reproduction, args, config: dict, run_dir: Path, argv=None) -> int:
    """Run every unfinished stage in order; returns the exit code.

    In a multi-worker run only the chief writes ``run_dir``; the other workers work in
    a scratch copy (see :mod:`reproductions._workers`).
    """
    folders = _workers.worker_folders(args, run_dir)
    # a second process on the folder: UsageError (other workers write scratch copies)
    with RunFolderLock(run_dir) if folders.chief else contextlib.nullcontext():
        if folders.chief and args.restart and run_dir.exists():
            say(f"--restart: deleting the contents of {run_dir}")
            empty_except_lock(run_dir)
        folders.begin(LOG_FILE)
        work_dir = folders.work_dir
        work_dir.mkdir(parents=True, exist_ok=True)
        start_tensorflow_quietly()
        if not (work_dir / CONFIG_FILE).exists():
            write_json_atomic(work_dir / CONFIG_FILE, config)
        try:
            with RunLog(work_dir, reproduction.prog, argv) as log:
                context = RunContext(reproduction, args, config, work_dir, log=log)
                return _run_stages(reproduction, context, folders)
        finally:
            folders.end()


def _run_stages(reproduction: Reproduction, context: RunContext, folders) -> int:
    stages = reproduction.stages
    say(f"Run folder: {folders.run_dir}" + ("" if folders.chief else
                                             f" (this worker writes {folders.work_dir})"))
    if context.args.strategy != "auto":
        say(f"Strategy: {context.args.strategy}")
    if reproduction.on_start is not None:
        reproduction.on_start(context)
    for index, stage in enumerate(stages, start=1):
        header = f"[{index}/{len(stages)}] {stage.name}: {stage.title}"
        folders.before_stage(stage.name)
        if folders.is_done(stage.name, DONE_FILE):
            say(f"{header} -- done earlier, skipped")
        else:
            say(header)
            stage_dir = context.stage_dir(stage.name)
            stage_dir.mkdir(parents=True, exist_ok=True)
            context.stage_notes = StageNotes()
            started = time.perf_counter()
            try:
                payload = stage.run(context) or {}
            except KeyboardInterrupt:
                say(f"Interrupted during {stage.name}. Finished stages are kept; run the same "
                    "command to resume.")
                return 130
            except Exception as err:
                logging.getLogger(RUN_LOGGER).error("Traceback:", exc_info=err)  # run.log only
                if isinstance(err, WorkerLostError):
                    say(f"{stage.name}: {err}\nFinished stages are kept.")
                    return LOST_WORKER_EXIT
                full = disk_full_message(stage.name, err)
                if full is not None:
                    raise UsageError(full) from err
                if is_user_error(err):
                    raise UsageError(f"{stage.name}: {err}\nFinished stages are kept; after "
                                     "fixing that, the same command resumes.") from err
                say(f"Stage {stage.name} failed: {type(err).__name__}: {err}\nFinished stages "
                    "are kept; after fixing the cause, the same command resumes.")
                raise
            payload.setdefault("seconds_this_run", round(time.perf_counter() - started, 1))
            payload.setdefault("peak_memory_mb", peak_memory_mb())  # of the process so far
            for warning in context.stage_notes.add_to(payload, context.max_steps):
                say(f"  WARNING: {warning}")
            write_json_atomic(stage_dir / DONE_FILE, payload)
        if context.args.until == stage.name:
            say(f"Stopped after {stage.name} (--until). Run the same command without --until "
                "to go on.")
            return 0
    report = folders.run_dir / REPORT_FILE  # the chief's, also for another worker
    default = (f"Finished. Report: {report}" if (context.run_dir / REPORT_FILE).is_file()
               else f"Finished: {folders.run_dir}")
    say(reproduction.finished(context) if reproduction.finished else default)
    return 0


def main(reproduction: Reproduction, argv=None) -> int:
    """Entry point of ``python -m reproductions.NAME``; returns the exit code (2: bad
    input, its message alone unless ``--debug``; a bug raises with its traceback)."""
    try:
        args, config, run_dir = prepare(reproduction, argv)
        return run(reproduction, args, config, run_dir, argv)
    except Exception as err:  # a user's mistake: the message alone; a bug: its traceback
        if not is_user_error(err) or wants_traceback(argv):
            raise
        print(f"error: {err}", file=sys.stderr)
        return 2
