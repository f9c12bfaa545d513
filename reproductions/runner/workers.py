"""``--strategy``: which ``tf.distribute`` strategy a run's stages use, and where each
process of a multi-worker run writes.

Every worker runs the same command. The chief (``mitlgan.distribute.is_chief``) writes
the run folder; every other worker works in its own scratch copy next to it
(``.NAME.worker-K``): before each stage it copies the chief's folder of that stage, so
it resumes from the same checkpoint, and it skips a stage when the chief's
``done.json`` says it is finished. The scratch folder is deleted when the run ends,
the pattern of TensorFlow's multi-worker guide.

Nothing here imports TensorFlow until a strategy is asked for, so a reproduction
without TensorFlow (the runner's toy test) never loads it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from reproductions.runner.errors import UsageError

#: the choices of --strategy; the same as mitlgan.distribute.STRATEGIES (tested), kept
#: here because importing the library would import TensorFlow
STRATEGIES = ("auto", "one", "mirrored", "multi-worker", "tpu")
#: strategies TensorFlow must create before anything else runs
EARLY_STRATEGIES = ("multi-worker", "tpu")
STRATEGY_HELP = ("tf.distribute strategy: auto (default: mirrored with several GPUs, else one "
                 "device), one, mirrored, multi-worker (the cluster in TF_CONFIG; run the same "
                 "command on every worker), tpu (untested here); resuming works under any")

_strategies: dict = {}


def make_strategy(name: str, collective_timeout: float | None = None):
    """The strategy ``name`` (made once per process; ``collective_timeout`` counts for
    the first call: see ``mitlgan.distribute.make_strategy``; None: its default); a bad
    setup is a UsageError."""
    if name not in _strategies:
        from mitlgan.distribute import DEFAULT_COLLECTIVE_TIMEOUT, StrategyError
        from mitlgan.distribute import make_strategy as make

        try:
            _strategies[name] = make(name, DEFAULT_COLLECTIVE_TIMEOUT
                                     if collective_timeout is None else collective_timeout)
        except StrategyError as err:
            raise UsageError(str(err)) from err
    return _strategies[name]


@dataclass
class WorkerFolders:
    """Where this process reads the run's progress (``run_dir``, the chief's) and where
    it writes (``work_dir``: the run folder itself for the chief, else a scratch copy)."""

    run_dir: Path
    work_dir: Path
    restart: bool = False

    @property
    def chief(self) -> bool:
        return self.work_dir == self.run_dir

    def is_done(self, stage: str, done_file: str) -> bool:
        """Whether the chief finished ``stage`` (never, for a worker of a --restart run:
        the chief is deleting what it sees)."""
        if not self.chief and self.restart:
            return False
        return (self.run_dir / stage / done_file).is_file()

    def begin(self, log_file: str) -> None:
        """A fresh scratch folder holding the chief's run so far (not its log); training
        in this process then writes there (its own copy) like the chief does."""
        if self.chief:
            return
        from mitlgan.distribute import set_worker_folder_private

        set_worker_folder_private()
        shutil.rmtree(self.work_dir, ignore_errors=True)
        if self.run_dir.is_dir() and not self.restart:
            copy_while_written(self.run_dir, self.work_dir, also_ignore=(log_file,))
        self.work_dir.mkdir(parents=True, exist_ok=True)

    def before_stage(self, stage: str) -> None:
        """A worker's copy of the chief's folder of ``stage`` (its checkpoints)."""
        if self.chief or self.restart:
            return
        target, source = self.work_dir / stage, self.run_dir / stage
        shutil.rmtree(target, ignore_errors=True)
        if source.is_dir():
            copy_while_written(source, target)

    def end(self) -> None:
        if not self.chief:
            shutil.rmtree(self.work_dir, ignore_errors=True)


#: what the chief writes under a temporary name and renames into place (mitlgan.files,
#: checkpoints): a copy taken meanwhile leaves them out, the finished file is read later
IN_PROGRESS = (".*.tmp", ".tmp-*")


def copy_while_written(source: Path, target: Path, also_ignore=(), attempts: int = 5) -> None:
    """Copy the chief's ``source`` folder while the chief may be writing in it: files
    being written are left out, and a file renamed or deleted during the copy (an
    atomic write finishing, an old checkpoint pruned) makes it start over."""
    for attempt in range(attempts):
        try:
            shutil.copytree(source, target, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(*IN_PROGRESS, *also_ignore))
            return
        except shutil.Error as err:
            vanished = all("No such file" in str(reason) for *_, reason in err.args[0])
            if not vanished or attempt == attempts - 1:
                raise
            shutil.rmtree(target, ignore_errors=True)


def worker_folders(args, run_dir: Path) -> WorkerFolders:
    """The chief writes ``run_dir``; another worker of a multi-worker run a scratch
    folder ``.NAME.worker-K`` beside it."""
    run_dir = Path(run_dir)
    if args.strategy != "multi-worker" or not os.environ.get("TF_CONFIG"):
        return WorkerFolders(run_dir, run_dir)
    from mitlgan.distribute import is_chief, worker_task

    if is_chief():
        return WorkerFolders(run_dir, run_dir, args.restart)
    _, index, _ = worker_task()
    return WorkerFolders(run_dir, run_dir.parent / f".{run_dir.name}.worker-{index}", args.restart)
