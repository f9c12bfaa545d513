"""One process per run folder: an advisory lock the operating system drops when the
process dies, so a killed run never blocks the next one.

The lock file sits beside the run folder (``.NAME.lock``), so ``--restart`` can delete
the folder while holding it; it records the holder's PID for the message a second
process prints. Multi-worker runs are unaffected: the chief locks the run folder, every
other worker its own scratch copy.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from reproductions._errors import UsageError


def lock_path(run_dir: Path) -> Path:
    """``PARENT/.NAME.lock`` of ``run_dir``."""
    run_dir = Path(run_dir)
    return run_dir.parent / f".{run_dir.name}.lock"


class RunFolderLock:
    """``with RunFolderLock(run_dir):`` holds the folder's lock, or raises
    :class:`UsageError` naming the folder and the process that holds it."""

    def __init__(self, run_dir: Path):
        self.run_dir = Path(run_dir)
        self.path = lock_path(self.run_dir)
        self._handle = None

    def __enter__(self) -> RunFolderLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - held open for the lock's lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise UsageError(
                f"{self.run_dir} is in use by another run (process {holder}). Wait for it "
                "to finish, stop it, or give another --output; a killed run leaves no lock "
                "behind.") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc_info) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
