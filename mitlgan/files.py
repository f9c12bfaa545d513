"""Files written whole or not at all, and write errors that name their file.

Every file a run keeps (``history.csv``, JSON files, reports; checkpoints use the same
rule for their folders) is written to a temporary name beside it, fsynced and renamed
over the old one, so a write that fails (a full disk, a file-size limit, a kill) leaves
the previous version intact. No TensorFlow import here.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
from pathlib import Path

#: the errors of a disk (or a quota, or a file-size limit) that is full
DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})


def naming(error: OSError, path) -> OSError:
    """``error`` with ``path`` as its file name when it has none (a failed ``write``
    names no file); the same errno, so callers can still tell a full disk."""
    if error.filename is not None:
        return error
    return type(error)(error.errno, error.strerror or str(error), str(path))


def write_atomic(path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` whole or not at all.

    Args:
        path: the file (its folder must exist).
        data: text (UTF-8) or bytes.

    Returns:
        ``path`` as a ``Path``.

    Raises:
        OSError: the write failed (its ``filename`` is ``path``); the old file, if any,
            is unchanged and no temporary file is left.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        with open(temporary, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as err:
        temporary.unlink(missing_ok=True)
        raise naming(err, path) from err
    return path


def write_json_atomic(path, payload) -> Path:
    """Write ``payload`` as indented, key-sorted JSON with :func:`write_atomic`."""
    return write_atomic(path, json.dumps(payload, indent=2, sort_keys=True) + "\n")


def write_csv_atomic(path, rows, fieldnames) -> Path:
    """Write dict ``rows`` as a CSV with a header of ``fieldnames`` (keys not in it are
    left out) with :func:`write_atomic`; the csv module's dialect (CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fieldnames), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return write_atomic(path, buffer.getvalue())


def disk_full(error: BaseException) -> OSError | None:
    """The full-disk ``OSError`` behind ``error`` (itself or a cause), or None."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in DISK_FULL_ERRNOS:
            return error
        error = error.__cause__ or error.__context__
    return None


def file_digest(path, algorithm: str = "sha256") -> str:
    """Hex digest of a file (``hashlib`` algorithm name), read in 4 MB pieces."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            digest.update(chunk)
    return digest.hexdigest()
