"""One process per run folder: an advisory lock the operating system drops when the
process dies, so a killed run never blocks the next one.

The lock file is ``RUN/.lock``; it records the holder's PID for the message a second
process prints, and ``--restart`` empties the folder around it (deleting the file
while it is held would let a second process lock a new one). In a multi-worker run
the chief holds it; the other workers write only their own scratch copies.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from reproductions.runner.errors import UsageError

LOCK_FILE = ".lock"


def lock_path(run_dir: Path) -> Path:
    """``RUN/.lock``."""
    return Path(run_dir) / LOCK_FILE


def empty_except_lock(run_dir: Path) -> None:
    """Delete everything in ``run_dir`` but its lock file (``--restart``)."""
    import shutil

    for path in Path(run_dir).iterdir():
        if path.name == LOCK_FILE:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


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
