"""Every invocation of a run, in ``RUN/invocations.json``: a run longer than a session is
resumed by the same command, and its wall time is the sum of its invocations.

Each record: ``started`` (ISO time), ``seconds`` (wall), ``exit`` (the exit code, or the
exception that ended it), ``command`` and ``host``. Written atomically when an invocation
ends, however it ends (an interrupt or an error included; a killed process leaves none,
which :func:`wall_seconds` reports as unrecorded).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import platform
import signal
import sys
import threading
import time
from pathlib import Path

from mitlgan.files import write_json_atomic

__all__ = ["INVOCATIONS_FILE", "read_invocations", "recorded_invocation", "terminate_as_interrupt",
           "wall_seconds"]

INVOCATIONS_FILE = "invocations.json"


def read_invocations(run_dir) -> list[dict]:
    """The run's recorded invocations, oldest first ([] when none)."""
    path = Path(run_dir) / INVOCATIONS_FILE
    if not path.is_file():
        return []
    try:
        return list(json.loads(path.read_text()))
    except ValueError:
        return []


@contextlib.contextmanager
def terminate_as_interrupt():
    """Within the block, SIGTERM (``kill PID``) stops the run as Ctrl-C does: the stage
    in progress says how to resume and the invocation is recorded. A job started in the
    background (``nohup ... &``) ignores SIGINT, so ``kill`` is how a user stops it."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    earlier = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, earlier)


@contextlib.contextmanager
def recorded_invocation(run_dir, prog: str, argv=None):
    """Record this invocation in ``run_dir/invocations.json`` when the block ends.

    Args:
        run_dir: the run folder.
        prog: the command's program (``python -m reproductions.NAME``).
        argv: its arguments (None: ``sys.argv[1:]``).

    Yields a dict whose ``"exit"`` the caller sets to the exit code."""
    started, clock = datetime.datetime.now(datetime.UTC), time.monotonic()
    outcome = {"exit": None}
    try:
        yield outcome
    except BaseException as err:
        outcome["exit"] = f"{type(err).__name__}: {err}"[:200]
        raise
    finally:
        record = {"started": started.isoformat(timespec="seconds"),
                  "seconds": round(time.monotonic() - clock, 1), "exit": outcome["exit"],
                  "command": " ".join([prog, *map(str, sys.argv[1:] if argv is None else argv)]),
                  "host": platform.node()}
        write_json_atomic(Path(run_dir) / INVOCATIONS_FILE,
                          read_invocations(run_dir) + [record])


def wall_seconds(run_dir) -> tuple[float, int]:
    """(the sum of the recorded invocations' wall seconds, how many there were)."""
    invocations = read_invocations(run_dir)
    return round(sum(float(i["seconds"]) for i in invocations), 1), len(invocations)
