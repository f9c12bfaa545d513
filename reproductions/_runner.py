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
- :class:`UsageError` -> a message on stderr and exit code 2, before any file is written.

The runner itself imports neither TensorFlow nor Keras: a reproduction pays for
them only in its own stages (``environment_packages`` decides what is reported).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

from reproductions import _workers
from reproductions._quiet import start_tensorflow_quietly

CONFIG_FILE = "config.json"
DONE_FILE = "done.json"
LOG_FILE = "run.log"


class UsageError(Exception):
    """Bad input found before anything was written; the message says what to do."""


_log_handle = None  # run.log of the run in progress; say() copies every line there


def say(message: str) -> None:
    """Print a progress line (flushed at once) and copy it to the run's ``run.log``."""
    print(message, flush=True)
    if _log_handle is not None:
        _log_handle.write(f"{datetime.now().strftime('%H:%M:%S')} {message}\n")
        _log_handle.flush()


def keras_verbosity() -> int:
    """``fit``'s ``verbose``: a progress bar on a terminal, else one line per epoch (logs
    and CI get readable lines instead of redrawn bars)."""
    return 1 if sys.stdout.isatty() and not os.environ.get("CI") else 2


def preparsed_option(argv, flag: str, choices, default):
    """The value ``flag`` has in ``argv``, read before the full parse: for a flag that
    decides a reproduction's stages (and so the ``--until`` choices). A missing or
    unknown value gives ``default``; the full parser then reports an unknown one."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(flag, default=default)
    known, _ = parser.parse_known_args(argv)
    value = getattr(known, flag.lstrip("-").replace("-", "_"))
    return value if value in choices else default


def write_json_atomic(path: Path, payload) -> None:
    """Write ``payload`` as indented, key-sorted JSON; a crash never leaves half a file."""
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def config_differences(old: dict, new: dict) -> list[str]:
    """Readable ``key: old -> new`` lines for every key whose value differs."""
    keys = sorted(set(old) | set(new))
    return [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys if old.get(k) != new.get(k)]


def has_gpu() -> bool:
    """Whether TensorFlow sees a GPU (imports TensorFlow)."""
    start_tensorflow_quietly()
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def environment(packages=("tensorflow", "keras")) -> dict:
    """Versions for a report: ``mitlgan``, each of ``packages``, Python and devices.

    Only the listed packages are imported (their ``__version__`` is what they report,
    whichever distribution installed them); with ``"tensorflow"`` its devices are listed.
    """
    try:
        env = {"mitlgan": metadata.version("mitlgan")}
    except metadata.PackageNotFoundError:
        env = {"mitlgan": "not installed"}
    for name in packages:
        try:
            env[name] = getattr(importlib.import_module(name), "__version__", "unknown")
        except ImportError:
            env[name] = "not installed"
    env["python"] = platform.python_version()
    if "tensorflow" in packages and env["tensorflow"] != "not installed":
        import tensorflow as tf

        devices = [d.device_type for d in tf.config.list_physical_devices()]
        env["devices"] = ", ".join(devices) or "CPU"
    return env


def environment_lines(env: dict, seed=None) -> list[str]:
    """The environment block as Markdown list lines (and the seed, when given)."""
    lines = [f"- {k}: {v}" for k, v in env.items()]
    return lines + ([f"- seed: {seed}"] if seed is not None else [])


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
    shared: dict = field(default_factory=dict)

    def stage_dir(self, stage: str) -> Path:
        """``RUN_DIR/STAGE`` (not created)."""
        return self.run_dir / stage

    def load_once(self, key: str, load: Callable[[], object]):
        """``load()`` the first time ``key`` is asked for in this process, then the same object."""
        if key not in self.shared:
            self.shared[key] = load()
        return self.shared[key]

    def strategy_scope(self):
        """The ``--strategy`` scope to build and compile a GAN in (``train`` then
        distributes its steps). Helper networks (judges, classifiers) are built outside
        it: each worker trains its own copy, identically."""
        return _workers.make_strategy(self.args.strategy).scope()

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
        add_arguments: ``(parser, run_group)`` adds the reproduction's own flags.
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
    add_arguments: Callable[[argparse.ArgumentParser, argparse._ArgumentGroup], None] = (
        lambda parser, run_group: None)
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


def build_parser(reproduction: Reproduction) -> argparse.ArgumentParser:
    """The reproduction's parser: its own flags plus ``--preset``, ``--output``,
    ``--seed``, ``--restart``, ``--until`` and ``--strategy``."""
    parser = argparse.ArgumentParser(prog=reproduction.prog, description=reproduction.description)
    run_group = parser.add_argument_group("run")
    run_group.add_argument("--preset", default="auto", choices=("auto", *reproduction.presets),
                           help=reproduction.preset_help)
    run_group.add_argument("--output", default="runs", help="output folder (default: runs)")
    run_group.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    run_group.add_argument("--restart", action="store_true",
                           help="delete an existing run in the run folder and start over")
    run_group.add_argument("--until", choices=reproduction.stage_names, default=None,
                           help="stop after this stage (a later run without it resumes)")
    run_group.add_argument("--strategy", choices=_workers.STRATEGIES, default="auto",
                           help=_workers.STRATEGY_HELP)
    reproduction.add_arguments(parser, run_group)
    return parser


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
    elif run_dir.exists() and any(run_dir.iterdir()):
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
        _workers.make_strategy(args.strategy)  # before anything else runs in TensorFlow
    preset, reason = resolve_preset(reproduction, args.preset)
    say(f"Preset: {preset} ({reason}).")
    config = dict(reproduction.configure(args, preset))
    config["seed"] = args.seed
    run_dir = reproduction.folder(args)
    check_run_folder(run_dir, config, args.restart)
    return args, config, run_dir


# ---------------------------------------------------------------------- running


def is_done(run_dir: Path, stage: str) -> bool:
    """Whether ``stage`` finished in an earlier run (its ``done.json`` exists)."""
    return (Path(run_dir) / stage / DONE_FILE).is_file()


def _open_log(run_dir: Path, prog: str, argv) -> None:
    global _log_handle
    _log_handle = (run_dir / LOG_FILE).open("a", encoding="utf-8")
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    command = " ".join([prog, *(sys.argv[1:] if argv is None else argv)])
    _log_handle.write(f"\n=== {started} {command}\n")


def _close_log() -> None:
    global _log_handle
    if _log_handle is not None:
        _log_handle.close()
        _log_handle = None


def run(reproduction: Reproduction, args, config: dict, run_dir: Path, argv=None) -> int:
    """Run every unfinished stage in order; returns the exit code.

    In a multi-worker run only the chief writes ``run_dir``; the other workers work in
    a scratch copy (see :mod:`reproductions._workers`).
    """
    folders = _workers.worker_folders(args, run_dir)
    if folders.chief and args.restart and run_dir.exists():
        say(f"--restart: deleting {run_dir}")
        shutil.rmtree(run_dir)
    folders.begin(LOG_FILE)
    work_dir = folders.work_dir
    work_dir.mkdir(parents=True, exist_ok=True)
    start_tensorflow_quietly()
    if not (work_dir / CONFIG_FILE).exists():
        write_json_atomic(work_dir / CONFIG_FILE, config)
    _open_log(work_dir, reproduction.prog, argv)
    try:
        return _run_stages(reproduction, RunContext(reproduction, args, config, work_dir), folders)
    finally:
        _close_log()
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
            started = time.perf_counter()
            try:
                payload = stage.run(context) or {}
            except KeyboardInterrupt:
                say(f"Interrupted during {stage.name}. Finished stages are kept; run the same "
                    "command to resume.")
                return 130
            except Exception as err:
                say(f"Stage {stage.name} failed: {type(err).__name__}: {err}\nFinished stages "
                    "are kept; after fixing the cause, the same command resumes.")
                raise
            payload.setdefault("seconds_this_run", round(time.perf_counter() - started, 1))
            write_json_atomic(stage_dir / DONE_FILE, payload)
        if context.args.until == stage.name:
            say(f"Stopped after {stage.name} (--until). Run the same command without --until "
                "to go on.")
            return 0
    report = folders.run_dir / "report.md"  # the chief's, also for another worker
    default = (f"Finished. Report: {report}" if (context.run_dir / "report.md").is_file()
               else f"Finished: {folders.run_dir}")
    say(reproduction.finished(context) if reproduction.finished else default)
    return 0


def main(reproduction: Reproduction, argv=None) -> int:
    """Entry point of ``python -m reproductions.NAME``; returns the exit code (2: bad input)."""
    try:
        args, config, run_dir = prepare(reproduction, argv)
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return run(reproduction, args, config, run_dir, argv)
