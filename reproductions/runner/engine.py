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
import sys
import time
from pathlib import Path

from mitlgan.distribute import WorkerLostError
from mitlgan.files import write_json_atomic
from reproductions.runner import workers as _workers
from reproductions.runner.context import (
    CONFIG_FILE,
    DONE_FILE,
    LOG_FILE,
    LOST_WORKER_EXIT,
    REPORT_FILE,
    RUN_LOGGER,
    Reproduction,
    RunContext,
    RunLog,
    Stage,
    is_done,
    keras_verbosity,
    say,
)
from reproductions.runner.environment import has_gpu, peak_memory_mb
from reproductions.runner.errors import UsageError, is_user_error, wants_traceback
from reproductions.runner.flags import FlagTable, runner_flags
from reproductions.runner.invocations import recorded_invocation, terminate_as_interrupt
from reproductions.runner.lock import LOCK_FILE, RunFolderLock, empty_except_lock
from reproductions.runner.quiet import start_tensorflow_quietly
from reproductions.runner.stage_notes import StageNotes, disk_full_message

__all__ = ["CONFIG_FILE", "DONE_FILE", "LOG_FILE", "REPORT_FILE", "Reproduction", "RunContext",
           "RunLog", "Stage", "UsageError", "is_done", "keras_verbosity", "main", "prepare",
           "run", "say"]


def config_differences(old: dict, new: dict, wording: tuple[str, ...] = ()) -> list[str]:
    """Readable ``key: old -> new`` lines for every key whose value differs.

    ``wording``: keys whose value explains a setting in words (why a fallback was taken);
    they differ only when one run has such an explanation and the other has none, so a
    reworded message does not stop a resume."""
    keys = sorted(set(old) | set(new))
    return [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in keys
            if (bool(old.get(k)) != bool(new.get(k)) if k in wording
                else old.get(k) != new.get(k))]


# ---------------------------------------------------------------------- declarations


# ---------------------------------------------------------------------- command line


def flag_table(reproduction: Reproduction) -> FlagTable:
    """Every flag of the reproduction: the runner's (``--preset``, ``--output``,
    ``--seed``, ``--restart``, ``--until``, ``--max-steps``, ``--no-tensorboard``,
    ``--debug``, ``--strategy``, ``--collective-timeout``: :func:`runner_flags`), then
    its own."""
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


def check_run_folder(run_dir: Path, config: dict, restart: bool,
                     wording: tuple[str, ...] = ()) -> None:
    """Refuse a folder holding another configuration or something that is not a run
    (``wording``: :func:`config_differences`)."""
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
        differences = config_differences(saved, config, wording)
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
    check_run_folder(run_dir, config, args.restart, reproduction.config_wording)
    return args, config, run_dir


# ---------------------------------------------------------------------- running

def run(reproduction: Reproduction, args, config: dict, run_dir: Path, argv=None) -> int:
    """Run every unfinished stage in order; returns the exit code.

    In a multi-worker run only the chief writes ``run_dir``; the other workers work in
    a scratch copy (see :mod:`reproductions.runner.workers`).
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
        record = recorded_invocation(work_dir, reproduction.prog, argv) if folders.chief else \
            contextlib.nullcontext({})
        try:
            with terminate_as_interrupt(), record as invocation, \
                    RunLog(work_dir, reproduction.prog, argv) as log:
                context = RunContext(reproduction, args, config, work_dir, log=log)
                invocation["exit"] = _run_stages(reproduction, context, folders)
                return invocation["exit"]
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
